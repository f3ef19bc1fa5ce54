import ArgumentParser
import FluxionAccess
import FluxionAlerts
import FluxionDetectors
import FluxionScenario
import FluxionServer
import FluxionSparkplug
import FluxionTLS
import FluxionTwin
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Fluxiond: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluxiond",
        abstract: "The Fluxion server: the live pipeline twin over the Fluxion wire protocol.",
        discussion: """
            Prints one line `listening on HOST:PORT` on stdout when ready; logs go to stderr.
            SIGTERM or SIGINT ends open calls with UNAVAILABLE and exits 0.
            """)

    @Option(
        help:
            "Configuration file (YAML): a key per option, named as the option without dashes (port: 7400, detector: [threshold], autopilot: true); the command line overrides it."
    )
    var config: String?

    @Option(help: "Address to listen on (IPv4 or IPv6 literal).")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free port (the bound port is printed).")
    var port = 7400

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Largest frame body accepted, bytes.")
    var maxFrameBytes = 4 * 1024 * 1024

    @Option(help: "Bytes of partial frames all connections together may hold before new ones are refused.")
    var maxBufferedFrameBytes = 64 * 1024 * 1024

    @Option(help: "Largest number of calls open at once on one connection.")
    var maxConcurrentCalls = 256

    @Option(help: "Close a connection with no open call after this many seconds of silence.")
    var idleTimeout: Double = 300

    @Option(help: "Scenario to run: an embedded name (see `fluxion scenarios`) or a scenario file.")
    var scenario = EmbeddedScenarios.defaultName

    @Option(help: "Seed of the sensor noise and the autopilot: the same scenario and seed give the same readings.")
    var seed: UInt64 = 1

    @Option(help: "Simulated seconds per wall-clock second (1: real time).")
    var speed: Double = 1

    @Flag(help: "Step as fast as possible instead of following the wall clock (tests, evaluation).")
    var freeRunning = false

    @Flag(help: "Start with the simulation clock paused (resume with SetClock).")
    var paused = false

    @Flag(help: "Inject random leaks and clear them later (the scenario's autopilot section sets the rates).")
    var autopilot = false

    @Option(help: "End a reading stream whose client has taken nothing for this many seconds.")
    var streamStallTimeout: Double = 10

    @Option(
        help:
            "Directory of detector plugins (lib<NAME>.so); default: PREFIX/lib/fluxion/plugins when installed, else the directory of this executable."
    )
    var plugins: String?

    @Option(
        help:
            "Tokens file (lines '<id> <role> <sha256-hex>', made by `fluxion token create`): mutating calls then need an operate token. SIGHUP re-reads it."
    )
    var tokens: String?

    @Option(help: "Whether read calls need a token when --tokens is given: open or token.")
    var readAccess: String = ReadAccess.open.rawValue

    @Option(help: "TLS: the server's certificate chain, PEM (leaf first). With --tls-key, every connection is TLS.")
    var tlsCert: String?

    @Option(help: "TLS: the private key of --tls-cert, PEM.")
    var tlsKey: String?

    @Flag(help: "Allow listening beyond loopback without --tokens (anyone who can connect may then operate the twin).")
    var insecureNoAuth = false

    @Option(
        help:
            "Directory of detector model files; a detector's {\"model\": NAME} names a file here (plain name, no path), else among the models shipped with fluxiond. Default: DATA/models."
    )
    var models: String?

    @Option(help: "Largest model file a detector may be given, bytes.")
    var maxModelBytes = 256 * 1024 * 1024

    @Flag(help: "Follow symbolic links in the plugin and models directories that lead outside them.")
    var allowLinksOutside = false

    @Option(
        name: .customLong("detector"),
        help: "Load and activate this detector plugin at start (repeatable), e.g. --detector threshold.")
    var detectors: [String] = []

    @Option(
        help:
            "Warm start: before serving, run the twin through normal operation for as long as the detectors given with --detector still learn, at most this many simulated seconds (0: none)."
    )
    var warmUp: Double = 86_400

    @Option(
        help:
            "Directory for state that outlives the server (the alert store, alerts.sqlite3); created if missing. Default: $XDG_STATE_HOME/fluxion, else ~/.local/state/fluxion."
    )
    var data: String = StateDirectory.defaultPath

    @Option(
        help:
            "Alert store: 'sqlite' (DATA/alerts.sqlite3, the default) or a PostgreSQL URL postgres://USER[:PASSWORD]@HOST[:PORT]/DB (shared by many servers, one per network; needs --network)."
    )
    var alerts = "sqlite"

    @Option(
        help:
            "Network (shard) id stamped on every alert this server raises, so that many servers can share one alert store: letters, digits, '-', '_', '.', at most 64."
    )
    var network = ""

    @Option(
        help:
            "Where readings come from: 'twin' (the simulation) or a broker, mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (Sparkplug B, mapped by the scenario's field: section; the physics then does not run)."
    )
    var source = "twin"

    @Option(
        help: "Field data: Sparkplug group id to subscribe to (default: the scenario's field.group, else every group).")
    var mqttGroup: String?

    @Option(help: "Field data: MQTT client id (default: fluxiond-NETWORK-PID).")
    var mqttClientId: String?

    @Option(help: "Field data: MQTT user name.")
    var mqttUsername: String?

    @Option(help: "Field data: file holding the MQTT password (its first line).")
    var mqttPasswordFile: String?

    @Option(help: "Field data: CA certificates (PEM) to trust for mqtts:// (default: the system's).")
    var mqttCaFile: String?

    @Flag(help: "Field data: publish alert events as JSON to fluxion/NETWORK/alerts on the broker.")
    var mqttPublishAlerts = false

    @Flag(help: "Field data: publish the mapped readings as JSON to fluxion/NETWORK/readings on the broker.")
    var mqttPublishReadings = false

    /// Reads `--config FILE` into arguments before the command line's, then runs as usual.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let i = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) {
            let path =
                arguments[i].hasPrefix("--config=")
                ? String(arguments[i].dropFirst("--config=".count)) : (i + 1 < arguments.count ? arguments[i + 1] : "")
            let (options, flags) = Self.optionNames()
            let given = Set(
                arguments.filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2).prefix { $0 != "=" }) })
            do {
                arguments =
                    try ConfigFile.arguments(path: path, options: options, flags: flags, given: given) + arguments
            } catch {
                FileHandleOutput.stderr("fluxiond: \(error)")
                Foundation.exit(1)
            }
        }
        Self.main(arguments)
    }

    /// The long names of fluxiond's options and flags, read from its own help (one source).
    static func optionNames() -> (options: Set<String>, flags: Set<String>) {
        var options: Set<String> = [], flags: Set<String> = []
        for line in helpMessage(columns: 10_000).split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("--"), line.hasPrefix("  --") else { continue }
            let name = String(trimmed.dropFirst(2).prefix { $0 != " " && $0 != "," })
            if name == "help" || name == "config" { continue }
            if trimmed.dropFirst(2 + name.count).hasPrefix(" <") { options.insert(name) } else { flags.insert(name) }
        }
        return (options, flags)
    }

    func validate() throws {
        if let problem = AlertNetwork.problem(network) { throw ValidationError("--network: \(problem)") }
        guard alerts == "sqlite" || PostgresAlertStore.isURL(alerts) else {
            throw ValidationError("--alerts must be 'sqlite' or a postgres:// URL, got \"\(alerts)\"")
        }
        if PostgresAlertStore.isURL(alerts), network.isEmpty {
            throw ValidationError(
                "--network NAME is required with a PostgreSQL alert store (servers sharing it need distinct names)")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(logLevel)'")
        }
        guard maxFrameBytes >= 1024, maxFrameBytes <= 1 << 30 else {
            throw ValidationError("--max-frame-bytes must be between 1024 and 1073741824, got \(maxFrameBytes)")
        }
        guard maxBufferedFrameBytes >= maxFrameBytes else {
            throw ValidationError("--max-buffered-frame-bytes must be at least --max-frame-bytes (\(maxFrameBytes))")
        }
        guard maxConcurrentCalls >= 1 else { throw ValidationError("--max-concurrent-calls must be at least 1") }
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive") }
        guard ClientLimits.speed.contains(speed) else {
            throw ValidationError(
                "--speed must be \(ClientLimits.speed.lowerBound)…\(ClientLimits.speed.upperBound), got \(speed)")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard ReadAccess(rawValue: readAccess) != nil else {
            throw ValidationError("--read-access must be open or token, got '\(readAccess)'")
        }
        if readAccess == ReadAccess.token.rawValue, tokens == nil {
            throw ValidationError("--read-access token needs --tokens FILE")
        }
        if tokens == nil, !insecureNoAuth, !Self.isLoopback(host) {
            throw ValidationError(
                "--host \(host) is not loopback: give --tokens FILE so that only token holders can operate the twin, or --insecure-no-auth to accept anyone"
            )
        }
        guard warmUp >= 0, warmUp <= 604_800 else {
            throw ValidationError("--warm-up must be 0…604800 simulated seconds, got \(warmUp)")
        }
        guard maxModelBytes > 0 else { throw ValidationError("--max-model-bytes must be positive") }
        guard streamStallTimeout > 0 else { throw ValidationError("--stream-stall-timeout must be positive") }
        if source != "twin" {
            do throws(MQTTError) { _ = try MQTTURL(source) } catch {
                throw ValidationError("--source must be 'twin' or mqtt://HOST[:PORT] / mqtts://HOST[:PORT]: \(error)")
            }
            if autopilot {
                throw ValidationError("--autopilot needs the twin's physics; it cannot go with --source \(source)")
            }
            if let g = mqttGroup, !SparkplugTopic.isValidElement(g) {
                throw ValidationError("--mqtt-group must be a Sparkplug group id (no '/', '+', '#'), got '\(g)'")
            }
        } else if mqttGroup != nil || mqttClientId != nil || mqttUsername != nil || mqttPasswordFile != nil
            || mqttCaFile != nil || mqttPublishAlerts || mqttPublishReadings
        {
            throw ValidationError("the --mqtt-… options need --source mqtt://HOST[:PORT]")
        }
    }

    /// The field ingest of `--source mqtt://…` (nil with the twin).
    func fieldIngest(scenario: Scenario, logger: Logger) throws -> FieldIngest? {
        guard source != "twin" else { return nil }
        let url = try MQTTURL(source)
        let name = network.isEmpty ? scenario.name : network
        let broker = try MQTTClient.Options(
            url: url, clientID: mqttClientId ?? "fluxiond-\(Self.topicSafe(name))-\(getpid())",
            username: mqttUsername, passwordFile: mqttPasswordFile, caFile: mqttCaFile)
        return try FieldIngest(
            options: FieldIngest.Options(
                broker: broker, group: mqttGroup,
                alertTopic: mqttPublishAlerts ? FieldAlertPublisher.topic(network: Self.topicSafe(name)) : nil,
                readingTopic: mqttPublishReadings ? FieldReadingPublisher.topic(network: Self.topicSafe(name)) : nil),
            scenario: scenario, logger: logger)
    }

    /// `name` with the characters MQTT topics reserve ('/', '+', '#') replaced by '_'.
    static func topicSafe(_ name: String) -> String {
        String(name.map { $0 == "/" || $0 == "+" || $0 == "#" ? "_" : $0 })
    }

    func run() throws {
        // A parent may have left signals blocked (seen with Foundation.Process): clear the mask so
        // that SIGTERM reaches the loop's signal handler.
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        signal(SIGPIPE, SIG_IGN)
        // One descriptor per connection: take the hard limit (systemd's default is 524288), so
        // that the soft default of 1024 does not cap the number of clients.
        var files = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files) == 0, files.rlim_cur < files.rlim_max {
            files.rlim_cur = files.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        }

        let level = Logger.Level(rawValue: logLevel)!
        let journal = JournalLogHandler.stderrIsJournal
        LoggingSystem.bootstrap { label in
            if journal { return JournalLogHandler(logLevel: level, label: label) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "fluxiond")

        var config = ServerConfiguration()
        config.host = host
        config.port = port
        config.maxFrameBytes = maxFrameBytes
        config.maxConcurrentCalls = maxConcurrentCalls
        config.maxBufferedFrameBytes = maxBufferedFrameBytes
        config.idleTimeoutMs = Int(idleTimeout * 1000)

        let simulation: Simulation
        do {
            var loaded = try ScenarioLoader.load(fileOrName: scenario)
            if autopilot { loaded.autopilot.enabled = true }
            simulation = try Simulation(scenario: loaded, seed: seed)
        } catch {
            FileHandleOutput.stderr("fluxiond: scenario \(scenario): \(error)")
            throw ExitCode(1)
        }

        let store: any AlertStore
        let access: AccessControl
        let audit: AuditTrail
        var tls: TLSContext?
        do {
            try DataDirectory.prepare(data)
            try DataDirectory.lock(data)
            store =
                PostgresAlertStore.isURL(alerts)
                ? try PostgresAlertStore(url: alerts, network: network)
                : try SQLiteAlertStore(directory: data, network: network)
            audit = try AuditTrail(directory: data, logger: logger)
            if let tlsCert, let tlsKey {
                tls = try TLSContext.server(certificateChain: tlsCert, privateKey: tlsKey)
            }
            if let tokens {
                access = try AccessControl(tokensPath: tokens, readAccess: ReadAccess(rawValue: readAccess)!)
            } else {
                access = AccessControl()
            }
        } catch {
            FileHandleOutput.stderr("fluxiond: \(error)")
            throw ExitCode(1)
        }

        let loop: EventLoop
        let server: Server
        let twin: TwinService
        let detectorService: DetectorService
        let alerts: AlertService
        do {
            loop = try EventLoop()
            server = Server(configuration: config, loop: loop, logger: logger)
            server.access = access
            server.tlsContext = tls
            server.audit = audit
            server.onShutdown.append { audit.flush() }
            let field = try fieldIngest(scenario: simulation.scenario, logger: logger)
            twin = TwinService(
                simulation: simulation, speed: speed, freeRunning: freeRunning, paused: paused || field != nil,
                server: server, stallTimeoutMs: Int(streamStallTimeout * 1000))
            if let field { twin.useField(field) }
            alerts = try AlertService(
                server: server, store: store,
                network: AlertService.networkDescription(of: simulation.topology, scenario: twin.scenarioName),
                twin: twin)
            let modelDirectory = ConfinedDirectory(
                path: models ?? data + "/models", kind: "model", maxFileBytes: maxModelBytes,
                allowLinksOutside: allowLinksOutside)
            detectorService = DetectorService(
                twin: twin, simulation: simulation, pluginDirectory: plugins ?? Self.defaultPluginDirectory(),
                modelFiles: .directory(modelDirectory),
                shippedModels: Self.shippedModelDirectory().map {
                    ConfinedDirectory(path: $0, kind: "model", maxFileBytes: maxModelBytes)
                }, allowLinksOutside: allowLinksOutside, server: server)
            // Detector estimates become alerts on the loop thread, stored (writer thread) before they are streamed.
            detectorService.onSignals.append { [unowned alerts] signals in alerts.ingest(signals) }
            if let field, let topic = field.options.readingTopic {
                twin.onDelivery.append { view in
                    for (tick, wall) in zip(view.ticks, view.wallTimesUnixNs) {
                        field.client.publish(
                            topic,
                            FieldReadingPublisher.json(
                                simTimeS: tick.simTimeS, wallTimeUnixNs: wall, readings: tick.readings))
                    }
                }
            }
            if let field, let topic = field.options.alertTopic {
                alerts.onPublished.append { events in
                    let failed = events.filter { !field.client.publish(topic, FieldAlertPublisher.json($0), qos: 1) }
                    if !failed.isEmpty {
                        logger.warning(
                            "field data: \(failed.count) alert events not published to \(topic) (broker not connected)")
                    }
                }
            }
            detectorService.onDetectorRemoved.append { [unowned alerts, unowned twin] name in
                alerts.removeDetector(name, simTimeS: twin.simTimeS)
            }
            for name in detectors { try detectorService.loadAndActivate(plugin: name) }
            if warmUp > 0, !detectors.isEmpty {
                let started = Date()
                let fed = detectorService.warmUp(twin, maxS: warmUp)
                logger.info(
                    "warm start: \(fed.rounded()) s of simulated normal operation fed to \(detectors.joined(separator: ", ")) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s; serving from t = \(twin.simTimeS.rounded()) s"
                )
            }
            try server.start()
        } catch {
            FileHandleOutput.stderr("fluxiond: \(error)")
            throw ExitCode(1)
        }
        if let tokens {
            logger.info(
                "access: tokens from \(tokens) (\(access.verifier?.tokens.count ?? 0)), read calls \(readAccess)")
        } else {
            logger.warning("access: no --tokens, every process that can connect may operate the twin")
        }
        _ = detectorService  // kept by server.services; the alert engine hooks detectorService.onSignals
        twin.start()
        let shownHost = host.contains(":") ? "[\(host)]" : host
        print("listening on \(shownHost):\(server.boundPort)")
        fflush(nil)
        ServiceManager.notify("READY=1\nSTATUS=listening on \(shownHost):\(server.boundPort)")
        server.onShutdown.append { ServiceManager.notify("STOPPING=1") }
        logger.info(
            "fluxiond \(config.serverVersion) listening on \(shownHost):\(server.boundPort), scenario \(twin.scenarioName), \(twin.field != nil ? "readings from \(source) (physics not run)" : freeRunning ? "free-running" : "speed \(speed)"), alerts in \(alerts.storeLocation)"
        )
        loop.run()
        logger.info("stopped")
    }
}

extension Fluxiond {
    /// Whether `host` only accepts connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Installed (`make install`): PREFIX/lib/fluxion/plugins beside PREFIX/bin; otherwise the
    /// directory of the executable, where `swift build` puts the plugins.
    static func defaultPluginDirectory() -> String {
        let exe = executableDirectory()
        let installed = URL(fileURLWithPath: exe).deletingLastPathComponent()
            .appendingPathComponent("lib/fluxion/plugins").path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: installed, isDirectory: &isDirectory), isDirectory.boolValue {
            return installed
        }
        return exe
    }

    /// The models that come with fluxiond (`ShippedModels`).
    static func shippedModelDirectory() -> String? {
        ShippedModels.directory(executableDirectory: executableDirectory())
    }

    /// The directory of the running executable (where `swift build` puts lib*.so plugins).
    static func executableDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "." }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    }
}

enum FileHandleOutput {
    static func stderr(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
