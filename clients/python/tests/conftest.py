"""Starts the real fluxiond on port 0 for each test that needs one, and always stops it."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "clients" / "python"))  # run from a checkout without installing

FLUXIOND = os.environ.get("FLUXIOND", str(REPO / ".build" / "debug" / "fluxiond"))


class Server:
    def __init__(self, *args: str) -> None:
        if not os.access(FLUXIOND, os.X_OK):
            pytest.fail(f"fluxiond not found at {FLUXIOND} (build it, or set FLUXIOND)")
        self.proc = subprocess.Popen(
            [FLUXIOND, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.port = self._read_port(timeout=30)

    def _read_port(self, timeout: float) -> int:
        # readline() blocks; a helper thread lets the wait be bounded.
        line: list[str] = []
        t = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        t.start()
        t.join(timeout)
        m = re.search(r"listening on \S+:(\d+)", line[0] if line else "")
        if not m:
            self.stop()
            pytest.fail(f"fluxiond did not print 'listening on': {line!r}")
        return int(m.group(1))

    def stop(self, sig: int = signal.SIGTERM, wait: float = 10) -> Optional[int]:
        """SIGTERM, then SIGKILL if it has not exited after `wait` seconds; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(wait)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout:
            self.proc.stdout.close()
        return self.proc.returncode


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    try:
        yield s
    finally:
        s.stop()
