import Foundation
import Yams

/// fluxiond's configuration file (`--config FILE`, YAML): one key per command-line option, named
/// as the option without its dashes; the command line overrides the file.
///
/// ```yaml
/// host: 0.0.0.0
/// port: 7400
/// data: /var/lib/fluxion
/// tokens: /etc/fluxion/tokens
/// tls-cert: /etc/fluxion/tls/chain.pem
/// tls-key: /etc/fluxion/tls/key.pem
/// detector: [threshold]        # repeatable options take a list
/// autopilot: true              # flags take true or false
/// ```
///
/// The file is turned into arguments placed before the command line's, so ArgumentParser checks
/// every value as it would a flag's, and an option given on the command line replaces the file's.
enum ConfigFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The arguments of `path`, for the options the command line (`given`) does not set.
    static func arguments(
        path: String, options: Set<String>, flags: Set<String>, given: Set<String>
    ) throws(Failure) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "config file \(path): cannot read it")
        }
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch {
            throw Failure(description: "config file \(path): not YAML: \(error)")
        }
        guard let mapping = loaded as? [String: Any] else {
            if loaded == nil { return [] }
            throw Failure(description: "config file \(path): must be a mapping of option names to values")
        }
        var out: [String] = []
        for key in mapping.keys.sorted() where !given.contains(key) {
            let value = mapping[key]!
            if flags.contains(key) {
                guard let on = value as? Bool else {
                    throw Failure(description: "config file \(path): \(key) must be true or false")
                }
                if on { out.append("--\(key)") }
            } else if options.contains(key) {
                let values = (value as? [Any]) ?? [value]
                for v in values {
                    guard v is String || v is Int || v is Double || v is Bool else {
                        throw Failure(description: "config file \(path): \(key) must be a value or a list of values")
                    }
                    out += ["--\(key)", "\(v)"]
                }
            } else {
                throw Failure(description: "config file \(path): unknown key '\(key)' (see fluxiond --help)")
            }
        }
        return out
    }
}
