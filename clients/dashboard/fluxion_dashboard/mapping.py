"""The message mapping: protobuf messages of fluxiond to the JSON the page reads, and the page's
form values to request messages.

Everything the browser sees goes through here, so the page depends on this module's JSON, not on
the protobuf classes. Names follow the .proto fields (snake_case); enum values are spelled as the
CLI, CSV and JSON of `fluxion` spell them: the value's name without its prefix, in lower case
(`ALERT_STATE_RAISED` -> "raised"). An enum number this client does not know is kept as its
number in text ("7"), never dropped.

Form values are parsed, never range-checked: a value of the right type goes to the server as
given, and the server's error text is what the operator sees (next to the field it names, see
`error_field`). A value that is not a number at all is refused here, naming the field.
"""
from __future__ import annotations

import csv
import io
import math
import re
from typing import Any, Iterable, Mapping, Optional

from fluxion_client import FluxionError, StatusCode, alerts_pb2, detectors_pb2, twin_pb2
from google.protobuf.descriptor import EnumDescriptor

JSON = dict[str, Any]


class FormError(ValueError):
    """A form value that cannot be sent at all (not a number, missing); `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = f"{field}: {message}"


# ---- enums -------------------------------------------------------------------------------------


def _prefix(desc: EnumDescriptor) -> str:
    """The common prefix of an enum's value names: `ALERT_STATE_` for AlertState."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", desc.name).upper() + "_"


def enum_name(desc: EnumDescriptor, number: int) -> str:
    """`number` of enum `desc` spelled as the CLI does ("raised", "differential_pressure")."""
    value = desc.values_by_number.get(number)
    if value is None:
        return str(number)
    name = value.name
    prefix = _prefix(desc)
    return (name[len(prefix):] if name.startswith(prefix) else name).lower()


def enum_number(desc: EnumDescriptor, name: str) -> int:
    """The number of the value `enum_name` spells `name`; ValueError for any other text."""
    for value in desc.values:
        if enum_name(desc, value.number) == name:
            return value.number
    raise ValueError(f"unknown {desc.name} '{name}'")


QUANTITY = twin_pb2.DESCRIPTOR.enum_types_by_name["Quantity"]
LEAK_STATE = twin_pb2.DESCRIPTOR.enum_types_by_name["LeakState"]
SENSOR_FAULT = twin_pb2.DESCRIPTOR.enum_types_by_name["SensorFault"]
DETECTOR_STATE = detectors_pb2.DESCRIPTOR.enum_types_by_name["DetectorState"]
ALERT_STATE = alerts_pb2.DESCRIPTOR.enum_types_by_name["AlertState"]
SEVERITY = alerts_pb2.DESCRIPTOR.enum_types_by_name["Severity"]
GROUPING = alerts_pb2.DESCRIPTOR.enum_types_by_name["AlertGrouping"]
ALARM_STATE = alerts_pb2.DESCRIPTOR.enum_types_by_name["AlarmState"]
SHELVE_KIND = alerts_pb2.DESCRIPTOR.enum_types_by_name["ShelveKind"]
EVENT_KIND = alerts_pb2.DESCRIPTOR.enum_types_by_name["AlertEventKind"]


# ---- twin --------------------------------------------------------------------------------------


def point(p: twin_pb2.Point) -> list[float]:
    return [p.x_m, p.y_m]


def topology(t: twin_pb2.Topology) -> JSON:
    """The network for the map and the tiles. A pipe without geometry gets its two end nodes'
    locations, so the page always has a polyline to draw."""
    nodes = {n.id: n for n in t.nodes}

    def geometry(p: twin_pb2.TopologyPipe) -> list[list[float]]:
        if len(p.geometry) >= 2:
            return [point(q) for q in p.geometry]
        a, b = nodes.get(p.from_node), nodes.get(p.to_node)
        return [point(a.location), point(b.location)] if a is not None and b is not None else []

    return {
        "scenario": t.scenario,
        "fluid": t.fluid,
        "nodes": [
            {"id": n.id, "kind": n.kind, "location": point(n.location), "elevation_m": n.elevation_m, "station_id": n.station_id}
            for n in t.nodes
        ],
        "pipes": [
            {
                "id": p.id,
                "from_node": p.from_node,
                "to_node": p.to_node,
                "length_m": p.length_m,
                "diameter_m": p.diameter_m,
                "line_id": p.line_id,
                "chainage_start_m": p.chainage_start_m,
                "nominal_flow": p.nominal_flow,
                "geometry": geometry(p),
            }
            for p in t.pipes
        ],
        "stations": [{"id": s.id, "name": s.name, "node_id": s.node_id, "location": point(s.location)} for s in t.stations],
        "sensors": [
            {
                "id": s.id,
                "quantity": enum_name(QUANTITY, s.quantity),
                "unit": s.unit,
                "pipe_id": s.pipe_id,
                "position_m": s.position_m,
                "node_id": s.node_id,
                "station_id": s.station_id,
                "sample_rate_hz": s.sample_rate_hz,
            }
            for s in t.sensors
        ],
        "lines": [{"id": line.id, "pipe_ids": list(line.pipe_ids), "length_m": line.length_m} for line in t.lines],
    }


def reading_batch(b: twin_pb2.ReadingBatch) -> JSON:
    """A batch, compact: each reading as [sensor_id, value, valid]. A value that is not finite
    (never expected, but JSON has no NaN) is sent as null and the reading marked invalid."""
    readings = []
    for r in b.readings:
        finite = math.isfinite(r.value)
        readings.append([r.sensor_id, r.value if finite else None, bool(r.valid and finite)])
    return {"tick": b.tick, "sim_time_s": b.sim_time_s, "wall_time_unix_ns": b.wall_time_unix_ns, "skipped": b.skipped_batches, "r": readings}


def clock(c: twin_pb2.Clock) -> JSON:
    return {"sim_time_s": c.sim_time_s, "speed": c.speed, "paused": c.paused, "free_running": c.free_running, "tick": c.tick, "time_step_s": c.time_step_s}


def leak(lk: twin_pb2.Leak) -> JSON:
    return {
        "leak_id": lk.leak_id,
        "pipe_id": lk.pipe_id,
        "position_m": lk.position_m,
        "line_id": lk.line_id,
        "chainage_m": lk.chainage_m,
        "effective_area_m2": lk.effective_area_m2,
        "size_fraction": lk.size_fraction,
        "start_sim_time_s": lk.start_sim_time_s,
        "ramp_s": lk.ramp_s,
        "state": enum_name(LEAK_STATE, lk.state),
        "cleared_sim_time_s": lk.cleared_sim_time_s,
        "current_flow": lk.current_flow,
        "source": lk.source,
    }


# ---- detectors ---------------------------------------------------------------------------------


def detector(d: detectors_pb2.DetectorInfo) -> JSON:
    return {
        "name": d.name,
        "plugin": d.plugin,
        "version": d.version,
        "description": d.description,
        "state": enum_name(DETECTOR_STATE, d.state),
        "last_error": d.last_error,
        "leak_probability": d.leak_probability,
        "samples_seen": d.samples_seen,
        "learning_remaining_s": d.learning_remaining_s,
    }


# ---- alerts ------------------------------------------------------------------------------------


def alert(a: alerts_pb2.Alert) -> JSON:
    """An alert. `key` is (network, alert_id) in one string: ids are unique only within a network
    when several servers share one PostgreSQL store."""
    return {
        "key": f"{a.network}/{a.alert_id}",
        "alert_id": a.alert_id,
        "network": a.network,
        "detector": a.detector,
        "state": enum_name(ALERT_STATE, a.state),
        "raised_sim_time_s": a.raised_sim_time_s,
        "raised_wall_unix_ns": a.raised_wall_unix_ns,
        "cleared_sim_time_s": a.cleared_sim_time_s,
        "cleared_wall_unix_ns": a.cleared_wall_unix_ns,
        "probability": a.probability,
        "severity": enum_name(SEVERITY, a.severity),
        "pipe_id": a.pipe_id,
        "position_m": a.position_m,
        "station_id": a.station_id,
        "segment_id": a.segment_id,
        "estimated_size_fraction": a.estimated_size_fraction,
        "matched_leak_id": a.matched_leak_id,
        # Alarm handling: "unacked_active", "acked_active", "unacked_returned", "normal",
        # "shelved" ("unspecified" from a server that does not keep alarm states).
        "alarm_state": enum_name(ALARM_STATE, a.alarm_state),
        "acknowledgement": (
            {"operator_name": a.acknowledgement.operator_name, "token_id": a.acknowledgement.token_id, "wall_unix_ns": a.acknowledgement.wall_unix_ns, "comment": a.acknowledgement.comment}
            if a.HasField("acknowledgement")
            else None
        ),
        "shelving": (
            {
                "kind": enum_name(SHELVE_KIND, a.shelving.kind),
                "until_wall_unix_ns": a.shelving.until_wall_unix_ns,
                "reason": a.shelving.reason,
                "operator_name": a.shelving.operator_name,
                "token_id": a.shelving.token_id,
                "shelved_wall_unix_ns": a.shelving.shelved_wall_unix_ns,
            }
            if a.HasField("shelving")
            else None
        ),
    }


def alert_event(e: alerts_pb2.AlertEvent) -> JSON:
    """A StreamAlerts event: the alert after the change, what changed and who did it."""
    return {**alert(e.alert), "event": enum_name(EVENT_KIND, e.kind), "event_operator": e.operator_name}


def bucket(b: alerts_pb2.AlertBucket) -> JSON:
    return {"key": b.key, "count": b.count, "mean_probability": b.mean_probability, "max_probability": b.max_probability}


CSV_COLUMNS = (
    "alert_id,detector,state,raised_sim_time_s,raised_wall_unix_ns,cleared_sim_time_s,cleared_wall_unix_ns,"
    "probability,severity,pipe_id,position_m,station_id,segment_id,estimated_size_fraction,matched_leak_id,network"
).split(",")


def csv_rows(alerts: Iterable[alerts_pb2.Alert], header: bool = True) -> str:
    """Alerts as CSV with the columns and spelling of `fluxion alerts --csv` (RFC 4180 quoting)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    if header:
        w.writerow(CSV_COLUMNS)
    for a in alerts:
        cleared = a.state == alerts_pb2.ALERT_STATE_CLEARED
        w.writerow(
            [
                a.alert_id,
                a.detector,
                enum_name(ALERT_STATE, a.state),
                repr(a.raised_sim_time_s),
                a.raised_wall_unix_ns,
                repr(a.cleared_sim_time_s) if cleared else "",
                a.cleared_wall_unix_ns if cleared else "",
                repr(a.probability),
                enum_name(SEVERITY, a.severity),
                a.pipe_id,
                repr(a.position_m) if a.pipe_id else "",
                a.station_id,
                a.segment_id,
                repr(a.estimated_size_fraction) if a.estimated_size_fraction > 0 else "",
                a.matched_leak_id,
                a.network,
            ]
        )
    return out.getvalue()


def alert_filter(q: Mapping[str, str]) -> alerts_pb2.AlertFilter:
    """An AlertFilter from the page's query parameters: `detector`, `station`, `pipe`, `network`
    (each comma-separated, any of), `alarm` (alarm states, comma-separated; `unacked` for both
    unacknowledged ones), `state` (raised|cleared), `min_severity` (low…critical),
    `min_probability`, `from_s` / `to_s` (simulated seconds, both included). Empty: no filter."""
    f = alerts_pb2.AlertFilter()

    def many(key: str) -> list[str]:
        return [v.strip() for v in q.get(key, "").split(",") if v.strip()]

    f.detectors.extend(many("detector"))
    f.station_ids.extend(many("station"))
    f.pipe_ids.extend(many("pipe"))
    f.networks.extend(many("network"))
    for name in many("alarm"):  # "unacked" stands for both unacknowledged states
        for state in ("unacked_active", "unacked_returned") if name == "unacked" else (name,):
            f.alarm_states.append(enum_field("alarm", ALARM_STATE, state))
    if q.get("state"):
        f.state = enum_field("state", ALERT_STATE, q["state"])
    if q.get("min_severity"):
        f.min_severity = enum_field("min_severity", SEVERITY, q["min_severity"])
    if q.get("min_probability"):
        f.min_probability = number("min_probability", q["min_probability"])
    lo, hi = q.get("from_s", ""), q.get("to_s", "")
    if lo or hi:
        f.sim_time.start_s = number("from_s", lo) if lo else -math.inf
        f.sim_time.end_s = number("to_s", hi) if hi else math.inf
    return f


def grouping(name: str) -> int:
    """`station`, `hour_of_day` (or `hour`), `detector`, `network` -> AlertGrouping."""
    return enum_field("group_by", GROUPING, "hour_of_day" if name == "hour" else name)


def enum_field(field: str, desc: EnumDescriptor, name: str) -> int:
    """The number `name` spells in enum `desc`, never its UNSPECIFIED; FormError naming `field`
    and the allowed names otherwise."""
    try:
        n = enum_number(desc, name)
    except ValueError:
        n = 0
    if n == 0:
        allowed = "|".join(enum_name(desc, v.number) for v in desc.values if v.number != 0)
        raise FormError(field, f"'{name}' is not one of {allowed}")
    return n


# ---- form values -> requests -------------------------------------------------------------------


def number(field: str, value: Any) -> float:
    """A form value as a float: a JSON number or a decimal text. Not a number, or not finite (the
    wire would carry it, but nobody means it): FormError naming the field. The range is the
    server's to check."""
    if isinstance(value, bool) or value is None:
        raise FormError(field, "a number is required")
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        text = str(value).strip()
        if not text:
            raise FormError(field, "a number is required")
        try:
            x = float(text)
        except ValueError:
            raise FormError(field, f"'{text[:40]}' is not a number") from None
    if not math.isfinite(x):
        raise FormError(field, f"'{value}' is not a finite number")
    return x


def text(field: str, value: Any, required: bool = True) -> str:
    s = "" if value is None else str(value).strip()
    if required and not s:
        raise FormError(field, "required")
    return s


def inject_leak_request(form: Mapping[str, Any]) -> twin_pb2.InjectLeakRequest:
    """The injector's form: `pipe_id`, `position_m`, and `size_fraction` or `effective_area_m2`,
    optional `ramp_s` (default 0) and `start_sim_time_s` (default now)."""
    r = twin_pb2.InjectLeakRequest()
    r.pipe.pipe_id = text("pipe.pipe_id", form.get("pipe_id"), required=False)
    r.pipe.position_m = number("pipe.position_m", form.get("position_m"))
    if form.get("effective_area_m2") not in (None, ""):
        r.effective_area_m2 = number("effective_area_m2", form.get("effective_area_m2"))
    else:
        r.size_fraction = number("size_fraction", form.get("size_fraction"))
    if form.get("ramp_s") not in (None, ""):
        r.ramp_s = number("ramp_s", form.get("ramp_s"))
    if form.get("start_sim_time_s") not in (None, ""):
        r.start_sim_time_s = number("start_sim_time_s", form.get("start_sim_time_s"))
    return r


def set_clock_request(form: Mapping[str, Any]) -> twin_pb2.SetClockRequest:
    """`speed` (simulated s per wall s; absent or 0: keep), `paused`, `free_running` (booleans)."""
    r = twin_pb2.SetClockRequest()
    if form.get("speed") not in (None, ""):
        r.speed = number("speed", form.get("speed"))
    r.paused = bool(form.get("paused", False))
    r.free_running = bool(form.get("free_running", False))
    return r


def sensor_fault_request(form: Mapping[str, Any]) -> twin_pb2.SetSensorFaultRequest:
    """`sensor_id`, `fault` (none | dropout | freeze)."""
    name = text("fault", form.get("fault"))
    fault = twin_pb2.SENSOR_FAULT_NONE if name == "none" else enum_field("fault", SENSOR_FAULT, name)
    return twin_pb2.SetSensorFaultRequest(sensor_id=text("sensor_id", form.get("sensor_id")), fault=fault)


def load_detector_request(form: Mapping[str, Any]) -> detectors_pb2.LoadDetectorRequest:
    return detectors_pb2.LoadDetectorRequest(
        plugin=text("plugin", form.get("plugin")), name=text("name", form.get("name"), required=False), config_json=text("config_json", form.get("config_json"), required=False)
    )


def acknowledge_request(form: Mapping[str, Any]) -> alerts_pb2.AcknowledgeAlertRequest:
    """`alert_id`, `network`, `comment`, `operator_name` (length limits are the server's)."""
    return alerts_pb2.AcknowledgeAlertRequest(
        alert_id=text("alert_id", form.get("alert_id")),
        network=text("network", form.get("network"), required=False),
        comment=text("comment", form.get("comment"), required=False),
        operator_name=text("operator_name", form.get("operator_name"), required=False),
    )


def shelve_request(form: Mapping[str, Any]) -> alerts_pb2.ShelveAlertRequest:
    """`alert_id`, `network`, `kind` (timed | one_shot; default timed), `duration_min` (minutes,
    timed only), `reason`, `operator_name`. The range of the duration is the server's to check."""
    r = alerts_pb2.ShelveAlertRequest(
        alert_id=text("alert_id", form.get("alert_id")),
        network=text("network", form.get("network"), required=False),
        reason=text("reason", form.get("reason"), required=False),
        operator_name=text("operator_name", form.get("operator_name"), required=False),
    )
    kind = str(form.get("kind") or "timed")
    r.kind = enum_field("kind", SHELVE_KIND, kind)
    if r.kind == alerts_pb2.SHELVE_KIND_TIMED:
        r.duration_s = number("duration_min", form.get("duration_min")) * 60.0
    return r


def unshelve_request(form: Mapping[str, Any]) -> alerts_pb2.UnshelveAlertRequest:
    return alerts_pb2.UnshelveAlertRequest(
        alert_id=text("alert_id", form.get("alert_id")),
        network=text("network", form.get("network"), required=False),
        operator_name=text("operator_name", form.get("operator_name"), required=False),
    )


def swap_detector_request(form: Mapping[str, Any]) -> detectors_pb2.SwapDetectorRequest:
    return detectors_pb2.SwapDetectorRequest(deactivate=text("deactivate", form.get("deactivate"), required=False), activate=text("activate", form.get("activate")))


# ---- errors ------------------------------------------------------------------------------------

# gRPC status -> HTTP status of the gateway's answer (the body carries the status name and text).
HTTP_STATUS = {
    StatusCode.INVALID_ARGUMENT: 400,
    StatusCode.OUT_OF_RANGE: 400,
    StatusCode.UNAUTHENTICATED: 401,
    StatusCode.PERMISSION_DENIED: 403,
    StatusCode.NOT_FOUND: 404,
    StatusCode.ALREADY_EXISTS: 409,
    StatusCode.FAILED_PRECONDITION: 409,
    StatusCode.ABORTED: 409,
    StatusCode.RESOURCE_EXHAUSTED: 429,
    StatusCode.UNIMPLEMENTED: 501,
    StatusCode.UNAVAILABLE: 503,
    StatusCode.DEADLINE_EXCEEDED: 504,
}

# The field path a server message starts with ("pipe.position_m: 99999 m is outside …") -> the
# form field the page shows it next to.
FIELD_OF_PATH = {
    "pipe.pipe_id": "pipe_id",
    "pipe.position_m": "position_m",
    "line.line_id": "pipe_id",
    "line.chainage_m": "position_m",
    "where": "pipe_id",
    "size": "size_fraction",
    "size_fraction": "size_fraction",
    "effective_area_m2": "size_fraction",
    "ramp_s": "ramp_s",
    "start_sim_time_s": "start_sim_time_s",
    "speed": "speed",
    "plugin": "plugin",
    "name": "name",
    "activate": "activate",
    "deactivate": "deactivate",
    "leak_id": "leak_id",
    "comment": "comment",
    "reason": "reason",
    "duration_s": "duration_min",
    "kind": "kind",
    "operator_name": "operator_name",
}

_PATH = re.compile(r"^([a-z_][a-z0-9_.\[\]]*):\s")


def error_field(message: str) -> Optional[str]:
    """The form field a server error names by its leading field path, or None."""
    m = _PATH.match(message)
    if not m:
        return None
    path = m.group(1)
    return FIELD_OF_PATH.get(path, FIELD_OF_PATH.get(path.split(".")[-1]))


def error(e: BaseException) -> tuple[int, JSON]:
    """An HTTP status and the JSON body for a failed action: the status name, the server's text
    unchanged, and the form field it names (None: show it with the form)."""
    if isinstance(e, FormError):
        return 400, {"code": "INVALID_ARGUMENT", "message": e.message, "field": error_field(e.message) or e.field, "source": "gateway"}
    if isinstance(e, FluxionError):
        return HTTP_STATUS.get(e.code, 502), {"code": e.code.name, "message": e.message, "field": error_field(e.message), "source": "server"}
    return 500, {"code": "INTERNAL", "message": f"gateway: {type(e).__name__}: {e}", "field": None, "source": "gateway"}
