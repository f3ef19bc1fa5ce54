import ArgumentParser
import FluxionClient
import FluxionTLS
import FluxionWire
import Foundation

/// Options every command that talks to fluxiond shares.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "fluxiond address as HOST:PORT ([V6]:PORT for IPv6). Default: $FLUXION_SERVER or 127.0.0.1:7400.")
    var server: String = ProcessInfo.processInfo.environment["FLUXION_SERVER"] ?? "127.0.0.1:7400"

    @Option(name: .long, help: "Seconds to wait for an answer to a request.")
    var timeout: Double = 30

    @Flag(name: .long, help: "Machine-readable output: one JSON document (streams: one JSON object per line).")
    var json = false

    @Option(
        name: .long,
        help: "File holding the access token for a server run with --tokens. Default: $FLUXION_TOKEN.")
    var tokenFile: String?

    @Flag(
        name: .long,
        help: "Connect with TLS (a server run with --tls-cert); its certificate must be valid for the host.")
    var tls = false

    @Option(name: .long, help: "Trust the certificates in this PEM file instead of the system's (implies --tls).")
    var caFile: String?

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive, got \(timeout)") }
        _ = try endpoint()
        _ = try token()
    }

    /// The token: the first line of `--token-file`, else `$FLUXION_TOKEN`, else none.
    func token() throws -> String? {
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw ValidationError("--token-file \(tokenFile): cannot read it")
            }
            let token =
                text.split(whereSeparator: \.isNewline).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            guard !token.isEmpty else { throw ValidationError("--token-file \(tokenFile): holds no token") }
            return token
        }
        let env = ProcessInfo.processInfo.environment["FLUXION_TOKEN"] ?? ""
        return env.isEmpty ? nil : env
    }

    /// HOST and PORT from `--server`.
    func endpoint() throws -> (host: String, port: Int) {
        var host: Substring
        let portText: Substring
        if server.hasPrefix("[") {
            guard let close = server.firstIndex(of: "]"), server[server.index(after: close)...].hasPrefix(":") else {
                throw ValidationError("--server must be HOST:PORT or [IPV6]:PORT, got '\(server)'")
            }
            host = server[server.index(after: server.startIndex)..<close]
            portText = server[server.index(close, offsetBy: 2)...]
        } else {
            guard let colon = server.lastIndex(of: ":") else {
                throw ValidationError("--server must be HOST:PORT, got '\(server)'")
            }
            host = server[..<colon]
            portText = server[server.index(after: colon)...]
        }
        guard !host.isEmpty else { throw ValidationError("--server has an empty host: '\(server)'") }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw ValidationError("--server port must be 1...65535, got '\(portText)'")
        }
        if host == "localhost", !tls, caFile == nil { host = "127.0.0.1" }
        return (String(host), port)
    }

    /// Connects, or fails with a one-line error.
    func connect() throws -> FluxionConnection {
        let (host, port) = try endpoint()
        let token = try token()
        var context: TLSContext?
        if tls || caFile != nil {
            do throws(TLSError) { context = try TLSContext.client(caFile: caFile) } catch {
                throw CLIError(error.description)
            }
        }
        do {
            return try FluxionConnection(host: host, port: port, callTimeout: timeout, token: token, tls: context)
        } catch {
            throw CLIError(error)
        }
    }
}

/// A one-line error for the terminal; ArgumentParser prints it and exits non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) { description = message }
    init(_ error: RPCError) { description = "\(error.code): \(error.message)" }
}

/// Runs a call and turns an RPCError into a one-line CLI error.
func rpc<T>(_ body: () throws(RPCError) -> T) throws -> T {
    do { return try body() } catch { throw CLIError(error) }
}

/// Prints `object` as pretty, key-sorted JSON on stdout.
func printJSON(_ object: Any) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    print(String(decoding: data, as: UTF8.self))
}

extension Optional {
    /// The value of a message field the server must set, or an error naming it (a server that
    /// leaves it out is broken, not the user).
    func required(_ field: String) throws -> Wrapped {
        guard let value = self else {
            throw CLIError(RPCError(.internal, "the server's answer has no \(field)"))
        }
        return value
    }
}
