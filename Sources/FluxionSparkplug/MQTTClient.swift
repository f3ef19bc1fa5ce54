import CMosquitto
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An MQTT client (libmosquitto) run by a thread of its own.
///
/// ```
///  client thread: connect ─► loop { mosquitto_loop(≤ 100 ms) ─► onMessage / onConnect /
///                 onDisconnect; onIdle } ─► on a lost connection: reconnect with backoff
///  any thread:    publish (queued by libmosquitto; the client thread writes it)
/// ```
///
/// Every callback runs on the client thread, one at a time, so the code they call needs no
/// lock of its own as long as it touches nothing else. `onConnect` runs after every accepted
/// connection (subscribe there: a new session has no subscriptions). Reconnecting starts at
/// 100 ms and doubles up to `maxReconnectDelayS`.
public final class MQTTClient: @unchecked Sendable {
    /// How to reach and log in to the broker.
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        public var clientID: String
        public var username: String?
        public var password: String?
        /// TLS: trust these CA certificates (PEM file); with `tls` and no file, the system's.
        public var caFile: String?
        public var tls = false
        public var keepAliveS = 10
        public var maxReconnectDelayS = 2.0
        /// Last will: published by the broker when this client goes away without disconnecting.
        public var will: (topic: String, payload: [UInt8], retain: Bool)?

        public init(host: String, port: Int, clientID: String) {
            self.host = host
            self.port = port
            self.clientID = clientID
        }

        /// The options of a broker address with the credentials as the command lines take them:
        /// the password is the first line of `passwordFile`.
        public init(
            url: MQTTURL, clientID: String, username: String?, passwordFile: String?, caFile: String?
        ) throws(MQTTError) {
            self.init(host: url.host, port: url.port, clientID: clientID)
            tls = url.tls
            self.caFile = caFile
            self.username = username
            if let passwordFile {
                guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                    throw .setup("--mqtt-password-file \(passwordFile): cannot read it")
                }
                password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            }
        }
    }

    public let options: Options
    /// Client thread: a message arrived (the payload is valid only during the call).
    public var onMessage: ((_ topic: String, _ payload: UnsafeRawBufferPointer) -> Void)?
    /// Client thread: the broker accepted the connection (first or after a reconnect).
    public var onConnect: (() -> Void)?
    /// Client thread: the connection was lost or refused (the reason); reconnecting follows.
    public var onDisconnect: ((String) -> Void)?
    /// Client thread: after every pass of the loop (at least every 100 ms).
    public var onIdle: (() -> Void)?

    private let mosq: OpaquePointer
    private let running = Atomic<Bool>(false)
    private let connectedFlag = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// Whether the broker has accepted the current connection.
    public var isConnected: Bool { connectedFlag.load(ordering: .acquiring) }

    public init(_ options: Options) throws(MQTTError) {
        MQTTClient.initLibrary
        self.options = options
        guard let m = mosquitto_new(options.clientID, true, nil) else {
            throw .setup("mosquitto_new: \(String(cString: strerror(errno)))")
        }
        mosq = m
        mosquitto_user_data_set(m, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_threaded_set(m, true)
        mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, Int32(MQTT_PROTOCOL_V311))
        // Small messages go out at once: with Nagle's algorithm a reading waits for the ACK of
        // the previous segment (tens of ms with delayed ACKs).
        mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1)
        if options.username != nil || options.password != nil {
            try check(mosquitto_username_pw_set(m, options.username, options.password), "credentials")
        }
        if options.tls || options.caFile != nil {
            let caPath = options.caFile == nil ? "/etc/ssl/certs" : nil
            try check(
                mosquitto_tls_set(m, options.caFile, caPath, nil, nil, nil), "TLS CA \(options.caFile ?? caPath!)")
        }
        if let will = options.will {
            let rc = will.payload.withUnsafeBytes { raw in
                mosquitto_will_set(m, will.topic, Int32(raw.count), raw.baseAddress, 1, will.retain)
            }
            try check(rc, "last will")
        }
        mosquitto_connect_callback_set(m, onConnectC)
        mosquitto_disconnect_callback_set(m, onDisconnectC)
        mosquitto_message_callback_set(m, onMessageC)
    }

    deinit {
        mosquitto_destroy(mosq)
    }

    private static let initLibrary: Void = { mosquitto_lib_init() }()

    private func check(_ rc: Int32, _ what: String) throws(MQTTError) {
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw .setup("\(what): \(Self.describe(rc))") }
    }

    static func describe(_ rc: Int32) -> String {
        if rc == MOSQ_ERR_ERRNO.rawValue { return String(cString: strerror(errno)) }
        return String(cString: mosquitto_strerror(rc))
    }

    /// Starts the client thread (connects, then keeps the connection).
    public func start() {
        running.store(true, ordering: .releasing)
        let t = Thread { [self] in run() }
        t.name = "fluxion-mqtt"
        thread = t
        t.start()
    }

    /// Disconnects and waits for the client thread to end.
    public func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        stopped.wait()
    }

    /// Subscribes to `filter` (call from `onConnect`).
    public func subscribe(_ filter: String, qos: Int32 = 0) {
        mosquitto_subscribe(mosq, nil, filter, qos)
    }

    /// Queues a message; false when it could not be queued (not connected, too large).
    @discardableResult
    public func publish(_ topic: String, _ payload: [UInt8], qos: Int32 = 0, retain: Bool = false) -> Bool {
        let rc = payload.withUnsafeBytes { raw in
            mosquitto_publish(mosq, nil, topic, Int32(raw.count), raw.baseAddress, qos, retain)
        }
        return rc == MOSQ_ERR_SUCCESS.rawValue
    }

    // MARK: The client thread

    private func run() {
        var socketUp = false
        var everConnected = false
        var delayS = 0.1
        var lastFailure = ""
        while running.load(ordering: .acquiring) {
            if !socketUp {
                let rc =
                    everConnected
                    ? mosquitto_reconnect(mosq)
                    : mosquitto_connect(mosq, options.host, Int32(options.port), Int32(options.keepAliveS))
                if rc != MOSQ_ERR_SUCCESS.rawValue {
                    let reason = "cannot connect to \(options.host):\(options.port): \(Self.describe(rc))"
                    if reason != lastFailure { onDisconnect?(reason) }
                    lastFailure = reason
                    onIdle?()
                    pause(delayS)
                    delayS = min(delayS * 2, options.maxReconnectDelayS)
                    continue
                }
                everConnected = true
                socketUp = true
            }
            let rc = mosquitto_loop(mosq, 100, 1)
            if rc != MOSQ_ERR_SUCCESS.rawValue {
                socketUp = false
                if connectedFlag.exchange(false, ordering: .acquiringAndReleasing) {
                    let reason = "connection to \(options.host):\(options.port) lost: \(Self.describe(rc))"
                    lastFailure = reason
                    onDisconnect?(reason)
                } else {
                    // Closed before the broker accepted it (refused: credentials, TLS): back off
                    // as for a failed connect, or the retries would spin.
                    onIdle?()
                    pause(delayS)
                    delayS = min(delayS * 2, options.maxReconnectDelayS)
                }
            } else if connectedFlag.load(ordering: .acquiring) {
                delayS = 0.1
                lastFailure = ""
            }
            onIdle?()
        }
        if socketUp {
            // What publish queued goes out before the DISCONNECT (at most ~2 s).
            var passes = 0
            while connectedFlag.load(ordering: .acquiring), mosquitto_want_write(mosq), passes < 40 {
                if mosquitto_loop(mosq, 50, 1) != MOSQ_ERR_SUCCESS.rawValue { break }
                passes += 1
            }
            mosquitto_disconnect(mosq)
            _ = mosquitto_loop(mosq, 50, 1)
        }
        connectedFlag.store(false, ordering: .releasing)
        stopped.signal()
    }

    /// Sleeps `seconds`, waking early when stopped.
    private func pause(_ seconds: Double) {
        var left = seconds
        while left > 0, running.load(ordering: .acquiring) {
            usleep(UInt32(min(left, 0.05) * 1e6))
            left -= 0.05
        }
    }

    /// Client thread: the last refusal reported.
    private var lastRefusal = ""

    fileprivate func connected(_ rc: Int32) {
        if rc == 0 {
            lastRefusal = ""
            connectedFlag.store(true, ordering: .releasing)
            onConnect?()
        } else {
            let reason =
                "broker \(options.host):\(options.port) refused the connection: \(String(cString: mosquitto_connack_string(rc)))"
            // Reported once until something else happens (the retries go on, with backoff).
            if reason != lastRefusal { onDisconnect?(reason) }
            lastRefusal = reason
            mosquitto_disconnect(mosq)
        }
    }

    fileprivate func disconnected(_ rc: Int32) {
        guard rc != 0, connectedFlag.exchange(false, ordering: .acquiringAndReleasing) else { return }
        onDisconnect?("connection to \(options.host):\(options.port) lost: \(Self.describe(rc))")
    }

    fileprivate func received(_ message: UnsafePointer<mosquitto_message>) {
        guard let onMessage, let topic = message.pointee.topic else { return }
        let payload = UnsafeRawBufferPointer(start: message.pointee.payload, count: Int(message.pointee.payloadlen))
        onMessage(String(cString: topic), payload)
    }
}

private func client(_ data: UnsafeMutableRawPointer?) -> MQTTClient {
    Unmanaged<MQTTClient>.fromOpaque(data!).takeUnretainedValue()
}

private let onConnectC: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = { _, data, rc in
    client(data).connected(rc)
}

private let onDisconnectC: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = {
    _, data, rc in
    client(data).disconnected(rc)
}

private let onMessageC:
    @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafePointer<mosquitto_message>?) -> Void = {
        _, data, message in
        guard let message else { return }
        client(data).received(message)
    }
