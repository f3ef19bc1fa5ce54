from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ALARM_STATE_ACKED_ACTIVE: AlarmState
ALARM_STATE_NORMAL: AlarmState
ALARM_STATE_SHELVED: AlarmState
ALARM_STATE_UNACKED_ACTIVE: AlarmState
ALARM_STATE_UNACKED_RETURNED: AlarmState
ALARM_STATE_UNSPECIFIED: AlarmState
ALERT_EVENT_KIND_ACKNOWLEDGED: AlertEventKind
ALERT_EVENT_KIND_CLEARED: AlertEventKind
ALERT_EVENT_KIND_RAISED: AlertEventKind
ALERT_EVENT_KIND_SHELVED: AlertEventKind
ALERT_EVENT_KIND_UNSHELVED: AlertEventKind
ALERT_EVENT_KIND_UNSPECIFIED: AlertEventKind
ALERT_EVENT_KIND_UPDATED: AlertEventKind
ALERT_GROUPING_DETECTOR: AlertGrouping
ALERT_GROUPING_HOUR_OF_DAY: AlertGrouping
ALERT_GROUPING_NETWORK: AlertGrouping
ALERT_GROUPING_STATION: AlertGrouping
ALERT_GROUPING_UNSPECIFIED: AlertGrouping
ALERT_STATE_CLEARED: AlertState
ALERT_STATE_RAISED: AlertState
ALERT_STATE_UNSPECIFIED: AlertState
DESCRIPTOR: _descriptor.FileDescriptor
SEVERITY_CRITICAL: Severity
SEVERITY_HIGH: Severity
SEVERITY_LOW: Severity
SEVERITY_MEDIUM: Severity
SEVERITY_UNSPECIFIED: Severity
SHELVE_KIND_ONE_SHOT: ShelveKind
SHELVE_KIND_TIMED: ShelveKind
SHELVE_KIND_UNSPECIFIED: ShelveKind

class AcknowledgeAlertRequest(_message.Message):
    __slots__ = ["alert_id", "comment", "network", "operator_name"]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_NAME_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    comment: str
    network: str
    operator_name: str
    def __init__(self, alert_id: _Optional[str] = ..., network: _Optional[str] = ..., comment: _Optional[str] = ..., operator_name: _Optional[str] = ...) -> None: ...

class AcknowledgeAlertResponse(_message.Message):
    __slots__ = ["alert"]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...

class Acknowledgement(_message.Message):
    __slots__ = ["comment", "operator_name", "token_id", "wall_unix_ns"]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_NAME_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    WALL_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    comment: str
    operator_name: str
    token_id: str
    wall_unix_ns: int
    def __init__(self, operator_name: _Optional[str] = ..., token_id: _Optional[str] = ..., wall_unix_ns: _Optional[int] = ..., comment: _Optional[str] = ...) -> None: ...

class AggregateAlertsRequest(_message.Message):
    __slots__ = ["filter", "group_by"]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    filter: AlertFilter
    group_by: AlertGrouping
    def __init__(self, filter: _Optional[_Union[AlertFilter, _Mapping]] = ..., group_by: _Optional[_Union[AlertGrouping, str]] = ...) -> None: ...

class AggregateAlertsResponse(_message.Message):
    __slots__ = ["buckets"]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    buckets: _containers.RepeatedCompositeFieldContainer[AlertBucket]
    def __init__(self, buckets: _Optional[_Iterable[_Union[AlertBucket, _Mapping]]] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ["acknowledgement", "alarm_state", "alert_id", "cleared_sim_time_s", "cleared_wall_unix_ns", "detector", "estimated_size_fraction", "matched_leak_id", "network", "pipe_id", "position_m", "probability", "raised_sim_time_s", "raised_wall_unix_ns", "segment_id", "severity", "shelving", "state", "station_id"]
    ACKNOWLEDGEMENT_FIELD_NUMBER: _ClassVar[int]
    ALARM_STATE_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    CLEARED_SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    CLEARED_WALL_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_SIZE_FRACTION_FIELD_NUMBER: _ClassVar[int]
    MATCHED_LEAK_ID_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    PIPE_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_M_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    RAISED_SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    RAISED_WALL_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SHELVING_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    acknowledgement: Acknowledgement
    alarm_state: AlarmState
    alert_id: str
    cleared_sim_time_s: float
    cleared_wall_unix_ns: int
    detector: str
    estimated_size_fraction: float
    matched_leak_id: str
    network: str
    pipe_id: str
    position_m: float
    probability: float
    raised_sim_time_s: float
    raised_wall_unix_ns: int
    segment_id: str
    severity: Severity
    shelving: Shelving
    state: AlertState
    station_id: str
    def __init__(self, alert_id: _Optional[str] = ..., detector: _Optional[str] = ..., state: _Optional[_Union[AlertState, str]] = ..., raised_sim_time_s: _Optional[float] = ..., raised_wall_unix_ns: _Optional[int] = ..., cleared_sim_time_s: _Optional[float] = ..., cleared_wall_unix_ns: _Optional[int] = ..., probability: _Optional[float] = ..., severity: _Optional[_Union[Severity, str]] = ..., pipe_id: _Optional[str] = ..., position_m: _Optional[float] = ..., station_id: _Optional[str] = ..., segment_id: _Optional[str] = ..., estimated_size_fraction: _Optional[float] = ..., matched_leak_id: _Optional[str] = ..., network: _Optional[str] = ..., alarm_state: _Optional[_Union[AlarmState, str]] = ..., acknowledgement: _Optional[_Union[Acknowledgement, _Mapping]] = ..., shelving: _Optional[_Union[Shelving, _Mapping]] = ...) -> None: ...

class AlertBucket(_message.Message):
    __slots__ = ["count", "key", "max_probability", "mean_probability"]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    MAX_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    MEAN_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    count: int
    key: str
    max_probability: float
    mean_probability: float
    def __init__(self, key: _Optional[str] = ..., count: _Optional[int] = ..., mean_probability: _Optional[float] = ..., max_probability: _Optional[float] = ...) -> None: ...

class AlertEvent(_message.Message):
    __slots__ = ["alert", "kind", "operator_name", "token_id"]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_NAME_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    kind: AlertEventKind
    operator_name: str
    token_id: str
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ..., kind: _Optional[_Union[AlertEventKind, str]] = ..., operator_name: _Optional[str] = ..., token_id: _Optional[str] = ...) -> None: ...

class AlertFilter(_message.Message):
    __slots__ = ["alarm_states", "detectors", "min_probability", "min_severity", "networks", "pipe_ids", "sim_time", "state", "station_ids", "wall_time"]
    ALARM_STATES_FIELD_NUMBER: _ClassVar[int]
    DETECTORS_FIELD_NUMBER: _ClassVar[int]
    MIN_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    PIPE_IDS_FIELD_NUMBER: _ClassVar[int]
    SIM_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATION_IDS_FIELD_NUMBER: _ClassVar[int]
    WALL_TIME_FIELD_NUMBER: _ClassVar[int]
    alarm_states: _containers.RepeatedScalarFieldContainer[AlarmState]
    detectors: _containers.RepeatedScalarFieldContainer[str]
    min_probability: float
    min_severity: Severity
    networks: _containers.RepeatedScalarFieldContainer[str]
    pipe_ids: _containers.RepeatedScalarFieldContainer[str]
    sim_time: SimTimeRange
    state: AlertState
    station_ids: _containers.RepeatedScalarFieldContainer[str]
    wall_time: WallTimeRange
    def __init__(self, sim_time: _Optional[_Union[SimTimeRange, _Mapping]] = ..., wall_time: _Optional[_Union[WallTimeRange, _Mapping]] = ..., detectors: _Optional[_Iterable[str]] = ..., station_ids: _Optional[_Iterable[str]] = ..., pipe_ids: _Optional[_Iterable[str]] = ..., state: _Optional[_Union[AlertState, str]] = ..., min_probability: _Optional[float] = ..., min_severity: _Optional[_Union[Severity, str]] = ..., networks: _Optional[_Iterable[str]] = ..., alarm_states: _Optional[_Iterable[_Union[AlarmState, str]]] = ...) -> None: ...

class QueryAlertsRequest(_message.Message):
    __slots__ = ["filter", "page_size", "page_token"]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    filter: AlertFilter
    page_size: int
    page_token: str
    def __init__(self, filter: _Optional[_Union[AlertFilter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class QueryAlertsResponse(_message.Message):
    __slots__ = ["alerts", "next_page_token", "total_count"]
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    next_page_token: str
    total_count: int
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_count: _Optional[int] = ...) -> None: ...

class ShelveAlertRequest(_message.Message):
    __slots__ = ["alert_id", "duration_s", "kind", "network", "operator_name", "reason"]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    duration_s: float
    kind: ShelveKind
    network: str
    operator_name: str
    reason: str
    def __init__(self, alert_id: _Optional[str] = ..., network: _Optional[str] = ..., kind: _Optional[_Union[ShelveKind, str]] = ..., duration_s: _Optional[float] = ..., reason: _Optional[str] = ..., operator_name: _Optional[str] = ...) -> None: ...

class ShelveAlertResponse(_message.Message):
    __slots__ = ["alert"]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...

class Shelving(_message.Message):
    __slots__ = ["kind", "operator_name", "reason", "shelved_wall_unix_ns", "token_id", "until_wall_unix_ns"]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SHELVED_WALL_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    UNTIL_WALL_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    kind: ShelveKind
    operator_name: str
    reason: str
    shelved_wall_unix_ns: int
    token_id: str
    until_wall_unix_ns: int
    def __init__(self, kind: _Optional[_Union[ShelveKind, str]] = ..., until_wall_unix_ns: _Optional[int] = ..., reason: _Optional[str] = ..., operator_name: _Optional[str] = ..., token_id: _Optional[str] = ..., shelved_wall_unix_ns: _Optional[int] = ...) -> None: ...

class SimTimeRange(_message.Message):
    __slots__ = ["end_s", "start_s"]
    END_S_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    end_s: float
    start_s: float
    def __init__(self, start_s: _Optional[float] = ..., end_s: _Optional[float] = ...) -> None: ...

class StreamAlertsRequest(_message.Message):
    __slots__ = ["filter"]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: AlertFilter
    def __init__(self, filter: _Optional[_Union[AlertFilter, _Mapping]] = ...) -> None: ...

class UnshelveAlertRequest(_message.Message):
    __slots__ = ["alert_id", "network", "operator_name"]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_NAME_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    network: str
    operator_name: str
    def __init__(self, alert_id: _Optional[str] = ..., network: _Optional[str] = ..., operator_name: _Optional[str] = ...) -> None: ...

class UnshelveAlertResponse(_message.Message):
    __slots__ = ["alert"]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...

class WallTimeRange(_message.Message):
    __slots__ = ["end_unix_ns", "start_unix_ns"]
    END_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    START_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    end_unix_ns: int
    start_unix_ns: int
    def __init__(self, start_unix_ns: _Optional[int] = ..., end_unix_ns: _Optional[int] = ...) -> None: ...

class AlertState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class AlarmState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ShelveKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class AlertGrouping(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class AlertEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
