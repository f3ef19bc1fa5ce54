"""One Fluxion connection: handshake, a reader thread that routes frames by call id, calls."""
from __future__ import annotations

import itertools
import os
import queue
import re
import socket
import ssl
import threading
import time
from typing import Generic, Optional, Self, Sequence, Tuple, Type, TypeVar, Union

from google.protobuf.message import Message

from .errors import FluxionError, StatusCode
from .pb import wire_pb2
from .wire import DEFAULT_MAX_RECEIVE_BYTES, MAGIC, PREFACE, FrameDecoder, encode_frame, full_method

T = TypeVar("T", bound=Message)
Request = Union[Message, bytes]  # bytes: sent as the payload unchanged (tests, foreign encoders)
Metadata = Sequence[Tuple[str, str]]

K = wire_pb2.FrameKind

TOKEN_ENV = "FLUXION_TOKEN"        # read when neither token nor token_file is given
AUTHORIZATION = "authorization"    # the metadata key of the credential: "Bearer <token>"
SERVER_LINE = b"fluxiond"          # a fluxiond refusing a connection sends one plaintext line starting so
MAX_SERVER_LINE = 512              # bytes of such a line we read and show


class _Secret:
    """Holds a credential so that repr(), str(), vars() and tracebacks show '<redacted>', never the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<redacted>"

    __str__ = __repr__


def resolve_token(token: Optional[str] = None, token_file: Optional[str] = None) -> Optional[str]:
    """The bearer token a connection sends, or None for none.

    - `token` given: that token, surrounding whitespace stripped; "" means none (FLUXION_TOKEN is then
      not consulted, so token="" turns an inherited variable off).
    - `token_file` given: the file's content, whitespace stripped (like the CLI's --token-file); an
      empty file raises ValueError, an unreadable one OSError.
    - neither: the environment variable FLUXION_TOKEN, stripped; unset or empty means none.

    Giving both `token` and `token_file` raises ValueError. A token containing whitespace or control
    characters raises ValueError. No error message contains the token.
    """
    if token is not None and token_file is not None:
        raise ValueError("give token or token_file, not both")
    if token is not None:
        value, source = token.strip(), "the token argument"
    elif token_file is not None:
        with open(token_file, encoding="utf-8") as f:
            value, source = f.read().strip(), f"token file {token_file}"
        if not value:
            raise ValueError(f"{source} is empty")
    else:
        value, source = os.environ.get(TOKEN_ENV, "").strip(), f"${TOKEN_ENV}"
    if not value:
        return None
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError(f"{source}: a token cannot contain whitespace or control characters")
    return value


def tls_context(tls: Union[bool, ssl.SSLContext] = False, ca_file: Optional[str] = None) -> Optional[ssl.SSLContext]:
    """The SSLContext a connection uses, or None for plaintext.

    - `tls` an `ssl.SSLContext`: that context, as given (`ca_file` must then be None: load it into the context).
    - `tls=True` or a `ca_file`: `ssl.create_default_context(cafile=ca_file)`, which verifies the server's
      certificate and its host name (TLS 1.2 or later); without `ca_file` the system's CA store is used.
      TLS 1.2 renegotiation is turned off (`ssl.OP_NO_RENEGOTIATION`).
    - neither: None (plaintext).

    An unreadable `ca_file` raises OSError, one with no certificate in it ssl.SSLError.
    """
    if isinstance(tls, ssl.SSLContext):
        if ca_file is not None:
            raise ValueError("ca_file cannot be combined with an SSLContext: load it into the context")
        return tls
    if not isinstance(tls, bool):
        raise TypeError(f"tls must be a bool or an ssl.SSLContext, not {type(tls).__name__}")
    if not tls and ca_file is None:
        return None
    context = ssl.create_default_context(cafile=ca_file)
    # TLS 1.2 renegotiation (fluxiond never asks for it; TLS 1.3 has none) would make a sender's write
    # wait for the reader thread; refused, a server's request gets a no_renegotiation alert.
    context.options |= ssl.OP_NO_RENEGOTIATION
    return context


def _ssl_text(e: ssl.SSLError) -> str:
    """OpenSSL's words for an SSLError, without Python's source location."""
    text = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], str) else str(e)
    return re.sub(r" \(_ssl\.c:\d+\)$", "", text)


def _printable(line: bytes) -> str:
    """A line the server sent, decoded for an error message (control characters replaced)."""
    text = line.decode("utf-8", "replace").rstrip("\r\n")
    return "".join(c if c.isprintable() else "?" for c in text)


class _Call:
    """A call's inbox. The reader thread puts ('msg', payload) and finally ('end', code, text, payload)."""

    def __init__(self, call_id: int) -> None:
        self.call_id = call_id
        self.inbox: "queue.Queue[tuple]" = queue.Queue()


class _Pong:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.answered = False


class ResponseStream(Generic[T]):
    """Iterator over the messages of a server-streaming call. Ends at END OK; raises FluxionError otherwise.

    `timeout` (seconds) is a deadline for the whole stream. `cancel()` sends CANCEL; iterating after it
    raises FluxionError(CANCELLED). Usable as a context manager that cancels an unfinished stream.
    """

    def __init__(self, conn: "BaseConnection", call: _Call, response_type: Type[T], deadline: Optional[float]) -> None:
        self._conn = conn
        self._call = call
        self._type = response_type
        self._deadline = deadline
        self._done: Optional[FluxionError] = None  # the error it ended with (or cancel)
        self._finished_ok = False

    @property
    def call_id(self) -> int:
        return self._call.call_id

    def __iter__(self) -> "ResponseStream[T]":
        return self

    def __next__(self) -> T:
        if self._finished_ok:
            raise StopIteration
        if self._done is not None:
            raise self._done
        item = self._conn._wait(self._call, self._deadline)
        if item[0] == "msg":
            return self._type.FromString(item[1])
        _, code, text, _payload = item
        if code == StatusCode.OK:
            self._finished_ok = True
            raise StopIteration
        self._done = FluxionError(code, text)
        raise self._done

    def cancel(self) -> None:
        if self._finished_ok or self._done is not None:
            return
        self._done = FluxionError(StatusCode.CANCELLED, "cancelled by client")
        self._conn._abandon(self._call)
        # Wakes a thread blocked in __next__ (the reader will never END this call for us now).
        self._call.inbox.put(("end", StatusCode.CANCELLED, "cancelled by client", b""))

    def __enter__(self) -> "ResponseStream[T]":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


class BaseConnection:
    """A thread-safe client connection to fluxiond.

    Many threads may call at once; one reader thread demultiplexes the server's frames by call id.
    `timeout` bounds connecting and the handshake, and is the default deadline of calls (None: no deadline).

    Authentication: `token` (or the content of `token_file`, or else the environment variable
    FLUXION_TOKEN; see `resolve_token`) is sent on every REQUEST frame as the metadata entry
    `authorization: Bearer <token>`. A call's own `authorization` entry (key compared case-insensitively)
    replaces it for that call; its other metadata entries are sent as well. The token is checked
    before connecting and never appears in repr(), logs or error messages of the client.

    TLS: `tls=True` (or a `ca_file`, which implies it) wraps the connection in TLS with
    `ssl.create_default_context(cafile=ca_file)`, verifying the server's certificate against `host` (a
    host name or an IP address); `tls=` an `ssl.SSLContext` uses that context (see `tls_context`). The
    TLS handshake is done in the constructor, within `timeout`, before the Fluxion preface. A
    certificate that does not verify, or a server that does not speak TLS, raises
    FluxionError(UNAVAILABLE) naming the server's address.

    The TLS state is an `ssl.SSLObject` over memory BIOs, never an `ssl.SSLSocket` shared between
    threads: the reader thread receives raw bytes and decrypts them, senders encrypt under the send
    lock and send the records themselves; `_tls_lock` guards the SSLObject and its BIOs. Lock order:
    `_send_lock`, then `_tls_lock`; ciphertext is taken out of the outgoing BIO only while holding
    `_send_lock` and sent before it is released, so TLS records go out in the order they were made.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 7400,
        timeout: Optional[float] = 10.0,
        max_receive_bytes: Optional[int] = None,
        *,
        token: Optional[str] = None,
        token_file: Optional[str] = None,
        tls: Union[bool, ssl.SSLContext] = False,
        ca_file: Optional[str] = None,
    ) -> None:
        resolved = resolve_token(token, token_file)
        self._authorization: Optional[_Secret] = None if resolved is None else _Secret(f"Bearer {resolved}")
        context = tls_context(tls, ca_file)
        self._peer = f"{host}:{port}"
        self.timeout = timeout
        self._lock = threading.Lock()        # guards _calls, _pings, _error
        self._send_lock = threading.Lock()   # one frame at a time on the socket
        self._calls: dict[int, _Call] = {}
        self._pings: dict[bytes, _Pong] = {}
        self._ids = itertools.count(1)       # ids are never reused, so a late END cannot hit a new call
        self._error: Optional[FluxionError] = None  # set when the connection is finished
        # TLS only: the SSLObject and its two BIOs, guarded by _tls_lock (see the class docstring).
        self._tls: Optional[ssl.SSLObject] = None
        self._tls_in = ssl.MemoryBIO()       # ciphertext received, for the SSLObject to decrypt
        self._tls_out = ssl.MemoryBIO()      # ciphertext the SSLObject made, to be sent
        self._tls_lock = threading.Lock()
        self._tls_eof = False                # the server's close_notify was read
        self._tls_failed: Optional[ssl.SSLError] = None  # reading failed (raised once the data before it is out)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise FluxionError(StatusCode.UNAVAILABLE, f"cannot connect to {host}:{port}: {e}") from e
        try:
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if context is not None:
                self._tls = context.wrap_bio(self._tls_in, self._tls_out, server_hostname=host)
                self._tls_handshake(deadline)
                self._sock.settimeout(timeout)
            self.server_hello, first = self._handshake(max_receive_bytes)
        except BaseException:
            self._sock.close()
            raise
        self._sock.settimeout(None)
        self._reader = threading.Thread(target=self._read_loop, args=(first,), name="fluxion-reader", daemon=True)
        self._reader.start()

    # ---- transport: plaintext or TLS ---------------------------------------------------------------

    def _recv_some(self) -> bytes:
        """The next bytes from the server (decrypted with TLS); b"" when it has closed the connection.

        Only one thread receives at a time (the constructor, then the reader thread).
        """
        tls = self._tls
        if tls is None:
            return self._sock.recv(65536)
        while True:
            chunks = []
            with self._tls_lock:
                while not self._tls_eof and self._tls_failed is None:
                    try:
                        chunk = tls.read(65536)
                    except ssl.SSLWantReadError:
                        break
                    except ssl.SSLZeroReturnError:  # close_notify (after ours)
                        self._tls_eof = True
                        break
                    except ssl.SSLError as e:  # a record that does not decrypt, a fatal alert, ...
                        self._tls_failed = e
                        break
                    if not chunk:  # close_notify: the server closed cleanly
                        self._tls_eof = True
                        break
                    chunks.append(chunk)
                made = self._tls_out.pending
            if made:  # what reading made (an answer to the server, an alert): sent in order with the rest
                try:
                    self._flush_tls()
                except OSError:
                    if self._tls_failed is None:
                        raise
            data = b"".join(chunks)
            if data or self._tls_eof:
                return data
            if self._tls_failed is not None:  # after the data decrypted before it
                raise self._tls_failed
            raw = self._sock.recv(65536)
            if not raw:
                return b""
            with self._tls_lock:
                self._tls_in.write(raw)

    def _flush_tls(self) -> None:
        """Sends the ciphertext the SSLObject made outside a send (taken and sent under the send lock)."""
        with self._send_lock:
            with self._tls_lock:
                data = self._tls_out.read()
            if data:
                self._sock.sendall(data)

    def _send_bytes(self, data: bytes) -> None:
        """Sends `data` (encrypted with TLS); the caller holds _send_lock."""
        tls = self._tls
        if tls is None:
            self._sock.sendall(data)
            return
        with self._tls_lock:
            view = memoryview(data)
            while view:
                view = view[tls.write(view):]
            records = self._tls_out.read()
        self._sock.sendall(records)

    def _tls_handshake(self, deadline: Optional[float]) -> None:
        """Runs the TLS handshake (before the reader thread exists), within `deadline`."""
        tls = self._tls
        assert tls is not None
        received = bytearray()  # the first bytes the server sent, to explain a failure
        while True:
            try:
                tls.do_handshake()
                done = True
            except ssl.SSLWantReadError:
                done = False
            except ssl.SSLCertVerificationError as e:
                self._send_alert()
                reason = e.verify_message or e.reason or str(e)
                raise FluxionError(StatusCode.UNAVAILABLE, f"TLS handshake with {self._peer} failed: certificate verify failed: {reason}") from e
            except ssl.SSLError as e:
                self._send_alert()
                raise self._tls_failure(_ssl_text(e), received) from e
            data = self._tls_out.read()
            try:
                if data:
                    self._sock.sendall(data)
                if done:
                    return
                if deadline is not None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise socket.timeout
                    self._sock.settimeout(remaining)
                raw = self._sock.recv(65536)
            except socket.timeout as e:
                raise FluxionError(StatusCode.DEADLINE_EXCEEDED, f"timed out in the TLS handshake with {self._peer}") from e
            except OSError as e:
                raise self._tls_failure(str(e), received) from e
            if not raw:
                raise self._tls_failure("the server closed the connection", received)
            if len(received) < MAX_SERVER_LINE:
                received += raw[: MAX_SERVER_LINE - len(received)]
            self._tls_in.write(raw)

    def _send_alert(self) -> None:
        """Best effort: sends the TLS alert a failed handshake made, so the server learns why."""
        try:
            data = self._tls_out.read()
            if data:
                self._sock.send(data, socket.MSG_DONTWAIT)
        except OSError:
            pass

    def _tls_failure(self, reason: str, received: bytearray) -> FluxionError:
        """The error of a failed TLS handshake; says so when the server answered in plaintext."""
        if received and received[0] not in range(20, 25):  # not a TLS record type: not a TLS server
            if bytes(received[: len(MAGIC)]) == MAGIC:
                said = "a plaintext Fluxion preface"
            else:
                said = repr(_printable(self._read_line(received)))
            return FluxionError(
                StatusCode.UNAVAILABLE,
                f"TLS handshake with {self._peer} failed: the server does not speak TLS (connect without tls); it sent {said}",
            )
        return FluxionError(StatusCode.UNAVAILABLE, f"TLS handshake with {self._peer} failed: {reason}")

    def _read_line(self, buf: bytearray) -> bytes:
        """`buf` and what follows from the raw socket, up to a newline, MAX_SERVER_LINE bytes or the end.

        The server sends such a line at once and closes, so this waits at most a second for the rest.
        """
        self._sock.settimeout(min(1.0, self._sock.gettimeout() or 1.0))
        while b"\n" not in buf and len(buf) < MAX_SERVER_LINE:
            try:
                chunk = self._sock.recv(MAX_SERVER_LINE - len(buf))
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
        return bytes(buf[:MAX_SERVER_LINE]).split(b"\n", 1)[0]

    # ---- handshake -------------------------------------------------------------------------------

    def _recv_exact(self, n: int, buf: bytearray) -> None:
        while len(buf) < n:
            try:
                chunk = self._recv_some()
            except socket.timeout as e:
                raise FluxionError(StatusCode.DEADLINE_EXCEEDED, "timed out waiting for the server's handshake") from e
            except OSError as e:
                raise FluxionError(StatusCode.UNAVAILABLE, f"handshake failed: {e}") from e
            if not chunk:
                raise FluxionError(StatusCode.UNAVAILABLE, "server closed the connection during the handshake")
            buf += chunk

    def _handshake(self, max_receive_bytes: Optional[int]) -> Tuple[wire_pb2.ServerHello, bytes]:
        with self._send_lock:
            self._send_bytes(PREFACE)
        buf = bytearray()
        self._recv_exact(8, buf)
        if bytes(buf[:7]) != MAGIC:
            if self._tls is None and bytes(buf).startswith(SERVER_LINE):
                # fluxiond refusing us in one line, e.g. "fluxiond: this port speaks TLS; ...".
                line = _printable(self._read_line(buf))
                hint = " (with this client: tls=True or ca_file=...)" if "TLS" in line else ""
                raise FluxionError(StatusCode.UNAVAILABLE, f"server {self._peer} refused the connection: {line}{hint}")
            if self._tls is None and buf[0] == 0x15 and buf[1] == 3:  # a TLS alert record
                raise FluxionError(StatusCode.UNAVAILABLE, f"not a Fluxion server: preface {bytes(buf[:8])!r} (a TLS alert: connect with tls=True?)")
            raise FluxionError(StatusCode.UNAVAILABLE, f"not a Fluxion server: preface {bytes(buf[:8])!r}")
        limit = max_receive_bytes or DEFAULT_MAX_RECEIVE_BYTES
        decoder = FrameDecoder(limit)
        rest = bytes(buf[8:])
        while True:
            frames = list(decoder.feed(rest))
            if frames:
                break
            more = bytearray()
            self._recv_exact(1, more)
            rest = bytes(more)
        first = frames[0]
        if first.kind == K.FRAME_KIND_GOAWAY:  # e.g. FAILED_PRECONDITION: version refused
            raise FluxionError(StatusCode.from_wire(first.status), first.status_message)
        if first.kind != K.FRAME_KIND_HELLO:
            raise FluxionError(StatusCode.INTERNAL, f"expected HELLO, got frame kind {first.kind}")
        if buf[7] != PREFACE[7]:
            raise FluxionError(StatusCode.FAILED_PRECONDITION, f"server speaks protocol version {buf[7]}")
        hello = wire_pb2.ServerHello.FromString(first.payload)
        if not max_receive_bytes:
            decoder.max_frame_bytes = max(limit, hello.max_frame_bytes)
        self._decoder = decoder
        # Frames that arrived with HELLO are re-encoded for the reader loop to route.
        return hello, b"".join(encode_frame(f) for f in frames[1:])

    # ---- reader thread ---------------------------------------------------------------------------

    def _read_loop(self, pending: bytes) -> None:
        error = FluxionError(StatusCode.UNAVAILABLE, "server closed the connection")
        data = pending
        try:
            while True:
                for env in self._decoder.feed(data):
                    goaway = self._route(env)
                    if goaway is not None:
                        error = goaway
                data = self._recv_some()
                if not data:
                    break
        except FluxionError as e:
            error = e
        except ssl.SSLError as e:
            error = FluxionError(StatusCode.UNAVAILABLE, f"connection lost: TLS: {_ssl_text(e)}")
        except OSError as e:
            error = FluxionError(StatusCode.UNAVAILABLE, f"connection lost: {e}")
        self._finish(error)

    def _route(self, env: wire_pb2.Envelope) -> Optional[FluxionError]:
        kind = env.kind
        if kind == K.FRAME_KIND_MESSAGE or kind == K.FRAME_KIND_END:
            with self._lock:
                call = self._calls.get(env.call_id)
                if call is not None and kind == K.FRAME_KIND_END:
                    del self._calls[env.call_id]
            if call is None:
                return None  # a call we abandoned (cancel, deadline): its late frames are dropped
            if kind == K.FRAME_KIND_MESSAGE:
                call.inbox.put(("msg", env.payload))
            else:
                call.inbox.put(("end", StatusCode.from_wire(env.status), env.status_message, env.payload))
        elif kind == K.FRAME_KIND_PING:
            self._send(wire_pb2.Envelope(kind=K.FRAME_KIND_PONG, payload=env.payload), check=False)
        elif kind == K.FRAME_KIND_PONG:
            with self._lock:
                pong = self._pings.pop(env.payload, None)
            if pong is not None:
                pong.answered = True
                pong.event.set()
        elif kind == K.FRAME_KIND_GOAWAY:
            # The server closes after GOAWAY; remember why, so pending and later calls report it.
            err = FluxionError(StatusCode.from_wire(env.status), env.status_message)
            with self._lock:
                if self._error is None:
                    self._error = err
            return err
        return None  # HELLO again or unknown kinds: ignored

    def _finish(self, error: FluxionError) -> None:
        """Fails every pending call and ping with `error` (or the first error recorded)."""
        with self._lock:
            if self._error is None:
                self._error = error
            error = self._error
            calls, self._calls = self._calls, {}
            pings, self._pings = self._pings, {}
        for call in calls.values():
            call.inbox.put(("end", error.code, error.message, b""))
        for pong in pings.values():
            pong.event.set()
        try:
            self._sock.close()
        except OSError:
            pass

    # ---- sending and waiting ---------------------------------------------------------------------

    def _send(self, env: wire_pb2.Envelope, check: bool = True) -> None:
        frame = encode_frame(env)
        limit = self.server_hello.max_frame_bytes
        if check and limit and len(frame) - 4 > limit:
            # Sending it would make the server GOAWAY the whole connection (§3); fail only this call.
            raise FluxionError(StatusCode.RESOURCE_EXHAUSTED, f"frame of {len(frame) - 4} bytes exceeds the server's limit of {limit} bytes")
        try:
            with self._send_lock:
                self._send_bytes(frame)
        except OSError as e:
            if check:
                with self._lock:
                    err = self._error
                raise err or FluxionError(StatusCode.UNAVAILABLE, f"send failed: {e}") from e

    def _deadline(self, timeout: Optional[float]) -> Optional[float]:
        t = self.timeout if timeout is None else timeout
        return None if t is None else time.monotonic() + t

    def _start(self, method: str, request: Request, metadata: Optional[Metadata]) -> _Call:
        payload = request if isinstance(request, (bytes, bytearray)) else request.SerializeToString()
        with self._lock:
            if self._error is not None:
                raise self._error
            call = _Call(next(self._ids))
            self._calls[call.call_id] = call
        env = wire_pb2.Envelope(call_id=call.call_id, kind=K.FRAME_KIND_REQUEST, method=full_method(method), payload=bytes(payload))
        for key, value in metadata or ():
            env.metadata.add(key=key, value=value)
        if self._authorization is not None and not any(e.key.lower() == AUTHORIZATION for e in env.metadata):
            env.metadata.add(key=AUTHORIZATION, value=self._authorization.reveal())
        try:
            self._send(env)
        except FluxionError:
            with self._lock:
                self._calls.pop(call.call_id, None)
            raise
        return call

    def _abandon(self, call: _Call) -> None:
        """Stops waiting for `call` and asks the server to stop it (its END(CANCELLED) is dropped)."""
        with self._lock:
            still_open = self._calls.pop(call.call_id, None) is not None
        if still_open:
            self._send(wire_pb2.Envelope(call_id=call.call_id, kind=K.FRAME_KIND_CANCEL), check=False)

    def _wait(self, call: _Call, deadline: Optional[float]) -> tuple:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            return call.inbox.get(timeout=remaining)
        except queue.Empty:
            self._abandon(call)
            raise FluxionError(StatusCode.DEADLINE_EXCEEDED, f"call {call.call_id} exceeded its deadline") from None

    # ---- public API ------------------------------------------------------------------------------

    @property
    def has_token(self) -> bool:
        """Whether this connection sends a bearer token on its calls (the token itself is not exposed)."""
        return self._authorization is not None

    @property
    def tls_version(self) -> Optional[str]:
        """The TLS version in use ("TLSv1.3", "TLSv1.2"), or None on a plaintext connection."""
        tls = getattr(self, "_tls", None)
        if tls is None:
            return None
        with self._tls_lock:
            return tls.version()

    def __repr__(self) -> str:
        token = "set" if getattr(self, "_authorization", None) is not None else "none"
        tls = " tls" if getattr(self, "_tls", None) is not None else ""
        return f"<{type(self).__name__} {getattr(self, '_peer', '?')}{tls} token={token}>"

    def unary(
        self,
        method: str,
        request: Request,
        response_type: Type[T],
        timeout: Optional[float] = None,
        metadata: Optional[Metadata] = None,
    ) -> T:
        """Calls a unary method ('Health' or 'fluxion.v1.Fluxion/Health') and returns its decoded response."""
        call = self._start(method, request, metadata)
        item = self._wait(call, self._deadline(timeout))
        if item[0] != "end":  # MESSAGE on a unary call: the server broke the protocol
            self._abandon(call)
            raise FluxionError(StatusCode.INTERNAL, f"unexpected MESSAGE on unary call {call.call_id}")
        _, code, text, payload = item
        if code != StatusCode.OK:
            raise FluxionError(code, text)
        return response_type.FromString(payload)

    def stream(
        self,
        method: str,
        request: Request,
        response_type: Type[T],
        timeout: Optional[float] = None,
        metadata: Optional[Metadata] = None,
    ) -> ResponseStream[T]:
        """Opens a server-streaming call. Streams have no deadline unless `timeout` is given."""
        call = self._start(method, request, metadata)
        deadline = None if timeout is None else time.monotonic() + timeout
        return ResponseStream(self, call, response_type, deadline)

    def ping(self, timeout: Optional[float] = None) -> float:
        """Sends PING and waits for its PONG; returns the round trip in seconds."""
        payload = os.urandom(8)  # unique, so concurrent pings match their own PONG
        pong = _Pong()
        with self._lock:
            if self._error is not None:
                raise self._error
            self._pings[payload] = pong
        start = time.monotonic()
        self._send(wire_pb2.Envelope(kind=K.FRAME_KIND_PING, payload=payload))
        t = self.timeout if timeout is None else timeout
        if not pong.event.wait(t):
            with self._lock:
                self._pings.pop(payload, None)
            raise FluxionError(StatusCode.DEADLINE_EXCEEDED, "no PONG before the deadline")
        if not pong.answered:
            assert self._error is not None
            raise self._error
        return time.monotonic() - start

    def close(self) -> None:
        """Closes the connection; pending calls fail with CANCELLED."""
        with self._lock:
            if self._error is None:
                self._error = FluxionError(StatusCode.CANCELLED, "connection closed by client")
        if self._tls is not None:
            self._send_close_notify()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if threading.current_thread() is not self._reader:
            self._reader.join(5)

    def _send_close_notify(self) -> None:
        """Best effort, never blocking for long: ends the TLS session with close_notify."""
        if not self._send_lock.acquire(timeout=1):  # a sender is stuck on a full socket: skip it
            return
        try:
            with self._tls_lock:
                try:
                    self._tls.unwrap()  # type: ignore[union-attr]  # writes close_notify, then wants the server's
                except (ssl.SSLError, ValueError):
                    pass
                data = self._tls_out.read()
            if data:
                self._sock.send(data, socket.MSG_DONTWAIT)
        except OSError:
            pass
        finally:
            self._send_lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
