"""Starts the real fluxiond on port 0 for each test that needs one, and always stops it."""
from __future__ import annotations

import os
import socket
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "clients" / "python"))  # run from a checkout without installing

from fluxion_client import wire_pb2  # noqa: E402
from fluxion_client.wire import PREFACE, FrameDecoder, encode_frame  # noqa: E402

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


class FakeServer:
    """A listener that does the server's handshake, (unless hello=False), then runs `script(conn, self)`; records what it read."""

    def __init__(self, script: Callable[[socket.socket, "FakeServer"], object], hello: bool = True) -> None:
        self.hello = hello
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.received = bytearray()
        self.script = script
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            conn, _ = self.lsock.accept()
        except OSError:  # closed before anyone connected
            return
        with conn:
            conn.settimeout(5)
            if self.hello:
                hello = wire_pb2.ServerHello(protocol_version=1, server_name="fake", max_frame_bytes=1 << 20)
                conn.sendall(PREFACE + encode_frame(wire_pb2.Envelope(kind=wire_pb2.FRAME_KIND_HELLO, payload=hello.SerializeToString())))
            try:
                self.script(conn, self)
            except OSError:
                pass

    def read_until(self, conn: socket.socket, n_frames: int) -> list[wire_pb2.Envelope]:
        while True:
            frames = list(FrameDecoder(1 << 20).feed(bytes(self.received[8:])))
            if len(frames) >= n_frames:
                return frames
            chunk = conn.recv(4096)
            if not chunk:
                return frames
            self.received.extend(chunk)

    def close(self) -> list[wire_pb2.Envelope]:
        self.lsock.close()
        self.thread.join(10)
        return list(FrameDecoder(1 << 20).feed(bytes(self.received[8:])))
