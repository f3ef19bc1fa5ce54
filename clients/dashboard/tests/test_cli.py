"""The gateway's command line: server addresses and ports are checked before anything starts."""
from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from fluxion_dashboard.__main__ import arguments, parse_server, port_number


def test_server_addresses():
    assert parse_server("127.0.0.1:7400") == ("127.0.0.1", 7400)
    assert parse_server("[::1]:7500") == ("::1", 7500)
    assert parse_server("fluxion.example:1") == ("fluxion.example", 1)
    for bad in ("7400", ":7400", "host:", "host:abc", "host:0", "host:65536"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_server(bad)


def test_ports_and_environment(monkeypatch):
    assert port_number("0") == 0 and port_number("65535") == 65535
    for bad in ("-1", "65536", "http"):
        with pytest.raises(argparse.ArgumentTypeError):
            port_number(bad)
    monkeypatch.setenv("FLUXION_SERVER", "10.1.2.3:7401")
    assert arguments([]).server == ("10.1.2.3", 7401)
    assert arguments(["--server", "127.0.0.1:9"]).server == ("127.0.0.1", 9)


def test_bad_start_is_one_line_and_exit_2(tmp_path):
    r = subprocess.run([sys.executable, "-m", "fluxion_dashboard", "--port", "0", "--token-file", str(tmp_path / "missing")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [f"fluxion-dashboard: [Errno 2] No such file or directory: '{tmp_path / 'missing'}'"]
    r = subprocess.run([sys.executable, "-m", "fluxion_dashboard", "--server", "nohost"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "argument --server: 'nohost' is not HOST:PORT" in r.stderr
