"""The gateway's figures: snapshot size, readings updates per second and their size, CPU of the
gateway and of fluxiond, with one tab, at 60x and free-running (debug fluxiond, threshold detector).

    .venv-dashboard/bin/python clients/dashboard/bench_gateway.py [--seconds 10]

Starts its own fluxiond (port 0) and gateway, lets the history fill for 15 s, then reads one
WebSocket for --seconds. Checks what it prints: at least 2 updates per second, no batch skipped.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "tests")]

from conftest import Fluxiond, Gateway  # noqa: E402
from websockets.sync.client import connect  # noqa: E402


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=10)
    args = p.parse_args()
    ok = True
    for mode in (["--speed", "60"], ["--free-running"]):
        server = Fluxiond("--detector", "threshold", *mode)
        gateway = Gateway(server.address)
        try:
            gateway.wait_connected()
            time.sleep(15)
            with connect(f"ws://127.0.0.1:{gateway.port}/ws", max_size=None) as ws:
                snapshot = ws.recv()
                n = size = 0
                t0, g0, f0 = time.monotonic(), cpu_s(gateway.proc.pid), cpu_s(server.proc.pid)
                while time.monotonic() - t0 < args.seconds:
                    m = ws.recv()
                    if m.startswith('{"type": "readings"'):
                        n, size = n + 1, size + len(m)
                dt = time.monotonic() - t0
                g1, f1 = cpu_s(gateway.proc.pid), cpu_s(server.proc.pid)
            st = gateway.get("/api/status")
            rate = n / dt
            print(
                f"{' '.join(mode):15} snapshot {len(snapshot) / 1024:.0f} KiB, {rate:.2f} updates/s of {size / max(n, 1) / 1024:.1f} KiB,"
                f" gateway CPU {100 * (g1 - g0) / dt:.0f} %, fluxiond CPU {100 * (f1 - f0) / dt:.0f} %,"
                f" batches {st['readings_batches']} ({st['readings_skipped_batches']} skipped)"
            )
            ok = ok and rate >= 2 and st["readings_skipped_batches"] == 0
        finally:
            gateway.stop()
            server.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
