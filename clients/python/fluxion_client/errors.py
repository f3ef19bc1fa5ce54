"""Status codes and the one exception type of the client (PROTOCOL.md §5)."""
from __future__ import annotations

import enum


class StatusCode(enum.IntEnum):
    """gRPC status codes; same numbers as fluxion.v1.StatusCode."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @classmethod
    def from_wire(cls, value: int) -> "StatusCode":
        # PROTOCOL.md §5: a number the client does not know is treated as UNKNOWN.
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


class FluxionError(Exception):
    """A call or the connection failed with a status (from the server or decided locally)."""

    def __init__(self, code: StatusCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
