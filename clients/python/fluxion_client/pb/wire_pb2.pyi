from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
FRAME_KIND_CANCEL: FrameKind
FRAME_KIND_END: FrameKind
FRAME_KIND_GOAWAY: FrameKind
FRAME_KIND_HELLO: FrameKind
FRAME_KIND_MESSAGE: FrameKind
FRAME_KIND_PING: FrameKind
FRAME_KIND_PONG: FrameKind
FRAME_KIND_REQUEST: FrameKind
FRAME_KIND_UNSPECIFIED: FrameKind
STATUS_CODE_ABORTED: StatusCode
STATUS_CODE_ALREADY_EXISTS: StatusCode
STATUS_CODE_CANCELLED: StatusCode
STATUS_CODE_DATA_LOSS: StatusCode
STATUS_CODE_DEADLINE_EXCEEDED: StatusCode
STATUS_CODE_FAILED_PRECONDITION: StatusCode
STATUS_CODE_INTERNAL: StatusCode
STATUS_CODE_INVALID_ARGUMENT: StatusCode
STATUS_CODE_NOT_FOUND: StatusCode
STATUS_CODE_OK: StatusCode
STATUS_CODE_OUT_OF_RANGE: StatusCode
STATUS_CODE_PERMISSION_DENIED: StatusCode
STATUS_CODE_RESOURCE_EXHAUSTED: StatusCode
STATUS_CODE_UNAUTHENTICATED: StatusCode
STATUS_CODE_UNAVAILABLE: StatusCode
STATUS_CODE_UNIMPLEMENTED: StatusCode
STATUS_CODE_UNKNOWN: StatusCode

class Envelope(_message.Message):
    __slots__ = ["call_id", "kind", "metadata", "method", "payload", "status", "status_message"]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    kind: FrameKind
    metadata: _containers.RepeatedCompositeFieldContainer[MetadataEntry]
    method: str
    payload: bytes
    status: StatusCode
    status_message: str
    def __init__(self, call_id: _Optional[int] = ..., kind: _Optional[_Union[FrameKind, str]] = ..., method: _Optional[str] = ..., status: _Optional[_Union[StatusCode, str]] = ..., status_message: _Optional[str] = ..., metadata: _Optional[_Iterable[_Union[MetadataEntry, _Mapping]]] = ..., payload: _Optional[bytes] = ...) -> None: ...

class MetadataEntry(_message.Message):
    __slots__ = ["key", "value"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class ServerHello(_message.Message):
    __slots__ = ["idle_timeout_ms", "max_concurrent_calls", "max_frame_bytes", "protocol_version", "server_name", "server_version"]
    IDLE_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_CALLS_FIELD_NUMBER: _ClassVar[int]
    MAX_FRAME_BYTES_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    idle_timeout_ms: int
    max_concurrent_calls: int
    max_frame_bytes: int
    protocol_version: int
    server_name: str
    server_version: str
    def __init__(self, protocol_version: _Optional[int] = ..., server_name: _Optional[str] = ..., server_version: _Optional[str] = ..., max_frame_bytes: _Optional[int] = ..., max_concurrent_calls: _Optional[int] = ..., idle_timeout_ms: _Optional[int] = ...) -> None: ...

class FrameKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class StatusCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
