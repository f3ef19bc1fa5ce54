from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
DETECTOR_STATE_ACTIVE: DetectorState
DETECTOR_STATE_AVAILABLE: DetectorState
DETECTOR_STATE_FAILED: DetectorState
DETECTOR_STATE_LOADED: DetectorState
DETECTOR_STATE_UNSPECIFIED: DetectorState

class ActivateDetectorRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeactivateDetectorRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DetectorInfo(_message.Message):
    __slots__ = ["abi_version", "description", "last_error", "leak_probability", "learning_remaining_s", "name", "plugin", "samples_seen", "state", "version"]
    ABI_VERSION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LEAK_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    LEARNING_REMAINING_S_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_SEEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    abi_version: int
    description: str
    last_error: str
    leak_probability: float
    learning_remaining_s: float
    name: str
    plugin: str
    samples_seen: int
    state: DetectorState
    version: str
    def __init__(self, name: _Optional[str] = ..., plugin: _Optional[str] = ..., version: _Optional[str] = ..., description: _Optional[str] = ..., state: _Optional[_Union[DetectorState, str]] = ..., abi_version: _Optional[int] = ..., last_error: _Optional[str] = ..., leak_probability: _Optional[float] = ..., samples_seen: _Optional[int] = ..., learning_remaining_s: _Optional[float] = ...) -> None: ...

class DetectorResponse(_message.Message):
    __slots__ = ["detectors"]
    DETECTORS_FIELD_NUMBER: _ClassVar[int]
    detectors: _containers.RepeatedCompositeFieldContainer[DetectorInfo]
    def __init__(self, detectors: _Optional[_Iterable[_Union[DetectorInfo, _Mapping]]] = ...) -> None: ...

class ListDetectorsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListDetectorsResponse(_message.Message):
    __slots__ = ["detectors"]
    DETECTORS_FIELD_NUMBER: _ClassVar[int]
    detectors: _containers.RepeatedCompositeFieldContainer[DetectorInfo]
    def __init__(self, detectors: _Optional[_Iterable[_Union[DetectorInfo, _Mapping]]] = ...) -> None: ...

class LoadDetectorRequest(_message.Message):
    __slots__ = ["config_json", "name", "plugin"]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    config_json: str
    name: str
    plugin: str
    def __init__(self, plugin: _Optional[str] = ..., name: _Optional[str] = ..., config_json: _Optional[str] = ...) -> None: ...

class SwapDetectorRequest(_message.Message):
    __slots__ = ["activate", "deactivate"]
    ACTIVATE_FIELD_NUMBER: _ClassVar[int]
    DEACTIVATE_FIELD_NUMBER: _ClassVar[int]
    activate: str
    deactivate: str
    def __init__(self, deactivate: _Optional[str] = ..., activate: _Optional[str] = ...) -> None: ...

class DetectorState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
