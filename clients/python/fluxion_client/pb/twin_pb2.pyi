from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
LEAK_STATE_ACTIVE: LeakState
LEAK_STATE_CLEARED: LeakState
LEAK_STATE_SCHEDULED: LeakState
LEAK_STATE_UNSPECIFIED: LeakState
QUANTITY_DENSITY: Quantity
QUANTITY_DIFFERENTIAL_PRESSURE: Quantity
QUANTITY_FLOW: Quantity
QUANTITY_HEAD: Quantity
QUANTITY_PRESSURE: Quantity
QUANTITY_TEMPERATURE: Quantity
QUANTITY_TOTALIZED_FLOW: Quantity
QUANTITY_UNSPECIFIED: Quantity
SENSOR_FAULT_DROPOUT: SensorFault
SENSOR_FAULT_FREEZE: SensorFault
SENSOR_FAULT_NONE: SensorFault

class ClearLeakRequest(_message.Message):
    __slots__ = ["leak_id"]
    LEAK_ID_FIELD_NUMBER: _ClassVar[int]
    leak_id: str
    def __init__(self, leak_id: _Optional[str] = ...) -> None: ...

class ClearLeakResponse(_message.Message):
    __slots__ = ["leak"]
    LEAK_FIELD_NUMBER: _ClassVar[int]
    leak: Leak
    def __init__(self, leak: _Optional[_Union[Leak, _Mapping]] = ...) -> None: ...

class Clock(_message.Message):
    __slots__ = ["free_running", "paused", "sim_time_s", "speed", "tick", "time_step_s"]
    FREE_RUNNING_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    TICK_FIELD_NUMBER: _ClassVar[int]
    TIME_STEP_S_FIELD_NUMBER: _ClassVar[int]
    free_running: bool
    paused: bool
    sim_time_s: float
    speed: float
    tick: int
    time_step_s: float
    def __init__(self, sim_time_s: _Optional[float] = ..., speed: _Optional[float] = ..., paused: bool = ..., free_running: bool = ..., tick: _Optional[int] = ..., time_step_s: _Optional[float] = ...) -> None: ...

class GetClockRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetTopologyRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class InjectLeakRequest(_message.Message):
    __slots__ = ["discharge_coefficient", "effective_area_m2", "line", "pipe", "ramp_s", "size_fraction", "start_sim_time_s"]
    DISCHARGE_COEFFICIENT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_AREA_M2_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    PIPE_FIELD_NUMBER: _ClassVar[int]
    RAMP_S_FIELD_NUMBER: _ClassVar[int]
    SIZE_FRACTION_FIELD_NUMBER: _ClassVar[int]
    START_SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    discharge_coefficient: float
    effective_area_m2: float
    line: LineChainage
    pipe: PipePosition
    ramp_s: float
    size_fraction: float
    start_sim_time_s: float
    def __init__(self, pipe: _Optional[_Union[PipePosition, _Mapping]] = ..., line: _Optional[_Union[LineChainage, _Mapping]] = ..., size_fraction: _Optional[float] = ..., effective_area_m2: _Optional[float] = ..., start_sim_time_s: _Optional[float] = ..., ramp_s: _Optional[float] = ..., discharge_coefficient: _Optional[float] = ...) -> None: ...

class InjectLeakResponse(_message.Message):
    __slots__ = ["leak", "warnings"]
    LEAK_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    leak: Leak
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, leak: _Optional[_Union[Leak, _Mapping]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class Leak(_message.Message):
    __slots__ = ["chainage_m", "cleared_sim_time_s", "cleared_wall_unix_ns", "created_wall_unix_ns", "current_flow", "discharge_coefficient", "effective_area_m2", "leak_id", "line_id", "pipe_id", "position_m", "ramp_s", "size_fraction", "source", "start_sim_time_s", "state"]
    CHAINAGE_M_FIELD_NUMBER: _ClassVar[int]
    CLEARED_SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    CLEARED_WALL_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    CREATED_WALL_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FLOW_FIELD_NUMBER: _ClassVar[int]
    DISCHARGE_COEFFICIENT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_AREA_M2_FIELD_NUMBER: _ClassVar[int]
    LEAK_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PIPE_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_M_FIELD_NUMBER: _ClassVar[int]
    RAMP_S_FIELD_NUMBER: _ClassVar[int]
    SIZE_FRACTION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    START_SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    chainage_m: float
    cleared_sim_time_s: float
    cleared_wall_unix_ns: int
    created_wall_unix_ns: int
    current_flow: float
    discharge_coefficient: float
    effective_area_m2: float
    leak_id: str
    line_id: str
    pipe_id: str
    position_m: float
    ramp_s: float
    size_fraction: float
    source: str
    start_sim_time_s: float
    state: LeakState
    def __init__(self, leak_id: _Optional[str] = ..., pipe_id: _Optional[str] = ..., position_m: _Optional[float] = ..., line_id: _Optional[str] = ..., chainage_m: _Optional[float] = ..., effective_area_m2: _Optional[float] = ..., discharge_coefficient: _Optional[float] = ..., size_fraction: _Optional[float] = ..., start_sim_time_s: _Optional[float] = ..., ramp_s: _Optional[float] = ..., state: _Optional[_Union[LeakState, str]] = ..., cleared_sim_time_s: _Optional[float] = ..., created_wall_unix_ns: _Optional[int] = ..., cleared_wall_unix_ns: _Optional[int] = ..., current_flow: _Optional[float] = ..., source: _Optional[str] = ...) -> None: ...

class LineChainage(_message.Message):
    __slots__ = ["chainage_m", "line_id"]
    CHAINAGE_M_FIELD_NUMBER: _ClassVar[int]
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    chainage_m: float
    line_id: str
    def __init__(self, line_id: _Optional[str] = ..., chainage_m: _Optional[float] = ...) -> None: ...

class ListLeaksRequest(_message.Message):
    __slots__ = ["include_cleared"]
    INCLUDE_CLEARED_FIELD_NUMBER: _ClassVar[int]
    include_cleared: bool
    def __init__(self, include_cleared: bool = ...) -> None: ...

class ListLeaksResponse(_message.Message):
    __slots__ = ["leaks"]
    LEAKS_FIELD_NUMBER: _ClassVar[int]
    leaks: _containers.RepeatedCompositeFieldContainer[Leak]
    def __init__(self, leaks: _Optional[_Iterable[_Union[Leak, _Mapping]]] = ...) -> None: ...

class PipePosition(_message.Message):
    __slots__ = ["pipe_id", "position_m"]
    PIPE_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_M_FIELD_NUMBER: _ClassVar[int]
    pipe_id: str
    position_m: float
    def __init__(self, pipe_id: _Optional[str] = ..., position_m: _Optional[float] = ...) -> None: ...

class Point(_message.Message):
    __slots__ = ["x_m", "y_m"]
    X_M_FIELD_NUMBER: _ClassVar[int]
    Y_M_FIELD_NUMBER: _ClassVar[int]
    x_m: float
    y_m: float
    def __init__(self, x_m: _Optional[float] = ..., y_m: _Optional[float] = ...) -> None: ...

class Reading(_message.Message):
    __slots__ = ["quantity", "sensor_id", "sim_time_s", "unit", "valid", "value", "wall_time_unix_ns"]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    WALL_TIME_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    quantity: Quantity
    sensor_id: str
    sim_time_s: float
    unit: str
    valid: bool
    value: float
    wall_time_unix_ns: int
    def __init__(self, sensor_id: _Optional[str] = ..., quantity: _Optional[_Union[Quantity, str]] = ..., value: _Optional[float] = ..., unit: _Optional[str] = ..., sim_time_s: _Optional[float] = ..., wall_time_unix_ns: _Optional[int] = ..., valid: bool = ...) -> None: ...

class ReadingBatch(_message.Message):
    __slots__ = ["readings", "sim_time_s", "skipped_batches", "tick", "wall_time_unix_ns"]
    READINGS_FIELD_NUMBER: _ClassVar[int]
    SIM_TIME_S_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_BATCHES_FIELD_NUMBER: _ClassVar[int]
    TICK_FIELD_NUMBER: _ClassVar[int]
    WALL_TIME_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    readings: _containers.RepeatedCompositeFieldContainer[Reading]
    sim_time_s: float
    skipped_batches: int
    tick: int
    wall_time_unix_ns: int
    def __init__(self, tick: _Optional[int] = ..., sim_time_s: _Optional[float] = ..., wall_time_unix_ns: _Optional[int] = ..., readings: _Optional[_Iterable[_Union[Reading, _Mapping]]] = ..., skipped_batches: _Optional[int] = ...) -> None: ...

class SetClockRequest(_message.Message):
    __slots__ = ["free_running", "paused", "speed"]
    FREE_RUNNING_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    free_running: bool
    paused: bool
    speed: float
    def __init__(self, speed: _Optional[float] = ..., paused: bool = ..., free_running: bool = ...) -> None: ...

class SetSensorFaultRequest(_message.Message):
    __slots__ = ["fault", "sensor_id"]
    FAULT_FIELD_NUMBER: _ClassVar[int]
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    fault: SensorFault
    sensor_id: str
    def __init__(self, sensor_id: _Optional[str] = ..., fault: _Optional[_Union[SensorFault, str]] = ...) -> None: ...

class SetSensorFaultResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class StreamReadingsRequest(_message.Message):
    __slots__ = ["decimation", "max_rate_hz", "pipe_ids", "quantities", "sensor_ids", "station_ids"]
    DECIMATION_FIELD_NUMBER: _ClassVar[int]
    MAX_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    PIPE_IDS_FIELD_NUMBER: _ClassVar[int]
    QUANTITIES_FIELD_NUMBER: _ClassVar[int]
    SENSOR_IDS_FIELD_NUMBER: _ClassVar[int]
    STATION_IDS_FIELD_NUMBER: _ClassVar[int]
    decimation: int
    max_rate_hz: float
    pipe_ids: _containers.RepeatedScalarFieldContainer[str]
    quantities: _containers.RepeatedScalarFieldContainer[Quantity]
    sensor_ids: _containers.RepeatedScalarFieldContainer[str]
    station_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, sensor_ids: _Optional[_Iterable[str]] = ..., pipe_ids: _Optional[_Iterable[str]] = ..., station_ids: _Optional[_Iterable[str]] = ..., quantities: _Optional[_Iterable[_Union[Quantity, str]]] = ..., max_rate_hz: _Optional[float] = ..., decimation: _Optional[int] = ...) -> None: ...

class Topology(_message.Message):
    __slots__ = ["fluid", "lines", "nodes", "pipes", "scenario", "sensors", "stations"]
    FLUID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    PIPES_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    SENSORS_FIELD_NUMBER: _ClassVar[int]
    STATIONS_FIELD_NUMBER: _ClassVar[int]
    fluid: str
    lines: _containers.RepeatedCompositeFieldContainer[TopologyLine]
    nodes: _containers.RepeatedCompositeFieldContainer[TopologyNode]
    pipes: _containers.RepeatedCompositeFieldContainer[TopologyPipe]
    scenario: str
    sensors: _containers.RepeatedCompositeFieldContainer[TopologySensor]
    stations: _containers.RepeatedCompositeFieldContainer[TopologyStation]
    def __init__(self, scenario: _Optional[str] = ..., fluid: _Optional[str] = ..., nodes: _Optional[_Iterable[_Union[TopologyNode, _Mapping]]] = ..., pipes: _Optional[_Iterable[_Union[TopologyPipe, _Mapping]]] = ..., stations: _Optional[_Iterable[_Union[TopologyStation, _Mapping]]] = ..., sensors: _Optional[_Iterable[_Union[TopologySensor, _Mapping]]] = ..., lines: _Optional[_Iterable[_Union[TopologyLine, _Mapping]]] = ...) -> None: ...

class TopologyLine(_message.Message):
    __slots__ = ["id", "length_m", "pipe_ids"]
    ID_FIELD_NUMBER: _ClassVar[int]
    LENGTH_M_FIELD_NUMBER: _ClassVar[int]
    PIPE_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    length_m: float
    pipe_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., pipe_ids: _Optional[_Iterable[str]] = ..., length_m: _Optional[float] = ...) -> None: ...

class TopologyNode(_message.Message):
    __slots__ = ["elevation_m", "id", "kind", "location", "station_id"]
    ELEVATION_M_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    elevation_m: float
    id: str
    kind: str
    location: Point
    station_id: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., location: _Optional[_Union[Point, _Mapping]] = ..., elevation_m: _Optional[float] = ..., station_id: _Optional[str] = ...) -> None: ...

class TopologyPipe(_message.Message):
    __slots__ = ["chainage_start_m", "diameter_m", "from_node", "geometry", "id", "length_m", "line_id", "nominal_flow", "to_node", "wave_speed_m_per_s"]
    CHAINAGE_START_M_FIELD_NUMBER: _ClassVar[int]
    DIAMETER_M_FIELD_NUMBER: _ClassVar[int]
    FROM_NODE_FIELD_NUMBER: _ClassVar[int]
    GEOMETRY_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LENGTH_M_FIELD_NUMBER: _ClassVar[int]
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    NOMINAL_FLOW_FIELD_NUMBER: _ClassVar[int]
    TO_NODE_FIELD_NUMBER: _ClassVar[int]
    WAVE_SPEED_M_PER_S_FIELD_NUMBER: _ClassVar[int]
    chainage_start_m: float
    diameter_m: float
    from_node: str
    geometry: _containers.RepeatedCompositeFieldContainer[Point]
    id: str
    length_m: float
    line_id: str
    nominal_flow: float
    to_node: str
    wave_speed_m_per_s: float
    def __init__(self, id: _Optional[str] = ..., from_node: _Optional[str] = ..., to_node: _Optional[str] = ..., length_m: _Optional[float] = ..., diameter_m: _Optional[float] = ..., wave_speed_m_per_s: _Optional[float] = ..., line_id: _Optional[str] = ..., chainage_start_m: _Optional[float] = ..., geometry: _Optional[_Iterable[_Union[Point, _Mapping]]] = ..., nominal_flow: _Optional[float] = ...) -> None: ...

class TopologySensor(_message.Message):
    __slots__ = ["id", "node_id", "pipe_id", "position_m", "quantity", "sample_rate_hz", "station_id", "unit"]
    ID_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    PIPE_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_M_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    id: str
    node_id: str
    pipe_id: str
    position_m: float
    quantity: Quantity
    sample_rate_hz: float
    station_id: str
    unit: str
    def __init__(self, id: _Optional[str] = ..., quantity: _Optional[_Union[Quantity, str]] = ..., unit: _Optional[str] = ..., pipe_id: _Optional[str] = ..., position_m: _Optional[float] = ..., node_id: _Optional[str] = ..., station_id: _Optional[str] = ..., sample_rate_hz: _Optional[float] = ...) -> None: ...

class TopologyStation(_message.Message):
    __slots__ = ["id", "location", "name", "node_id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    location: Point
    name: str
    node_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., node_id: _Optional[str] = ..., location: _Optional[_Union[Point, _Mapping]] = ...) -> None: ...

class Quantity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LeakState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class SensorFault(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
