"""The gateway against a real fluxiond, without a browser: streams shared by every tab (counted
by fluxiond itself), actions run once per Idempotency-Key, the server's error text passed on
unchanged, closed browser sockets and a missing server survived."""
from __future__ import annotations

import concurrent.futures
import contextlib
import json
import socket
import struct
import time
import uuid

import pytest
from conftest import Fluxiond, Gateway, wait_for
from websockets.sync.client import connect

from fluxion_client import FluxionError, twin_pb2


@pytest.fixture(scope="module")
def server():
    s = Fluxiond("--speed", "10")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def gateway(server):
    g = Gateway(server.address)
    g.wait_connected()
    yield g
    g.stop()


def open_calls(server) -> int:
    """fluxiond's own count of open calls on all connections, less the Health call asking."""
    with server.client() as c:
        return c.health().open_calls - 1


def recv_until(ws, kind: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if m["type"] == kind:
            return m
    raise AssertionError(f"no {kind} message within {timeout} s")


def test_twenty_tabs_cost_fluxiond_two_streams(server, gateway):
    wait_for(lambda: open_calls(server) == 2, 10, "the gateway's two streams")
    with contextlib.ExitStack() as stack:
        tabs = [stack.enter_context(connect(f"ws://127.0.0.1:{gateway.port}/ws", max_size=None, open_timeout=10)) for _ in range(20)]
        for ws in tabs:
            snap = recv_until(ws, "snapshot")
            assert snap["status"]["connected"] and snap["topology"]["scenario"] == "absheron"
        for ws in tabs:
            readings = recv_until(ws, "readings")
            assert readings["series"], "a readings update with no series"
        # Counted by fluxiond: the gateway's StreamReadings and StreamAlerts, whatever the tabs.
        assert open_calls(server) == 2
        status = gateway.get("/api/status")
        assert status["browsers"] == 20
        assert status["streams_open"] == {"readings": 1, "alerts": 1}
    wait_for(lambda: gateway.get("/api/status")["browsers"] == 0, 10, "the tabs to be gone")
    assert open_calls(server) == 2


def test_update_rate_at_least_two_hz(gateway):
    with connect(f"ws://127.0.0.1:{gateway.port}/ws", max_size=None, open_timeout=10) as ws:
        recv_until(ws, "snapshot")
        recv_until(ws, "readings")
        start, n = time.monotonic(), 0
        while time.monotonic() - start < 3:
            if json.loads(ws.recv(timeout=3))["type"] == "readings":
                n += 1
        rate = n / (time.monotonic() - start)
    assert rate >= 2.0, f"{rate:.2f} readings updates per second"


def test_double_submit_with_one_key_injects_once(server, gateway):
    with server.client() as c:
        before = {lk.leak_id for lk in c.list_leaks().leaks}
    key = str(uuid.uuid4())
    body = {"pipe_id": "T3", "position_m": "4000", "size_fraction": "0.02", "ramp_s": "0"}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: gateway.post("/api/leaks", body, key), range(4)))
    assert all(code == 200 for code, _ in answers), answers
    ids = {a["leak"]["leak_id"] for _, a in answers}
    assert len(ids) == 1, f"four requests with one key opened {ids}"
    with server.client() as c:
        after = {lk.leak_id for lk in c.list_leaks().leaks}
        assert after - before == ids
        c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=ids.pop()))
    # Without a key, each request is its own action (negative control of the above).
    code1, a1 = gateway.post("/api/leaks", body)
    code2, a2 = gateway.post("/api/leaks", body)
    assert code1 == code2 == 200 and a1["leak"]["leak_id"] != a2["leak"]["leak_id"]
    with server.client() as c:
        for a in (a1, a2):
            c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=a["leak"]["leak_id"]))


@pytest.mark.parametrize(
    "form, field",
    [
        ({"pipe_id": "T2", "position_m": "999999", "size_fraction": "0.02"}, "position_m"),
        ({"pipe_id": "T2", "position_m": "100", "size_fraction": "-0.5"}, "size_fraction"),
        ({"pipe_id": "NOPE", "position_m": "100", "size_fraction": "0.02"}, "pipe_id"),
        ({"pipe_id": "T2", "position_m": "100", "size_fraction": "0.02", "ramp_s": "-3"}, "ramp_s"),
    ],
)
def test_server_error_text_is_passed_on_with_its_field(server, gateway, form, field):
    from fluxion_dashboard import mapping

    with server.client() as c:
        with pytest.raises(FluxionError) as direct:
            c.inject_leak(mapping.inject_leak_request(form))
    code, body = gateway.post("/api/leaks", form, str(uuid.uuid4()))
    assert code == 400
    assert body == {"code": "INVALID_ARGUMENT", "message": direct.value.message, "field": field, "source": "server"}


def test_not_a_number_is_refused_by_the_gateway_naming_the_field(gateway):
    code, body = gateway.post("/api/leaks", {"pipe_id": "T2", "position_m": "12 km", "size_fraction": "0.02"})
    assert code == 400 and body["field"] == "position_m" and body["source"] == "gateway"
    assert body["message"] == "pipe.position_m: '12 km' is not a number"


def test_closed_browser_sockets_do_not_hurt_the_gateway(gateway):
    # Sockets that vanish mid-stream: reset by the peer (SO_LINGER 0) right after the upgrade.
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", gateway.port))
        s.sendall(
            b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        s.recv(1024)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    with connect(f"ws://127.0.0.1:{gateway.port}/ws", max_size=None, open_timeout=10) as ws:
        recv_until(ws, "snapshot")
        recv_until(ws, "readings")
    wait_for(lambda: gateway.get("/api/status")["browsers"] == 0, 10, "the reset sockets to be dropped")


def test_history_and_csv(gateway):
    agg = gateway.get("/api/alerts/aggregate?group_by=hour")
    assert "buckets" in agg
    heat = gateway.get("/api/alerts/heatmap")
    assert all(len(r["hours"]) == 24 for r in heat["rows"])
    import urllib.request

    with urllib.request.urlopen(gateway.url + "/api/alerts.csv", timeout=15) as r:
        assert r.headers["Content-Type"].startswith("text/csv")
        first = r.read().decode().splitlines()[0]
    from fluxion_dashboard.mapping import CSV_COLUMNS

    assert first.split(",") == CSV_COLUMNS
    with urllib.request.urlopen(gateway.url + "/api/alerts.csv?alarm=unacked&min_severity=high", timeout=15) as r:
        assert r.read().decode().splitlines()[0].split(",") == CSV_COLUMNS  # the alarm filter is accepted by the server
    code, body = gateway.post("/api/detectors/nonsense", {})
    assert code == 404
    with pytest.raises(Exception) as bad:
        gateway.get("/api/alerts?min_severity=extreme")
    assert "400" in str(bad.value)


def test_no_server_answers_unavailable_and_names_it():
    # A port nothing listens on: bind one, note it, close it.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    g = Gateway(f"127.0.0.1:{port}")
    try:
        status = wait_for(lambda: (st := g.get("/api/status"))["upstream"]["error"] != "connecting" and st, 15, "a failed attempt")
        assert status["upstream"]["connected"] is False
        code, body = g.post("/api/leaks", {"pipe_id": "T2", "position_m": "1", "size_fraction": "0.1"})
        assert code == 503 and body["code"] == "UNAVAILABLE"
        assert f"fluxiond at 127.0.0.1:{port} is unreachable" in body["message"]
    finally:
        g.stop()
