"""Builds clients/c (make) and runs the C example against fluxiond and against a fake server."""
from __future__ import annotations

import socket
import subprocess

import pytest

from conftest import REPO, FakeServer, Server
from fluxion_client import StatusCode, service_pb2, wire_pb2
from fluxion_client.wire import PREFACE, encode_frame

C_DIR = REPO / "clients" / "c"
BINARY = C_DIR / "fluxion_health"


@pytest.fixture(scope="module")
def binary() -> str:
    build = subprocess.run(["make", "-s", "-C", str(C_DIR)], capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    return str(BINARY)


def run(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)


def test_c_health_and_server_info(binary: str, server: Server) -> None:
    r = run(binary, f"127.0.0.1:{server.port}")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("server: fluxiond ") and "protocol=1" in lines[0]
    assert lines[1].startswith("health: status=SERVING_STATUS_SERVING ")
    methods = len(service_pb2.DESCRIPTOR.services_by_name["Fluxion"].methods)  # every method of service.proto
    assert lines[2].startswith(f"methods: {methods} (") and lines[2].endswith(" implemented)")
    assert "  fluxion.v1.Fluxion/Health unary implemented" in lines
    assert any(line.startswith("  fluxion.v1.Fluxion/StreamAlerts server-streaming") for line in lines)


def test_c_non_ok_status_is_one_line_and_exit_1(binary: str, server: Server) -> None:
    # InjectLeak with an empty request: the server refuses it, naming the missing field.
    r = run(binary, f"127.0.0.1:{server.port}", "InjectLeak")
    assert r.returncode == 1
    assert r.stderr.startswith("fluxion_health: InjectLeak failed: INVALID_ARGUMENT: where: ")
    assert r.stderr.count("\n") == 1
    r = run(binary, f"127.0.0.1:{server.port}", "NoSuchMethod")
    assert r.returncode == 1
    assert r.stderr == (
        'fluxion_health: NoSuchMethod failed: UNIMPLEMENTED: unknown method "fluxion.v1.Fluxion/NoSuchMethod"\n'
    )


def test_c_connection_refused(binary: str) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = run(binary, f"127.0.0.1:{port}")
    assert r.returncode == 1
    assert r.stderr.startswith("fluxion_health: cannot connect") and "refused" in r.stderr
    assert r.stderr.count("\n") == 1


def test_c_goaway(binary: str) -> None:
    # What a server that refuses our version does (PROTOCOL.md §2): its preface, then GOAWAY.
    def script(conn: socket.socket, f: FakeServer) -> None:
        conn.recv(8)
        goaway = wire_pb2.Envelope(
            kind=wire_pb2.FRAME_KIND_GOAWAY, status=StatusCode.FAILED_PRECONDITION, status_message="version refused"
        )
        conn.sendall(PREFACE + encode_frame(goaway))

    fake = FakeServer(script, hello=False)
    try:
        r = run(binary, f"127.0.0.1:{fake.port}")
    finally:
        fake.close()
    assert r.returncode == 1
    assert r.stderr == "fluxion_health: server sent GOAWAY FAILED_PRECONDITION: version refused\n"
