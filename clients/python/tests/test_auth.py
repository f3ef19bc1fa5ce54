"""Bearer tokens: the client sends `authorization: Bearer <token>` on every REQUEST; `fluxiond --tokens`
checks it (mutating calls need an `operate` token; with `--read-access token`, read calls need any token)."""
from __future__ import annotations

import hashlib
import os
import secrets
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from conftest import FLUXIOND, FakeServer, Server
from fluxion_client import Connection, FluxionError, StatusCode, alerts_pb2, twin_pb2, wire_pb2
from fluxion_client.connection import TOKEN_ENV
from fluxion_client.wire import encode_frame

# The RPCs that change the twin, the detectors or alarm states (need `operate`), as the typed methods of Connection.
MUTATING = [
    "inject_leak", "clear_leak", "set_clock", "set_sensor_fault",
    "load_detector", "activate_detector", "deactivate_detector", "swap_detector",
    "acknowledge_alert", "shelve_alert", "unshelve_alert",
]
# The unary read RPCs (open by default; any valid token with --read-access token). Health and
# GetServerInfo are open always and tested on their own.
READ_UNARY: dict[str, Callable[[Connection], Any]] = {
    "list_leaks": lambda c: c.list_leaks(),
    "get_topology": lambda c: c.get_topology(),
    "get_clock": lambda c: c.get_clock(),
    "list_detectors": lambda c: c.list_detectors(),
    "query_alerts": lambda c: c.query_alerts(),
    "aggregate_alerts": lambda c: c.aggregate_alerts(alerts_pb2.AggregateAlertsRequest(group_by=alerts_pb2.ALERT_GROUPING_DETECTOR)),
}


def new_token() -> str:
    """A token as `fluxion token create` makes them."""
    return "flx_" + secrets.token_hex(32)


def write_tokens_file(path: Path, tokens: dict[str, tuple[str, str]], mode: int = 0o600) -> Path:
    """A `--tokens` file: a comment, a blank line, then `<id> <role> <sha256-hex>` per token; chmod `mode`."""
    lines = ["# written by clients/python/tests/test_auth.py", ""]
    lines += [f"{token_id} {role} {hashlib.sha256(token.encode()).hexdigest()}" for token_id, (role, token) in tokens.items()]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, mode)  # exactly `mode`, whatever the umask
    return path


@dataclass
class Tokens:
    operate: str
    read: str
    unknown: str  # well formed, not in the file
    file: Path


@pytest.fixture(autouse=True)
def no_inherited_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """A FLUXION_TOKEN in the developer's environment must not turn the 'no token' cases into token cases."""
    monkeypatch.delenv(TOKEN_ENV, raising=False)


@pytest.fixture
def tokens(tmp_path: Path) -> Tokens:
    operate, read = new_token(), new_token()
    path = write_tokens_file(tmp_path / "tokens", {"ops": ("operate", operate), "viewer": ("read", read)})
    return Tokens(operate=operate, read=read, unknown=new_token(), file=path)


@pytest.fixture
def auth_server(tokens: Tokens) -> Iterator[Server]:
    """fluxiond --port 0 --tokens FILE: mutating calls need `operate`; read calls are open."""
    s = Server("--tokens", str(tokens.file))
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def read_access_server(tokens: Tokens) -> Iterator[Server]:
    """fluxiond --port 0 --tokens FILE --read-access token: read calls need any valid token too."""
    s = Server("--tokens", str(tokens.file), "--read-access", "token")
    try:
        yield s
    finally:
        s.stop()


def connect(server: Server, **kw: Any) -> Connection:
    return Connection("127.0.0.1", server.port, timeout=10, **kw)


def leak_request() -> twin_pb2.InjectLeakRequest:
    return twin_pb2.InjectLeakRequest(pipe=twin_pb2.PipePosition(pipe_id="T2", position_m=12000), size_fraction=0.02)


def unused_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


# ---- against fluxiond --tokens ---------------------------------------------------------------------


def test_operate_token_can_inject_and_clear_leak(auth_server: Server, tokens: Tokens) -> None:
    with connect(auth_server, token=tokens.operate) as c:
        leak = c.inject_leak(leak_request()).leak
        assert (leak.pipe_id, leak.position_m, leak.size_fraction) == ("T2", 12000, 0.02)
        assert leak.leak_id in {x.leak_id for x in c.list_leaks().leaks}
        cleared = c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=leak.leak_id)).leak
        assert cleared.state == twin_pb2.LEAK_STATE_CLEARED
        assert c.list_leaks().leaks == []


def test_no_token_is_unauthenticated_on_inject_leak(auth_server: Server) -> None:
    with connect(auth_server) as c:
        assert not c.has_token
        with pytest.raises(FluxionError) as e:
            c.inject_leak(leak_request())
        assert e.value.code == StatusCode.UNAUTHENTICATED
        assert c.list_leaks().leaks == []  # nothing was injected, and the connection goes on


def test_read_token_is_permission_denied_on_inject_leak(auth_server: Server, tokens: Tokens) -> None:
    with connect(auth_server, token=tokens.read) as c:
        with pytest.raises(FluxionError) as e:
            c.inject_leak(leak_request())
        assert e.value.code == StatusCode.PERMISSION_DENIED
        assert c.list_leaks().leaks == []


def test_wrong_token_is_unauthenticated(auth_server: Server, tokens: Tokens) -> None:
    for wrong in (tokens.unknown, tokens.operate[:-1], "flx_", hashlib.sha256(tokens.operate.encode()).hexdigest()):
        with connect(auth_server, token=wrong) as c:
            with pytest.raises(FluxionError) as e:
                c.inject_leak(leak_request())
            assert e.value.code == StatusCode.UNAUTHENTICATED, wrong


@pytest.mark.parametrize("method", MUTATING)
def test_every_mutating_call_checks_the_token_first(auth_server: Server, tokens: Tokens, method: str) -> None:
    # Empty requests: the role is checked before the request is, so the status is about the token.
    with connect(auth_server) as c:
        with pytest.raises(FluxionError) as e:
            getattr(c, method)()
        assert e.value.code == StatusCode.UNAUTHENTICATED
    with connect(auth_server, token=tokens.read) as c:
        with pytest.raises(FluxionError) as e:
            getattr(c, method)()
        assert e.value.code == StatusCode.PERMISSION_DENIED


def test_read_calls_are_open_by_default(auth_server: Server) -> None:
    with connect(auth_server) as c:
        for name, call in READ_UNARY.items():
            try:
                call(c)
            except FluxionError as e:  # pragma: no cover - the message says which
                pytest.fail(f"{name} without a token: {e}")
        with c.stream_readings() as s:
            assert len(next(s).readings) > 0


@pytest.mark.parametrize("fixture", ["auth_server", "read_access_server"])
def test_health_and_server_info_are_open_without_token(request: pytest.FixtureRequest, fixture: str) -> None:
    server: Server = request.getfixturevalue(fixture)
    with connect(server) as c:
        assert c.health().status
        assert c.server_info().server_name == "fluxiond"


def test_read_access_token_list_leaks_needs_a_valid_token(read_access_server: Server, tokens: Tokens) -> None:
    for token in (None, tokens.unknown):
        with connect(read_access_server, token=token) as c:
            with pytest.raises(FluxionError) as e:
                c.list_leaks()
            assert e.value.code == StatusCode.UNAUTHENTICATED
    for token in (tokens.read, tokens.operate):  # operate implies read
        with connect(read_access_server, token=token) as c:
            assert c.list_leaks().leaks == []


def test_read_access_token_covers_every_read_call(read_access_server: Server, tokens: Tokens) -> None:
    with connect(read_access_server) as c:
        for name, call in READ_UNARY.items():
            with pytest.raises(FluxionError) as e:
                call(c)
            assert e.value.code == StatusCode.UNAUTHENTICATED, name
        for stream in (c.stream_readings, c.stream_alerts):
            with stream(timeout=5) as s:
                with pytest.raises(FluxionError) as e:
                    next(s)
            assert e.value.code == StatusCode.UNAUTHENTICATED, stream.__name__
    with connect(read_access_server, token=tokens.read) as c:
        for call in READ_UNARY.values():
            call(c)
        with c.stream_readings() as s:
            assert len(next(s).readings) > 0
        with pytest.raises(FluxionError) as e:
            c.inject_leak(leak_request())  # read is still not operate
        assert e.value.code == StatusCode.PERMISSION_DENIED


def test_fluxion_token_env_var_is_picked_up(auth_server: Server, tokens: Tokens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, tokens.operate)
    with connect(auth_server) as c:
        assert c.has_token
        leak = c.inject_leak(leak_request()).leak
        c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=leak.leak_id))
    with connect(auth_server, token="") as c:  # an explicit empty token turns the variable off
        assert not c.has_token
        with pytest.raises(FluxionError) as e:
            c.inject_leak(leak_request())
        assert e.value.code == StatusCode.UNAUTHENTICATED
    monkeypatch.setenv(TOKEN_ENV, "")  # empty: no token
    with connect(auth_server) as c:
        assert not c.has_token


def test_token_file_is_read_and_stripped(auth_server: Server, tokens: Tokens, tmp_path: Path) -> None:
    path = tmp_path / "operate.token"
    path.write_text(f"  {tokens.operate}\n\n")
    with connect(auth_server, token_file=str(path)) as c:
        leak = c.inject_leak(leak_request()).leak
        assert leak.pipe_id == "T2"


def test_per_call_authorization_overrides_the_connection_token(auth_server: Server, tokens: Tokens) -> None:
    with connect(auth_server, token=tokens.read) as c:
        leak = c.inject_leak(leak_request(), metadata=[("authorization", f"Bearer {tokens.operate}")]).leak
        with pytest.raises(FluxionError) as e:
            c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=leak.leak_id))  # the connection's read token again
        assert e.value.code == StatusCode.PERMISSION_DENIED
    with connect(auth_server, token=tokens.operate) as c:
        with pytest.raises(FluxionError) as e:
            c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=leak.leak_id), metadata=[("authorization", f"Bearer {tokens.read}")])
        assert e.value.code == StatusCode.PERMISSION_DENIED
        c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=leak.leak_id))


def test_token_never_appears_in_repr_or_errors(auth_server: Server, tokens: Tokens) -> None:
    shown: list[str] = []
    for token in (tokens.read, tokens.unknown):
        with connect(auth_server, token=token) as c:
            shown += [repr(c), str(c), repr(vars(c))]
            with pytest.raises(FluxionError) as e:
                c.inject_leak(leak_request())
            shown += [str(e.value), repr(e.value), e.value.message, repr(e.value.args)]
    assert "token=set" in shown[0]
    for token in (tokens.read, tokens.unknown):
        assert not [s for s in shown if token in s or token[4:] in s]


@pytest.mark.parametrize("mode", [0o640, 0o644], ids=oct)
def test_tokens_file_readable_by_others_is_accepted(tmp_path: Path, mode: int) -> None:
    operate = new_token()
    s = Server("--tokens", str(write_tokens_file(tmp_path / "tokens", {"ops": ("operate", operate)}, mode)))
    try:
        with connect(s, token=operate) as c:
            c.inject_leak(leak_request())
    finally:
        s.stop()


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602], ids=oct)
def test_tokens_file_writable_by_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = write_tokens_file(tmp_path / "tokens", {"ops": ("operate", new_token())}, mode)
    try:
        r = subprocess.run([FLUXIOND, "--port", "0", "--tokens", str(path)], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:  # run() has killed it
        pytest.fail(f"fluxiond started with a tokens file of mode {mode:o}")
    assert r.returncode != 0
    assert "listening on" not in r.stdout
    assert str(path) in r.stderr  # the refusal names the file (not just an unknown --tokens option)


# ---- what the client sends (a fake server records the frames) --------------------------------------


def answer_ok(conn: socket.socket, f: FakeServer) -> None:
    """Answers every REQUEST with END OK (empty payload) until the client closes."""
    answered = 0
    while True:
        frames = f.read_until(conn, answered + 1)
        if len(frames) <= answered:
            return
        for env in frames[answered:]:
            if env.kind == wire_pb2.FRAME_KIND_REQUEST:
                conn.sendall(encode_frame(wire_pb2.Envelope(call_id=env.call_id, kind=wire_pb2.FRAME_KIND_END)))
        answered = len(frames)


def sent_metadata(calls: Callable[[Connection], None], **kw: Any) -> list[list[tuple[str, str]]]:
    """The metadata of each REQUEST a Connection(**kw) sends while running `calls`."""
    fake = FakeServer(answer_ok)
    try:
        with Connection("127.0.0.1", fake.port, timeout=5, **kw) as c:
            calls(c)
    finally:
        frames = fake.close()
    return [[(m.key, m.value) for m in f.metadata] for f in frames if f.kind == wire_pb2.FRAME_KIND_REQUEST]


def test_token_is_sent_on_every_request_merged_with_call_metadata() -> None:
    def calls(c: Connection) -> None:
        c.health()
        c.inject_leak(leak_request(), metadata=[("x-trace", "7")])
        c.list_leaks(metadata=[("Authorization", "Bearer other"), ("x-trace", "8")])
        list(c.stream_alerts(timeout=5))

    assert sent_metadata(calls, token="tok-1") == [
        [("authorization", "Bearer tok-1")],
        [("x-trace", "7"), ("authorization", "Bearer tok-1")],
        [("Authorization", "Bearer other"), ("x-trace", "8")],  # the call's own entry replaces the token
        [("authorization", "Bearer tok-1")],
    ]


def health(c: Connection) -> None:
    c.health()


def test_no_token_sends_no_authorization() -> None:
    def calls(c: Connection) -> None:
        c.health()
        c.health(metadata=[("x-trace", "1")])

    assert sent_metadata(calls) == [[], [("x-trace", "1")]]


def test_token_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(TOKEN_ENV, " from-env\n")
    assert sent_metadata(health) == [[("authorization", "Bearer from-env")]]
    assert sent_metadata(health, token="explicit") == [[("authorization", "Bearer explicit")]]
    assert sent_metadata(health, token="") == [[]]  # explicit empty: none, the variable is not read
    path = tmp_path / "token"
    path.write_text("from-file\n")
    assert sent_metadata(health, token_file=str(path)) == [[("authorization", "Bearer from-file")]]


def test_bad_token_arguments_fail_before_connecting_without_showing_the_token(tmp_path: Path) -> None:
    port = unused_port()  # a connection attempt would raise FluxionError(UNAVAILABLE), not ValueError
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ValueError, match="not both"):
        Connection("127.0.0.1", port, token="a", token_file=str(empty))
    with pytest.raises(ValueError, match="empty"):
        Connection("127.0.0.1", port, token_file=str(empty))
    with pytest.raises(FileNotFoundError):
        Connection("127.0.0.1", port, token_file=str(tmp_path / "missing"))
    secret = "flx_" + "ab" * 8
    for bad in (f"{secret} x", f"{secret}\x00", f"{secret}\ny"):
        with pytest.raises(ValueError) as e:
            Connection("127.0.0.1", port, token=bad)
        assert secret not in str(e.value)


def test_repr_shows_whether_a_token_is_set_not_the_token() -> None:
    fake = FakeServer(answer_ok)
    try:
        with Connection("127.0.0.1", fake.port, timeout=5, token="s3cr3t-value") as c:
            assert c.has_token
            assert repr(c) == f"<Connection 127.0.0.1:{fake.port} token=set>"
            assert "s3cr3t" not in repr(vars(c))
    finally:
        fake.close()
