import CLibUV
import FluxionTLS
import FluxionWire

#if canImport(Glibc)
    import Glibc
#endif

/// TLS on a connection: ciphertext from the socket goes through the session into the frame path
/// (`received`), and every block the write path submits is encrypted into a block of records.
/// The loop thread does it all; the socket stays libuv's.
///
/// ```
///  socket ─► receivedFromSocket ─► TLSSession.receive ─► received (preface, frames)
///  submit(frames) ─► TLSSession.send ─► takeOutput ─► submitToSocket ─► socket
/// ```
extension Connection {
    func receivedFromSocket(_ bytes: UnsafeRawBufferPointer) {
        guard let tls else { return received(bytes) }
        guard state == .open || state == .awaitingPreface else { return }
        lastActivityMs = server.loop.nowMs
        if !tls.isHandshakeComplete, bytes.starts(with: Preface.magic) {
            // A plaintext client on a TLS port: say so in its own language, then close.
            logger.info("plaintext client \(peer) on a TLS port: refused")
            tlsRefusal(Array("fluxiond: this port speaks TLS; connect with TLS (fluxion --tls)\n".utf8))
            return
        }
        let plain: [UInt8]
        do throws(TLSError) {
            plain = try tls.receive(bytes)
        } catch {
            logger.info("TLS from \(peer): \(error)")
            flushTLS()
            close(graceful: false)
            return
        }
        flushTLS()
        if !plain.isEmpty { plain.withUnsafeBytes { received($0) } }
    }

    /// Encrypts one block of frames (freed here) and queues its records.
    func encryptAndSubmit(_ block: UnsafeMutableRawPointer, _ count: Int) {
        defer { free(block) }
        do throws(TLSError) {
            try tls?.send(UnsafeRawBufferPointer(start: block + writeHeaderBytes, count: count))
        } catch {
            logger.info("TLS to \(peer): \(error)")
            close(graceful: false)
            return
        }
        flushTLS()
    }

    /// Queues whatever ciphertext the session has produced (handshake, records, alerts).
    func flushTLS() {
        guard let tls, tls.pendingOutput > 0 else { return }
        var block: UnsafeMutableRawPointer?
        let n = tls.takeOutput { n in
            block = malloc(writeHeaderBytes + n)
            return block! + writeHeaderBytes
        }
        if let block {
            if n > 0 { submitToSocket(block, n) } else { free(block) }
        }
    }

    /// Before a graceful close: close_notify, so the peer knows the stream ended on purpose.
    func closeTLS() {
        guard let tls else { return }
        tls.close()
        flushTLS()
    }

    private func tlsRefusal(_ text: [UInt8]) {
        let block = malloc(writeHeaderBytes + text.count)!
        text.withUnsafeBytes { (block + writeHeaderBytes).copyMemory(from: $0.baseAddress!, byteCount: text.count) }
        tls = nil  // the refusal goes out as it is, and so does the shutdown
        submitToSocket(block, text.count)
        close(graceful: true)
    }
}
