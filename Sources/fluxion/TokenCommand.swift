import ArgumentParser
import FluxionAccess

/// `fluxion token create`: adds a token to a tokens file and prints its secret once.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage access tokens of a tokens file (fluxiond --tokens).",
        subcommands: [Create.self, List.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Add a token: prints its secret once (only its SHA-256 is stored); send SIGHUP to fluxiond to use it.")

        @Option(help: "The tokens file (created with mode 0600 if missing).")
        var file: String

        @Option(help: "Who the token is for, as the audit trail shows it (letters, digits, - _ . @).")
        var id: String

        @Option(help: "read (read calls) or operate (also inject and clear leaks, clock, sensor faults, detectors).")
        var role: String = Role.read.rawValue

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be read or operate, got '\(role)'")
            }
        }

        func run() throws {
            do throws(TokenFileError) {
                let secret = try TokenFile.create(id: id, role: Role(rawValue: role)!, in: file)
                print(secret)
            } catch {
                throw CLIError(error.description)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the ids and roles of a tokens file.")

        @Option(help: "The tokens file.")
        var file: String

        func run() throws {
            do throws(TokenFileError) {
                for token in try TokenFile.load(file) { print("\(token.id)\t\(token.role.rawValue)") }
            } catch {
                throw CLIError(error.description)
            }
        }
    }
}
