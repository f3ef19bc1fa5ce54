"""The gateway passes the operator's credentials and TLS settings on to fluxiond: a token from
--token-file or $FLUXION_TOKEN, and a TLS connection verified against --ca-file."""
from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
from pathlib import Path

from conftest import Fluxiond, Gateway, wait_for

LEAK = {"pipe_id": "T2", "position_m": "5000", "size_fraction": "0.02"}


def tokens_file(directory: Path, tokens: dict[str, tuple[str, str]]) -> Path:
    """A fluxiond --tokens file: `<id> <role> <sha256-hex>` per token, mode 0600."""
    path = directory / "tokens"
    path.write_text("".join(f"{i} {role} {hashlib.sha256(t.encode()).hexdigest()}\n" for i, (role, t) in tokens.items()))
    path.chmod(0o600)
    return path


def test_token_from_file_and_environment_reaches_fluxiond(tmp_path: Path):
    d = tmp_path
    operate, read = "flx_" + secrets.token_hex(32), "flx_" + secrets.token_hex(32)
    server = Fluxiond("--tokens", str(tokens_file(d, {"ops": ("operate", operate), "viewer": ("read", read)})))
    gateways = []
    try:
        (d / "ops.token").write_text(operate + "\n")
        with_file = Gateway(server.address, "--token-file", str(d / "ops.token"))
        gateways.append(with_file)
        with_file.wait_connected()
        code, body = with_file.post("/api/leaks", LEAK)
        assert code == 200, body

        os.environ["FLUXION_TOKEN"] = read  # the gateway takes it from the environment
        try:
            viewer = Gateway(server.address, env_token=True)
        finally:
            del os.environ["FLUXION_TOKEN"]
        gateways.append(viewer)
        viewer.wait_connected()  # read calls and streams are open to a read token
        code, body = viewer.post("/api/leaks", LEAK)
        assert code == 403 and body["code"] == "PERMISSION_DENIED" and body["source"] == "server", body

        anonymous = Gateway(server.address)
        gateways.append(anonymous)
        anonymous.wait_connected()
        code, body = anonymous.post("/api/leaks", LEAK)
        assert code == 401 and body["code"] == "UNAUTHENTICATED", body
    finally:
        for g in gateways:
            g.stop()
        server.stop()


def test_tls_with_a_ca_file(tmp_path: Path):
    d = tmp_path
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
         "-subj", "/CN=fluxiond", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
        check=True, capture_output=True, timeout=30,
    )
    server = Fluxiond("--tls-cert", str(d / "cert.pem"), "--tls-key", str(d / "key.pem"))
    plain = secure = None
    try:
        secure = Gateway(server.address, "--ca-file", str(d / "cert.pem"))
        status = secure.wait_connected()
        assert status["streams_open"] == {"readings": 1, "alerts": 1}
        plain = Gateway(server.address)  # negative control: plaintext against a TLS port
        status = wait_for(lambda: (s := plain.get("/api/status"))["upstream"]["error"] != "connecting" and s, 15, "a refused attempt")
        assert not status["upstream"]["connected"] and "TLS" in status["upstream"]["error"]
    finally:
        for g in (secure, plain):
            if g is not None:
                g.stop()
        server.stop()
