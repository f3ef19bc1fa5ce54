"""Python client for fluxiond, the Fluxion server (protocol: docs/PROTOCOL.md)."""
from .connection import BaseConnection, ResponseStream
from .errors import FluxionError, StatusCode
from .methods import Connection
from .pb import alerts_pb2, detectors_pb2, service_pb2, twin_pb2, wire_pb2

__all__ = [
    "Connection",
    "BaseConnection",
    "FluxionError",
    "ResponseStream",
    "StatusCode",
    "alerts_pb2",
    "detectors_pb2",
    "service_pb2",
    "twin_pb2",
    "wire_pb2",
]
