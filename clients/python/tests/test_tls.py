"""TLS: `fluxiond --tls-cert CERT --tls-key KEY` makes every connection TLS; the client connects with
`tls=True` / `ca_file=` / an `ssl.SSLContext`, verifying the certificate against the host it was given."""
from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import FakeServer, Server
from fluxion_client import Connection, FluxionError, StatusCode, service_pb2, twin_pb2, wire_pb2
from fluxion_client.connection import TOKEN_ENV
from fluxion_client.wire import PREFACE, encode_frame
from test_auth import leak_request, new_token, unused_port, write_tokens_file

LOCAL_SAN = "DNS:localhost,IP:127.0.0.1"


@dataclass
class Cert:
    cert: Path
    key: Path


def make_cert(directory: Path, name: str, san: str = LOCAL_SAN) -> Cert:
    """A self-signed P-256 certificate (valid one day) and its key, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make test certificates")
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    r = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
         "-subj", "/CN=fluxion-test", "-addext", f"subjectAltName={san}", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, text=True, timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return Cert(cert, key)


def start(tmp_path: Path, cert: Cert | None, *args: str) -> Server:
    """fluxiond with its own --data directory (so a TLS and a plaintext one can run side by side)."""
    data = tmp_path / f"data-{time.monotonic_ns()}"
    tls = ["--tls-cert", str(cert.cert), "--tls-key", str(cert.key)] if cert else []
    return Server("--data", str(data), *tls, *args)


@pytest.fixture(autouse=True)
def no_inherited_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)


@pytest.fixture
def cert(tmp_path: Path) -> Cert:
    return make_cert(tmp_path / "certs", "server")


@pytest.fixture
def tls_server(tmp_path: Path, cert: Cert) -> Iterator[Server]:
    s = start(tmp_path, cert, "--free-running")
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[Server]:
    s = start(tmp_path, None)
    try:
        yield s
    finally:
        s.stop()


def assert_serving(c: Connection) -> None:
    assert c.health().status == service_pb2.SERVING_STATUS_SERVING


# ---- working TLS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_health_over_tls_with_ca_file(tls_server: Server, cert: Cert, host: str) -> None:
    with Connection(host, tls_server.port, timeout=10, ca_file=str(cert.cert)) as c:
        assert c.tls_version in ("TLSv1.2", "TLSv1.3")
        assert repr(c) == f"<Connection {host}:{tls_server.port} tls token=none>"
        assert c.server_hello.server_name == "fluxiond"
        assert_serving(c)
        assert c.server_info().server_name == "fluxiond"
        assert 0 <= c.ping() < 5


def test_tls_true_with_ca_file_and_ssl_context_as_given(tls_server: Server, cert: Cert) -> None:
    with Connection("127.0.0.1", tls_server.port, timeout=10, tls=True, ca_file=str(cert.cert)) as c:
        assert_serving(c)
    context = ssl.create_default_context(cafile=str(cert.cert))
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    with Connection("localhost", tls_server.port, timeout=10, tls=context) as c:
        assert c.tls_version == "TLSv1.3"
        assert_serving(c)


def test_plaintext_connection_reports_no_tls(plain_server: Server) -> None:
    with Connection("127.0.0.1", plain_server.port, timeout=10) as c:
        assert c.tls_version is None
        assert repr(c) == f"<Connection 127.0.0.1:{plain_server.port} token=none>"
        assert_serving(c)


def test_stream_of_200_batches_while_another_thread_calls(tls_server: Server, cert: Cert) -> None:
    # The reader thread decrypts the stream while the other thread encrypts and sends its calls.
    stop = threading.Event()
    calls: list[str] = []
    errors: list[BaseException] = []

    def caller(c: Connection) -> None:
        try:
            while not stop.is_set() or len(calls) < 50:
                assert_serving(c)
                c.list_leaks()
                c.get_clock()
                c.ping()
                calls.append("ok")
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    with Connection("127.0.0.1", tls_server.port, timeout=10, ca_file=str(cert.cert)) as c:
        worker = threading.Thread(target=caller, args=(c,))
        worker.start()
        try:
            ticks = []
            with c.stream_readings(timeout=60) as s:
                for batch in s:
                    assert len(batch.readings) > 0
                    ticks.append(batch.tick)
                    if len(ticks) == 200:
                        break
        finally:
            stop.set()
            worker.join(60)
        assert not worker.is_alive()
        assert not errors, errors
        assert len(ticks) == 200 and ticks == sorted(ticks) and len(set(ticks)) == 200
        assert len(calls) >= 50
        # Leaving the with-block cancelled the stream; the connection goes on.
        assert c.health().open_calls == 1


def test_large_frames_span_many_tls_records(tls_server: Server, cert: Cert) -> None:
    # A 200 KB request (an unknown field, ignored by the server) is many 16 KB TLS records.
    big = service_pb2.HealthRequest().SerializeToString() + b"\x7a" + _varint(200_000) + b"x" * 200_000
    with Connection("127.0.0.1", tls_server.port, timeout=10, ca_file=str(cert.cert)) as c:
        for _ in range(3):
            assert c.unary("Health", big, service_pb2.HealthResponse).status == service_pb2.SERVING_STATUS_SERVING
        assert len(c.get_topology().SerializeToString()) > 0


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def test_tokens_work_inside_tls(tmp_path: Path, cert: Cert) -> None:
    operate, read = new_token(), new_token()
    tokens = write_tokens_file(tmp_path / "tokens", {"ops": ("operate", operate), "viewer": ("read", read)})
    s = start(tmp_path, cert, "--tokens", str(tokens))
    try:
        with Connection("127.0.0.1", s.port, timeout=10, ca_file=str(cert.cert)) as c:
            with pytest.raises(FluxionError) as e:
                c.inject_leak(leak_request())
            assert e.value.code == StatusCode.UNAUTHENTICATED
        with Connection("127.0.0.1", s.port, timeout=10, ca_file=str(cert.cert), token=read) as c:
            with pytest.raises(FluxionError) as e:
                c.inject_leak(leak_request())
            assert e.value.code == StatusCode.PERMISSION_DENIED
        with Connection("localhost", s.port, timeout=10, ca_file=str(cert.cert), token=operate) as c:
            assert repr(c) == f"<Connection localhost:{s.port} tls token=set>"
            leak = c.inject_leak(leak_request()).leak
            assert leak.pipe_id == "T2"
            assert leak.leak_id in {x.leak_id for x in c.list_leaks().leaks}
            c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=leak.leak_id))
    finally:
        s.stop()


def test_server_shutdown_fails_open_stream_with_unavailable(tls_server: Server, cert: Cert) -> None:
    with Connection("127.0.0.1", tls_server.port, timeout=10, ca_file=str(cert.cert)) as c:
        with c.stream_readings(timeout=30) as s:
            next(s)
            tls_server.stop()
            with pytest.raises(FluxionError) as e:
                while True:
                    next(s)
            assert e.value.code == StatusCode.UNAVAILABLE
        with pytest.raises(FluxionError) as e:
            c.health()
        assert e.value.code == StatusCode.UNAVAILABLE


# ---- TLS records the reader thread makes (against `openssl s_server`) ------------------------------


class SServer:
    """`openssl s_server -msg` standing in for fluxiond: what `to_client` writes to its stdin goes to the
    client (first the preface and HELLO), what the client sends comes out on its stdout together with
    a log of the TLS messages (`<<<` received, `>>>` sent). A line "K" on stdin sends a TLS 1.3
    KeyUpdate asking for one back, "r" a TLS 1.2 renegotiation request (HelloRequest)."""

    def __init__(self, cert: Cert, out: Path, version: str) -> None:
        self.out = out
        with open(out, "wb") as f:
            self.proc = subprocess.Popen(
                ["openssl", "s_server", "-accept", "0", "-naccept", "1", version, "-msg", "-cert", str(cert.cert), "-key", str(cert.key)],
                stdin=subprocess.PIPE, stdout=f, stderr=subprocess.STDOUT,
            )
        try:
            self.port = int(self.wait_for(rb"ACCEPT \S*:(\d+)").group(1))
            hello = wire_pb2.ServerHello(protocol_version=1, server_name="s_server", max_frame_bytes=1 << 20)
            self.to_client(PREFACE + encode_frame(wire_pb2.Envelope(kind=wire_pb2.FRAME_KIND_HELLO, payload=hello.SerializeToString())))
        except BaseException:
            self.stop()
            raise

    def output(self) -> bytes:
        return self.out.read_bytes()

    def wait_for(self, pattern: bytes) -> re.Match[bytes]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            m = re.search(pattern, self.output())
            if m:
                return m
            time.sleep(0.02)
        pytest.fail(f"s_server did not print {pattern!r}: {self.output()[-2000:]!r}")

    def to_client(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.wait(10)  # -naccept 1: it ends when the client has gone
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdin is not None:
            self.proc.stdin.close()


@pytest.fixture
def s_server_factory(cert: Cert, tmp_path: Path) -> Iterator[Callable[[str], SServer]]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed")
    started: list[SServer] = []

    def make(version: str) -> SServer:
        started.append(SServer(cert, tmp_path / f"s_server-{len(started)}.out", version))
        return started[-1]

    try:
        yield make
    finally:
        for s in started:
            if s.proc.poll() is None:
                s.proc.kill()
            s.stop()


def test_key_update_requested_by_server_is_answered_in_order(s_server_factory: Callable[[str], SServer], cert: Cert) -> None:
    # OpenSSL makes the answer to a KeyUpdate in the next write; with other threads sending calls all
    # the while, it must go out between their records, not inside them, or the server fails to
    # decrypt everything after it.
    server = s_server_factory("-tls1_3")
    stop = threading.Event()
    sent: list[int] = []
    errors: list[BaseException] = []

    def sender(c: Connection, first: int) -> None:
        try:
            i = first
            while not stop.is_set():
                c.stream("Health", b"req-%08d" % i, service_pb2.HealthResponse)  # sends a REQUEST, waits for nothing
                sent.append(i)
                i += 10
                time.sleep(0.001)
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    with Connection("localhost", server.port, timeout=10, ca_file=str(cert.cert)) as c:
        assert c.tls_version == "TLSv1.3" and c.server_hello.server_name == "s_server"
        threads = [threading.Thread(target=sender, args=(c, k)) for k in range(3)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.2)
            server.to_client(b"K\n")
            time.sleep(0.2)
            # The reader answers PING with PONG, after the KeyUpdate: under the new keys.
            server.to_client(encode_frame(wire_pb2.Envelope(kind=wire_pb2.FRAME_KIND_PING, payload=b"srv-ping")))
            server.wait_for(b"srv-ping")
        finally:
            stop.set()
            for t in threads:
                t.join(10)
    assert not errors, errors
    server.stop()
    text = server.output()
    assert len(re.findall(rb">>> TLS 1.3, Handshake \[length \d+\], KeyUpdate", text)) == 1
    assert len(re.findall(rb"<<< TLS 1.3, Handshake \[length \d+\], KeyUpdate", text)) == 1  # the answer
    assert b"close_notify" in text and b"bad record mac" not in text.lower()
    assert len(sent) > 100
    assert all(b"req-%08d" % i in text for i in sent)  # every call arrived and decrypted


def test_reader_thread_sends_what_reading_made(s_server_factory: Callable[[str], SServer], cert: Cert) -> None:
    # A TLS 1.2 renegotiation request, read while no thread is sending: the refusal (a no_renegotiation
    # alert) is made inside the reader thread's read(), which has to send it itself.
    server = s_server_factory("-tls1_2")
    with Connection("localhost", server.port, timeout=10, ca_file=str(cert.cert)) as c:
        assert c.tls_version == "TLSv1.2"
        c.stream("Health", b"before", service_pb2.HealthResponse)
        server.wait_for(b"before")
        server.to_client(b"r\n")
        server.wait_for(rb"<<< TLS 1.2, Alert \[length \d+\], warning no_renegotiation")
        with pytest.raises(FluxionError) as e:  # s_server takes the refusal as fatal and closes
            c.ping(timeout=5)
        assert e.value.code == StatusCode.UNAVAILABLE


# ---- certificates that do not verify -----------------------------------------------------------------


def test_untrusted_certificate_is_unavailable(tls_server: Server, cert: Cert, tmp_path: Path) -> None:
    other = make_cert(tmp_path / "other", "other")  # same names, another key: not the server's issuer
    for host in ("127.0.0.1", "localhost"):
        with pytest.raises(FluxionError) as e:
            Connection(host, tls_server.port, timeout=10, ca_file=str(other.cert))
        assert e.value.code == StatusCode.UNAVAILABLE
        assert "certificate verify failed" in e.value.message
        assert f"{host}:{tls_server.port}" in e.value.message
    # tls=True alone trusts the system's CAs, which did not sign the test certificate either.
    with pytest.raises(FluxionError) as e:
        Connection("127.0.0.1", tls_server.port, timeout=10, tls=True)
    assert e.value.code == StatusCode.UNAVAILABLE and "certificate verify failed" in e.value.message
    with Connection("127.0.0.1", tls_server.port, timeout=10, ca_file=str(cert.cert)) as c:
        assert_serving(c)  # the server goes on


def test_certificate_for_another_name_does_not_verify(tmp_path: Path) -> None:
    elsewhere = make_cert(tmp_path / "certs", "elsewhere", san="DNS:elsewhere.example")
    s = start(tmp_path, elsewhere)
    try:
        for host in ("127.0.0.1", "localhost"):
            with pytest.raises(FluxionError) as e:
                Connection(host, s.port, timeout=10, ca_file=str(elsewhere.cert))
            assert e.value.code == StatusCode.UNAVAILABLE
            assert "certificate verify failed" in e.value.message and "mismatch" in e.value.message
            assert f"{host}:{s.port}" in e.value.message
        # An SSLContext is used as given: this one checks the chain but not the name.
        context = ssl.create_default_context(cafile=str(elsewhere.cert))
        context.check_hostname = False
        with Connection("127.0.0.1", s.port, timeout=10, tls=context) as c:
            assert_serving(c)
    finally:
        s.stop()


# ---- TLS and plaintext mixed up ----------------------------------------------------------------------


def test_plaintext_client_on_tls_port_shows_the_servers_line(tls_server: Server, cert: Cert) -> None:
    start_t = time.monotonic()
    with pytest.raises(FluxionError) as e:
        Connection("127.0.0.1", tls_server.port, timeout=5)
    assert time.monotonic() - start_t < 4
    assert e.value.code == StatusCode.UNAVAILABLE
    assert "fluxiond: this port speaks TLS" in e.value.message
    assert "\\x" not in e.value.message and "b'" not in e.value.message  # text, not bytes
    assert f"127.0.0.1:{tls_server.port}" in e.value.message
    with Connection("127.0.0.1", tls_server.port, timeout=10, ca_file=str(cert.cert)) as c:
        assert_serving(c)


def test_tls_client_on_plaintext_port_fails_fast(plain_server: Server, cert: Cert) -> None:
    start_t = time.monotonic()
    with pytest.raises(FluxionError) as e:
        Connection("127.0.0.1", plain_server.port, timeout=5, ca_file=str(cert.cert))
    assert time.monotonic() - start_t < 4
    assert e.value.code == StatusCode.UNAVAILABLE
    assert "does not speak TLS" in e.value.message
    assert f"127.0.0.1:{plain_server.port}" in e.value.message
    assert "fluxiond: not a Fluxion protocol peer" in e.value.message  # what the server answered
    with Connection("127.0.0.1", plain_server.port, timeout=10) as c:
        assert_serving(c)


def silent(conn: socket.socket, fake: FakeServer) -> None:
    """Reads whatever comes and answers nothing, until the client goes away."""
    while conn.recv(4096):
        pass


def test_tls_handshake_honours_timeout(cert: Cert) -> None:
    fake = FakeServer(silent, hello=False)
    try:
        start_t = time.monotonic()
        with pytest.raises(FluxionError) as e:
            Connection("127.0.0.1", fake.port, timeout=1, ca_file=str(cert.cert))
        assert 0.9 <= time.monotonic() - start_t < 4
        assert e.value.code == StatusCode.DEADLINE_EXCEEDED
        assert "TLS handshake" in e.value.message
    finally:
        fake.close()


def test_other_preface_still_shown_as_bytes() -> None:
    def http(conn: socket.socket, fake: FakeServer) -> None:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    fake = FakeServer(http, hello=False)
    try:
        with pytest.raises(FluxionError) as e:
            Connection("127.0.0.1", fake.port, timeout=5)
        assert e.value.code == StatusCode.UNAVAILABLE
        assert e.value.message == "not a Fluxion server: preface b'HTTP/1.1'"
    finally:
        fake.close()


# ---- arguments -------------------------------------------------------------------------------------------


def test_bad_tls_arguments_fail_before_connecting(cert: Cert, tmp_path: Path) -> None:
    port = unused_port()  # a connection attempt would raise FluxionError, not these
    with pytest.raises(ValueError, match="SSLContext"):
        Connection("127.0.0.1", port, tls=ssl.create_default_context(), ca_file=str(cert.cert))
    with pytest.raises(TypeError):
        Connection("127.0.0.1", port, tls="yes")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        Connection("127.0.0.1", port, ca_file=str(tmp_path / "missing.pem"))
