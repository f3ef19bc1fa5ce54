"""The client against a real fluxiond: handshake, calls, errors, concurrency, shutdown."""
from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from conftest import REPO, FakeServer, Server
from fluxion_client import Connection, FluxionError, StatusCode, service_pb2, twin_pb2, wire_pb2
from fluxion_client.wire import PREFACE, FrameDecoder, encode_frame


def doc_example(name: str) -> bytes:
    """The hex block after `<!-- example: NAME -->` in docs/PROTOCOL.md."""
    text = (REPO / "docs" / "PROTOCOL.md").read_text()
    m = re.search(r"<!-- example: " + re.escape(name) + r" -->\s*```hex\n(.*?)```", text, re.S)
    assert m, f"example {name} not in PROTOCOL.md"
    return bytes.fromhex(m.group(1))


def connect(server: Server, **kw: object) -> Connection:
    return Connection("127.0.0.1", server.port, timeout=10, **kw)  # type: ignore[arg-type]


# ---- encoding, checked against the document (no server) ------------------------------------------


def test_health_request_frame_matches_document() -> None:
    env = wire_pb2.Envelope(
        call_id=1,
        kind=wire_pb2.FRAME_KIND_REQUEST,
        method="fluxion.v1.Fluxion/Health",
        payload=service_pb2.HealthRequest().SerializeToString(),
    )
    assert encode_frame(env) == doc_example("health-request")


def test_preface_and_cancel_and_ping_match_document() -> None:
    assert PREFACE == doc_example("preface")
    assert encode_frame(wire_pb2.Envelope(call_id=3, kind=wire_pb2.FRAME_KIND_CANCEL)) == doc_example("cancel")
    assert encode_frame(wire_pb2.Envelope(kind=wire_pb2.FRAME_KIND_PING, payload=b"ping")) == doc_example("ping")


def test_decoder_cuts_split_and_merged_frames() -> None:
    stream = doc_example("health-end") + doc_example("unimplemented-end")
    dec = FrameDecoder(1 << 20)
    got = [env for b in stream for env in dec.feed(bytes([b]))]  # one byte at a time
    assert [(e.call_id, e.kind, e.status) for e in got] == [(1, 4, 0), (2, 4, 12)]
    assert service_pb2.HealthResponse.FromString(got[0].payload).uptime_s == 12.5
    assert "InjectLeak is not implemented" in got[1].status_message
    assert len(list(FrameDecoder(1 << 20).feed(stream))) == 2  # all at once


def test_decoder_refuses_oversized_frame_before_body() -> None:
    with pytest.raises(FluxionError) as e:
        list(FrameDecoder(16).feed(b"\x00\x00\x00\x11"))
    assert e.value.code == StatusCode.RESOURCE_EXHAUSTED


# ---- against the server ---------------------------------------------------------------------------


def test_handshake_fields(server: Server) -> None:
    with connect(server) as c:
        h = c.server_hello
        assert h.protocol_version == 1
        assert h.server_name == "fluxiond"
        assert h.server_version
        assert h.max_frame_bytes == 4194304
        assert h.max_concurrent_calls == 256
        assert h.idle_timeout_ms == 300000


def test_health(server: Server) -> None:
    with connect(server) as c:
        r = c.health()
        assert r.status == service_pb2.SERVING_STATUS_SERVING
        assert 0 <= r.uptime_s < 60
        assert r.connections >= 1
        assert r.open_calls == 1  # this call itself


def test_server_info_lists_every_method(server: Server) -> None:
    svc = service_pb2.DESCRIPTOR.services_by_name["Fluxion"]
    with connect(server) as c:
        info = c.server_info()
    assert info.server_name == "fluxiond" and info.protocol_version == 1
    by_name = {m.name: m for m in info.methods}
    # PROTOCOL.md does not say; the server uses the full wire name, as in REQUEST.method.
    assert set(by_name) == {f"fluxion.v1.Fluxion/{m.name}" for m in svc.methods}
    health = by_name["fluxion.v1.Fluxion/Health"]
    assert health.implemented and health.kind == service_pb2.METHOD_KIND_UNARY
    streams = {n for n, m in by_name.items() if m.kind == service_pb2.METHOD_KIND_SERVER_STREAMING}
    assert streams == {"fluxion.v1.Fluxion/StreamReadings", "fluxion.v1.Fluxion/StreamAlerts"}


def test_implemented_flags_match_what_the_server_answers(server: Server) -> None:
    """Every method the server calls unimplemented answers UNIMPLEMENTED, and no other does
    (called with an empty request, which an implemented method may refuse for other reasons)."""
    with connect(server) as c:
        info = c.server_info()
        for m in info.methods:
            short = m.name.split("/")[-1]
            # Any payload type will do: only the status matters here. A payload that does not
            # parse as an Envelope still means the call itself succeeded.
            code = StatusCode.OK
            try:
                if m.kind == service_pb2.METHOD_KIND_SERVER_STREAMING:
                    # A quiet stream (StreamAlerts while no alert happens) sends nothing: the
                    # deadline ends the wait with DEADLINE_EXCEEDED; UNIMPLEMENTED comes at once.
                    with c.stream(short, b"", wire_pb2.Envelope, timeout=2) as s:
                        next(s)
                        s.cancel()
                else:
                    c.unary(short, b"", wire_pb2.Envelope)
            except FluxionError as e:
                code = e.code
            except Exception:  # noqa: BLE001 - the response did not parse as an Envelope
                code = StatusCode.OK
            assert (code == StatusCode.UNIMPLEMENTED) == (not m.implemented), f"{m.name}: {code!r}"


def test_unimplemented_method_names_it(server: Server) -> None:
    with connect(server) as c:
        missing = [m.name for m in c.server_info().methods if not m.implemented]
        for name in missing[:1]:
            with pytest.raises(FluxionError) as e:
                c.unary(name.split("/")[-1], b"", wire_pb2.Envelope)
            assert e.value.code == StatusCode.UNIMPLEMENTED
            assert name in e.value.message
        with pytest.raises(FluxionError) as e:
            c.unary("NoSuchMethod", b"", service_pb2.HealthResponse)
        assert e.value.code == StatusCode.UNIMPLEMENTED and "NoSuchMethod" in e.value.message
        assert c.health().status == service_pb2.SERVING_STATUS_SERVING  # the connection goes on


def test_stream_of_readings_then_cancel(server: Server) -> None:
    with connect(server) as c:
        with c.stream_readings() as s:
            batch = next(s)
            assert len(batch.readings) > 0 and batch.sim_time_s > 0
            s.cancel()
            with pytest.raises(FluxionError) as e:
                while True:
                    next(s)
            assert e.value.code == StatusCode.CANCELLED
        assert c.health().open_calls == 1  # the cancelled stream is gone


def test_malformed_payload_is_invalid_argument(server: Server) -> None:
    with connect(server) as c:
        with pytest.raises(FluxionError) as e:
            c.unary("Health", b"\xff\xff\xff", service_pb2.HealthResponse)
        assert e.value.code == StatusCode.INVALID_ARGUMENT
        assert "HealthRequest" in e.value.message
        assert c.health().status == service_pb2.SERVING_STATUS_SERVING


def test_concurrent_calls_from_threads(server: Server) -> None:
    results: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            for _ in range(25):
                if i % 2:
                    ok = c.health().status == service_pb2.SERVING_STATUS_SERVING
                    with lock:
                        results.append(("health", int(ok)))
                else:
                    leaks = c.list_leaks()
                    with lock:
                        results.append(("leaks", int(isinstance(list(leaks.leaks), list))))
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    with connect(server) as c:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors
    assert len(results) == 16 * 25 and all(ok for _, ok in results)
    assert sum(1 for k, _ in results if k == "health") == 8 * 25


def test_ping(server: Server) -> None:
    with connect(server) as c:
        rtts = [c.ping() for _ in range(3)]
        assert all(0 <= r < 5 for r in rtts)
        assert c.health().status == service_pb2.SERVING_STATUS_SERVING


def test_server_ping_is_answered_with_pong(server: Server) -> None:
    # A raw client: PONG carries the PING's payload (what our reader thread relies on for ping()).
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(PREFACE + encode_frame(wire_pb2.Envelope(kind=wire_pb2.FRAME_KIND_PING, payload=b"abc")))
        dec, got = FrameDecoder(1 << 22), []
        buf = s.recv(8)
        while len(buf) < 8:
            buf += s.recv(8 - len(buf))
        while len(got) < 2:
            got += list(dec.feed(s.recv(4096)))
    assert got[0].kind == wire_pb2.FRAME_KIND_HELLO
    assert (got[1].kind, got[1].payload) == (wire_pb2.FRAME_KIND_PONG, b"abc")


def test_deadline_exceeded_locally_sends_cancel() -> None:
    fake = FakeServer(lambda conn, f: f.read_until(conn, 2))  # never answers
    try:
        with Connection("127.0.0.1", fake.port, timeout=5) as c:
            start = time.monotonic()
            with pytest.raises(FluxionError) as e:
                c.health(timeout=0.3)
            assert e.value.code == StatusCode.DEADLINE_EXCEEDED
            assert time.monotonic() - start < 3
            time.sleep(0.2)
    finally:
        frames = fake.close()
    assert [f.kind for f in frames] == [wire_pb2.FRAME_KIND_REQUEST, wire_pb2.FRAME_KIND_CANCEL]
    assert frames[0].call_id == frames[1].call_id != 0


def test_reader_answers_server_ping_and_goaway_fails_pending_call() -> None:
    def script(conn: socket.socket, f: FakeServer) -> None:
        f.read_until(conn, 1)  # the client's REQUEST: left pending
        conn.sendall(encode_frame(wire_pb2.Envelope(kind=wire_pb2.FRAME_KIND_PING, payload=b"xyz")))
        f.read_until(conn, 2)  # the client's PONG
        goaway = wire_pb2.Envelope(kind=wire_pb2.FRAME_KIND_GOAWAY, status=StatusCode.UNAVAILABLE, status_message="going away")
        conn.sendall(encode_frame(goaway))

    fake = FakeServer(script)
    try:
        with Connection("127.0.0.1", fake.port, timeout=5) as c:
            with pytest.raises(FluxionError) as e:
                c.health()
            assert (e.value.code, e.value.message) == (StatusCode.UNAVAILABLE, "going away")
            with pytest.raises(FluxionError) as e:
                c.health()  # and the next call too
            assert e.value.message == "going away"
    finally:
        frames = fake.close()
    assert (frames[1].kind, frames[1].payload) == (wire_pb2.FRAME_KIND_PONG, b"xyz")


def test_sigterm_fails_pending_and_next_call_with_unavailable(server: Server) -> None:
    c = connect(server)
    try:
        assert c.health().status == service_pb2.SERVING_STATUS_SERVING
        assert server.stop() == 0  # SIGTERM: GOAWAY to every connection, then exit 0
        with pytest.raises(FluxionError) as e:
            c.health()
        assert e.value.code == StatusCode.UNAVAILABLE
        assert "signal" in e.value.message  # the GOAWAY's reason, not just "connection closed"
        with pytest.raises(FluxionError) as e:
            c.ping()
        assert e.value.code == StatusCode.UNAVAILABLE
    finally:
        c.close()


def test_connection_refused_is_unavailable() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(FluxionError) as e:
        Connection("127.0.0.1", port, timeout=5)
    assert e.value.code == StatusCode.UNAVAILABLE


def test_version_refused_by_goaway_raises_its_status() -> None:
    def script(conn: socket.socket, f: FakeServer) -> None:
        conn.recv(8)
        refuse = wire_pb2.Envelope(kind=wire_pb2.FRAME_KIND_GOAWAY, status=StatusCode.FAILED_PRECONDITION, status_message="protocol version 1 is not supported")
        conn.sendall(b"FLUXION\x02" + encode_frame(refuse))

    fake = FakeServer(script, hello=False)
    try:
        with pytest.raises(FluxionError) as e:
            Connection("127.0.0.1", fake.port, timeout=5)
    finally:
        fake.close()
    assert e.value.code == StatusCode.FAILED_PRECONDITION and "not supported" in e.value.message


def test_stream_delivers_messages_then_ends_ok() -> None:
    def script(conn: socket.socket, f: FakeServer) -> None:
        call_id = f.read_until(conn, 1)[0].call_id
        for tick in (1, 2):
            batch = twin_pb2.ReadingBatch(tick=tick).SerializeToString()
            conn.sendall(encode_frame(wire_pb2.Envelope(call_id=call_id, kind=wire_pb2.FRAME_KIND_MESSAGE, payload=batch)))
        conn.sendall(encode_frame(wire_pb2.Envelope(call_id=call_id, kind=wire_pb2.FRAME_KIND_END)))
        f.read_until(conn, 99)  # until the client closes

    fake = FakeServer(script)
    try:
        with Connection("127.0.0.1", fake.port, timeout=5) as c:
            got = [b.tick for b in c.stream_readings(twin_pb2.StreamReadingsRequest(), timeout=5)]
    finally:
        frames = fake.close()
    assert got == [1, 2]
    assert frames[0].method == "fluxion.v1.Fluxion/StreamReadings"


def test_stream_cancel_from_another_thread_wakes_iterator_and_sends_cancel() -> None:
    fake = FakeServer(lambda conn, f: f.read_until(conn, 2))  # never answers
    try:
        with Connection("127.0.0.1", fake.port, timeout=5) as c:
            s = c.stream_alerts()
            threading.Timer(0.2, s.cancel).start()
            start = time.monotonic()
            with pytest.raises(FluxionError) as e:
                next(s)
            assert e.value.code == StatusCode.CANCELLED
            assert time.monotonic() - start < 3
            time.sleep(0.2)
    finally:
        frames = fake.close()
    assert [f.kind for f in frames] == [wire_pb2.FRAME_KIND_REQUEST, wire_pb2.FRAME_KIND_CANCEL]
