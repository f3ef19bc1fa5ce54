"""Real processes for the dashboard's tests: fluxiond (the debug build, port 0), the gateway
(`python -m fluxion_dashboard --port 0`), and headless Chromium (Debian's chromium and
chromium-driver, driven by Selenium). Every process a test starts is stopped on every path:
SIGTERM, then SIGKILL after a bounded wait.

Screenshots of the browser tests go to clients/dashboard/test-artifacts/ (git-ignored).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
FLUXIOND = os.environ.get("FLUXIOND", str(REPO / ".build" / "debug" / "fluxiond"))
ARTIFACTS = Path(os.environ.get("DASHBOARD_ARTIFACTS", REPO / "clients" / "dashboard" / "test-artifacts"))
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _first_line(proc: subprocess.Popen, pattern: str, timeout: float, what: str) -> re.Match:
    """Waits (bounded) for the process's first stdout line and matches it."""
    line: list[str] = []
    t = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    t.start()
    t.join(timeout)
    m = re.search(pattern, line[0] if line else "")
    if not m:
        stop(proc)
        pytest.fail(f"{what} did not print its listening line within {timeout} s: {line!r}")
    return m


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, wait: float = 10) -> Optional[int]:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stdout:
        proc.stdout.close()
    return proc.returncode


class Fluxiond:
    """The real server. `restart()` starts it again on the same port (after `kill()`)."""

    def __init__(self, *args: str, port: int = 0) -> None:
        if not os.access(FLUXIOND, os.X_OK):
            pytest.fail(f"fluxiond not found at {FLUXIOND} (swift build, or set FLUXIOND)")
        self.args = args
        self.data = tempfile.mkdtemp(prefix="fluxion-dashboard-test-")
        self.log = open(Path(self.data) / "fluxiond.log", "ab")
        self.port = port
        self._start()

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [FLUXIOND, "--port", str(self.port), "--data", self.data, *self.args], stdout=subprocess.PIPE, stderr=self.log, text=True
        )
        self.port = int(_first_line(self.proc, r"listening on \S+:(\d+)", 90, "fluxiond").group(1))

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self) -> Any:
        from fluxion_client import Connection

        return Connection("127.0.0.1", self.port, timeout=10, token="")

    def kill(self) -> None:
        stop(self.proc, signal.SIGKILL)

    def restart(self) -> None:
        deadline = time.monotonic() + 20
        while True:  # the port may take a moment to be free again
            try:
                self._start()
                return
            except BaseException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        stop(self.proc)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


class Gateway:
    def __init__(self, server: str, *args: str, env_token: bool = False) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if not env_token:  # $FLUXION_TOKEN reaches the gateway only when a test means it to
            env.pop("FLUXION_TOKEN", None)
        self.log_path = Path(tempfile.mkdtemp(prefix="fluxion-dashboard-gw-")) / "gateway.log"
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fluxion_dashboard", "--server", server, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            cwd=REPO / "clients" / "dashboard",
            env=env,
        )
        self.port = int(_first_line(self.proc, r"dashboard listening on http://127\.0\.0\.1:(\d+)", 30, "the gateway").group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=15) as r:
            return json.loads(r.read())

    def post(self, path: str, body: dict, key: str = "") -> tuple[int, Any]:
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
        if key:
            req.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def wait_connected(self, timeout: float = 30) -> dict:
        return wait_for(lambda: (s := self.get("/api/status"))["upstream"]["connected"] and s, timeout, "the gateway to connect to fluxiond")

    def stop(self) -> None:
        code = stop(self.proc)
        self.log.close()
        # The gateway never dies of a browser or server failure: a traceback in its log is a defect.
        text = self.log_path.read_text(errors="replace")
        shutil.rmtree(self.log_path.parent, ignore_errors=True)
        assert "Traceback" not in text, f"gateway log has a traceback:\n{text[-4000:]}"
        # uvicorn shuts down cleanly on SIGTERM, then ends by the signal it caught.
        assert code in (0, -signal.SIGTERM) and "Finished server process" in text, f"gateway exited {code}:\n{text[-2000:]}"


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as e:  # noqa: BLE001 - retried until the deadline, reported then
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def chromium(width: int = 1600, height: int = 1300) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not os.access(CHROMEDRIVER, os.X_OK):
        pytest.fail(f"chromedriver not found at {CHROMEDRIVER} (bash scripts/setup.sh installs chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}", "--autoplay-policy=no-user-gesture-required"):
        options.add_argument(a)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
