import FluxionWire

/// What fluxiond listens on and the limits it enforces on every connection.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    /// 0 picks a free port; the bound port is reported by `Server.start()`.
    public var port: Int = 7400
    /// Largest frame body accepted (the length prefix value), bytes. Default 4 MiB, as gRPC.
    public var maxFrameBytes: Int = FrameDecoder.defaultMaxFrameBytes
    /// Largest number of calls open at once on one connection.
    public var maxConcurrentCalls: Int = 256
    /// A connection with no open call that sends nothing for this long is closed, ms.
    public var idleTimeoutMs: Int = 300_000
    /// Above this many bytes queued for a client, the server stops reading that client's
    /// requests until the backlog falls below `resumeReadingBytes`.
    public var pauseReadingBytes: Int = 4 * 1024 * 1024
    public var resumeReadingBytes: Int = 1024 * 1024
    /// Above this many bytes queued for a client, streaming calls skip messages (see
    /// `ServerCall.send`); their own policy decides what to do next.
    public var streamBacklogBytes: Int = 8 * 1024 * 1024
    /// Bytes of partial frames all connections together may hold: past it, a connection whose
    /// next read would add to a partial frame over 64 KiB gets GOAWAY RESOURCE_EXHAUSTED.
    public var maxBufferedFrameBytes: Int = 64 * 1024 * 1024
    /// Metadata a request may carry (entries, bytes); see `WireLimits`.
    public var envelopeLimits = WireLimits.Envelope()
    /// SO_SNDBUF for accepted connections (nil: the kernel's default). Small values make
    /// backpressure visible quickly (tests).
    public var socketSendBufferBytes: Int?
    /// How long a graceful shutdown waits for clients to take their last frames, ms.
    public var shutdownGraceMs: Int = 3_000
    /// Install SIGTERM/SIGINT handlers that shut the server down (off for in-process tests).
    public var handleSignals = true
    public var serverName: String = "fluxiond"
    public var serverVersion: String = FluxionVersion.string

    public init() {}
}

/// The version of this build of Fluxion.
public enum FluxionVersion {
    public static let string = "0.1.0"
}
