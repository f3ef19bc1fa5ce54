#!/usr/bin/env python3
"""Asks a fluxiond for its health: python3 examples/health.py --server 127.0.0.1:7400"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from fluxion_client import Connection, FluxionError, service_pb2  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--server", default="127.0.0.1:7400", help="HOST:PORT (default %(default)s)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds (default %(default)s)")
    p.add_argument("--tls", action="store_true", help="connect with TLS, verified against the system's CAs")
    p.add_argument("--ca-file", help="connect with TLS, verified against the CA certificates in this PEM file")
    args = p.parse_args()
    host, _, port = args.server.rpartition(":")
    try:
        with Connection(host.strip("[]") or "127.0.0.1", int(port), timeout=args.timeout, tls=args.tls, ca_file=args.ca_file) as c:
            h = c.server_hello
            r = c.health()
    except (FluxionError, ValueError, OSError) as e:
        print(f"health: {e}", file=sys.stderr)
        return 1
    status = service_pb2.ServingStatus.Name(r.status)
    print(f"{h.server_name} {h.server_version} (protocol {h.protocol_version}): {status}, "
          f"uptime {r.uptime_s:.1f} s, {r.connections} connection(s), {r.open_calls} open call(s)")
    return 0 if r.status == service_pb2.SERVING_STATUS_SERVING else 2


if __name__ == "__main__":
    sys.exit(main())
