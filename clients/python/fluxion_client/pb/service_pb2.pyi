from . import twin_pb2 as _twin_pb2
from . import detectors_pb2 as _detectors_pb2
from . import alerts_pb2 as _alerts_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
METHOD_KIND_SERVER_STREAMING: MethodKind
METHOD_KIND_UNARY: MethodKind
METHOD_KIND_UNSPECIFIED: MethodKind
SERVING_STATUS_NOT_SERVING: ServingStatus
SERVING_STATUS_SERVING: ServingStatus
SERVING_STATUS_UNSPECIFIED: ServingStatus

class Counter(_message.Message):
    __slots__ = ["name", "value"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: int
    def __init__(self, name: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...

class GetServerInfoRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class HealthRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class HealthResponse(_message.Message):
    __slots__ = ["connections", "open_calls", "scenario", "sim_time_s", "status", "uptime_s"]
    CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    OPEN_CALLS_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UPTIME_S_FIELD_NUMBER: _ClassVar[int]
    connections: int
    open_calls: int
    scenario: str
    sim_time_s: float
    status: ServingStatus
    uptime_s: float
    def __init__(self, status: _Optional[_Union[ServingStatus, str]] = ..., uptime_s: _Optional[float] = ..., connections: _Optional[int] = ..., open_calls: _Optional[int] = ..., sim_time_s: _Optional[float] = ..., scenario: _Optional[str] = ...) -> None: ...

class MethodInfo(_message.Message):
    __slots__ = ["implemented", "kind", "name"]
    IMPLEMENTED_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    implemented: bool
    kind: MethodKind
    name: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[MethodKind, str]] = ..., implemented: bool = ...) -> None: ...

class ServerInfo(_message.Message):
    __slots__ = ["field_counters", "idle_timeout_ms", "max_concurrent_calls", "max_frame_bytes", "methods", "protocol_version", "scenario", "server_name", "server_version", "started_wall_unix_ns"]
    FIELD_COUNTERS_FIELD_NUMBER: _ClassVar[int]
    IDLE_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_CALLS_FIELD_NUMBER: _ClassVar[int]
    MAX_FRAME_BYTES_FIELD_NUMBER: _ClassVar[int]
    METHODS_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    SERVER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    STARTED_WALL_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    field_counters: _containers.RepeatedCompositeFieldContainer[Counter]
    idle_timeout_ms: int
    max_concurrent_calls: int
    max_frame_bytes: int
    methods: _containers.RepeatedCompositeFieldContainer[MethodInfo]
    protocol_version: int
    scenario: str
    server_name: str
    server_version: str
    started_wall_unix_ns: int
    def __init__(self, server_name: _Optional[str] = ..., server_version: _Optional[str] = ..., protocol_version: _Optional[int] = ..., max_frame_bytes: _Optional[int] = ..., max_concurrent_calls: _Optional[int] = ..., idle_timeout_ms: _Optional[int] = ..., started_wall_unix_ns: _Optional[int] = ..., scenario: _Optional[str] = ..., methods: _Optional[_Iterable[_Union[MethodInfo, _Mapping]]] = ..., field_counters: _Optional[_Iterable[_Union[Counter, _Mapping]]] = ...) -> None: ...

class ServingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MethodKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
