"""`python -m fluxion_dashboard`: the dashboard's gateway, serving the page on HTTP.

Prints exactly one line on stdout when it accepts connections:
`dashboard listening on http://HOST:PORT` (`--port 0` picks a free port). Logs go to stderr.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from typing import Optional

import uvicorn

from .app import CHARTJS_DIR, Gateway
from .upstream import UpstreamConfig

DEFAULT_SERVER = "127.0.0.1:7400"


def parse_server(text: str) -> tuple[str, int]:
    """HOST:PORT (an IPv6 host in brackets, [::1]:7400) -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"'{text}' is not HOST:PORT")
    try:
        n = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': port '{port}' is not a number") from None
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}': port {n} is not in 1…65535")
    return host.strip("[]"), n


def port_number(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"port {n} is not in 0…65535")
    return n


def arguments(argv: Optional[list[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="fluxion-dashboard", description="The Fluxion operator's dashboard: a web page on a gateway to fluxiond.")
    p.add_argument("--server", type=parse_server, default=os.environ.get("FLUXION_SERVER") or DEFAULT_SERVER,
                   help=f"fluxiond's HOST:PORT (default: $FLUXION_SERVER or {DEFAULT_SERVER})")
    p.add_argument("--host", default="127.0.0.1", help="address the page is served on (default 127.0.0.1)")
    p.add_argument("--port", type=port_number, default=8080, help="port the page is served on (default 8080; 0: any free port)")
    p.add_argument("--token-file", help="file holding the token sent to fluxiond (default: $FLUXION_TOKEN)")
    p.add_argument("--tls", action="store_true", help="connect to fluxiond with TLS, verified against the system's CAs")
    p.add_argument("--ca-file", help="connect with TLS, verifying fluxiond's certificate against this PEM file")
    p.add_argument("--chartjs-dir", default=CHARTJS_DIR, help=f"where chart.min.js is (default {CHARTJS_DIR}, Debian's libjs-chart.js)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"], help="log level on stderr")
    return p.parse_args(argv)  # argparse applies `type` to a string default too ($FLUXION_SERVER)


def main(argv: Optional[list[str]] = None) -> int:
    args = arguments(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host, port = args.server
    # The token is read here (file or $FLUXION_TOKEN) so that a bad one stops the start with one line.
    from fluxion_client.connection import resolve_token

    try:
        token = resolve_token(None, args.token_file)
        if args.ca_file is not None:
            open(args.ca_file, "rb").close()
    except (OSError, ValueError) as e:
        print(f"fluxion-dashboard: {e}", file=sys.stderr)
        return 2
    config = UpstreamConfig(host=host, port=port, token=token or "", tls=args.tls, ca_file=args.ca_file)
    gateway = Gateway(config, chartjs_dir=args.chartjs_dir)

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        print(f"fluxion-dashboard: cannot listen on {args.host}:{args.port}: {e.strerror}", file=sys.stderr)
        return 1
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if family == socket.AF_INET6 else bound[0]
    print(f"dashboard listening on http://{shown}:{bound[1]}", flush=True)
    logging.getLogger("fluxion_dashboard").info("fluxiond at %s:%d", host, port)

    server = uvicorn.Server(uvicorn.Config(gateway.app(), log_level=args.log_level, access_log=False, ws="websockets-sansio", lifespan="on"))
    try:
        asyncio.run(server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
