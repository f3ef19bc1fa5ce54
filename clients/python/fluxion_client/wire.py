"""Byte layout: preface and length-prefixed Envelope frames (PROTOCOL.md §2-3)."""
from __future__ import annotations

import struct
from typing import Iterator

from .errors import FluxionError, StatusCode
from .pb import wire_pb2

MAGIC = b"FLUXION"
PROTOCOL_VERSION = 1
PREFACE = MAGIC + bytes([PROTOCOL_VERSION])
SERVICE = "fluxion.v1.Fluxion"
# What we accept from the server when its HELLO says less (§3: its frames are at most 4 MiB).
DEFAULT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024

_LEN = struct.Struct(">I")


def full_method(method: str) -> str:
    """'Health' -> 'fluxion.v1.Fluxion/Health'; a full name is kept as it is."""
    return method if "/" in method else f"{SERVICE}/{method}"


def encode_frame(envelope: wire_pb2.Envelope) -> bytes:
    body = envelope.SerializeToString()
    return _LEN.pack(len(body)) + body


class FrameDecoder:
    """Cuts frames out of a byte stream that may split or merge them at any byte."""

    def __init__(self, max_frame_bytes: int) -> None:
        self.max_frame_bytes = max_frame_bytes
        self._buf = bytearray()

    def feed(self, data: bytes) -> Iterator[wire_pb2.Envelope]:
        self._buf += data
        while len(self._buf) >= 4:
            (length,) = _LEN.unpack_from(self._buf)
            # Refuse before buffering the body, as the server does (§3 "Limit").
            if length > self.max_frame_bytes:
                raise FluxionError(
                    StatusCode.RESOURCE_EXHAUSTED,
                    f"server frame of {length} bytes exceeds the limit of {self.max_frame_bytes} bytes",
                )
            if len(self._buf) < 4 + length:
                return
            body = bytes(self._buf[4 : 4 + length])
            del self._buf[: 4 + length]
            env = wire_pb2.Envelope()
            try:
                env.ParseFromString(body)
            except Exception as e:  # protobuf raises DecodeError; any failure means a broken stream
                raise FluxionError(
                    StatusCode.INTERNAL, f"server frame of {length} bytes does not decode as Envelope: {e}"
                ) from e
            yield env
