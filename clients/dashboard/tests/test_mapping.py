"""Unit tests of the message mapping (protobuf <-> the page's JSON and forms) and of the hub's
fan-out rules. No server, no sockets."""
from __future__ import annotations

import asyncio
import json
import math
import re

import pytest

from fluxion_client import FluxionError, StatusCode, alerts_pb2, detectors_pb2, twin_pb2
from fluxion_dashboard import mapping
from fluxion_dashboard.hub import POINTS_PER_FLUSH, QUEUE_LIMIT, READINGS_BACKLOG, Browser, Hub
from fluxion_dashboard.idempotency import IdempotencyCache


def test_enum_names_are_the_cli_spelling():
    assert mapping.enum_name(mapping.QUANTITY, twin_pb2.QUANTITY_DIFFERENTIAL_PRESSURE) == "differential_pressure"
    assert mapping.enum_name(mapping.ALERT_STATE, alerts_pb2.ALERT_STATE_RAISED) == "raised"
    assert mapping.enum_name(mapping.DETECTOR_STATE, detectors_pb2.DETECTOR_STATE_ACTIVE) == "active"
    assert mapping.enum_name(mapping.ALARM_STATE, alerts_pb2.ALARM_STATE_UNACKED_RETURNED) == "unacked_returned"
    assert mapping.enum_name(mapping.SEVERITY, 99) == "99"  # unknown numbers are kept, not dropped
    assert mapping.enum_number(mapping.SEVERITY, "critical") == alerts_pb2.SEVERITY_CRITICAL
    with pytest.raises(ValueError):
        mapping.enum_number(mapping.SEVERITY, "extreme")


def test_topology_gives_every_pipe_a_polyline():
    t = twin_pb2.Topology(scenario="s", fluid="natural_gas")
    t.nodes.add(id="A", kind="source", location=twin_pb2.Point(x_m=0, y_m=0))
    t.nodes.add(id="B", kind="junction", location=twin_pb2.Point(x_m=1000, y_m=500), station_id="ST")
    t.pipes.add(id="P1", from_node="A", to_node="B", length_m=1200)  # no geometry: the end nodes
    bent = t.pipes.add(id="P2", from_node="B", to_node="A", length_m=2000)
    for x, y in [(1000, 500), (500, 900), (0, 0)]:
        bent.geometry.add(x_m=x, y_m=y)
    t.sensors.add(id="PT", quantity=twin_pb2.QUANTITY_PRESSURE, unit="Pa", node_id="B", station_id="ST", sample_rate_hz=1)
    j = mapping.topology(t)
    pipes = {p["id"]: p for p in j["pipes"]}
    assert pipes["P1"]["geometry"] == [[0, 0], [1000, 500]]
    assert pipes["P2"]["geometry"] == [[1000, 500], [500, 900], [0, 0]]
    assert j["sensors"][0]["quantity"] == "pressure" and j["sensors"][0]["station_id"] == "ST"
    json.dumps(j)  # plain JSON


def test_reading_batch_is_compact_and_never_carries_nan():
    b = twin_pb2.ReadingBatch(tick=7, sim_time_s=3.5, skipped_batches=2)
    b.readings.add(sensor_id="A", value=1.5, valid=True)
    b.readings.add(sensor_id="B", value=2.0, valid=False)
    b.readings.add(sensor_id="C", value=math.nan, valid=True)
    j = mapping.reading_batch(b)
    assert j["r"] == [["A", 1.5, True], ["B", 2.0, False], ["C", None, False]]
    assert j["tick"] == 7 and j["skipped"] == 2
    json.dumps(j, allow_nan=False)


def test_alert_key_network_and_alarm_fields():
    a = alerts_pb2.Alert(alert_id="ALR-3", network="east", state=alerts_pb2.ALERT_STATE_CLEARED, severity=alerts_pb2.SEVERITY_HIGH, alarm_state=alerts_pb2.ALARM_STATE_UNACKED_RETURNED)
    j = mapping.alert(a)
    assert j["key"] == "east/ALR-3" and j["network"] == "east"
    assert (j["state"], j["severity"], j["alarm_state"]) == ("cleared", "high", "unacked_returned")
    assert j["acknowledgement"] is None and j["shelving"] is None
    a.acknowledgement.operator_name = "ana"
    a.acknowledgement.comment = "crew sent"
    a.shelving.kind = alerts_pb2.SHELVE_KIND_TIMED
    a.shelving.reason = "maintenance"
    j = mapping.alert(a)
    assert j["acknowledgement"]["comment"] == "crew sent" and j["shelving"]["kind"] == "timed" and j["shelving"]["reason"] == "maintenance"
    ev = mapping.alert_event(alerts_pb2.AlertEvent(alert=a, kind=alerts_pb2.ALERT_EVENT_KIND_ACKNOWLEDGED, operator_name="ana"))
    assert ev["event"] == "acknowledged" and ev["event_operator"] == "ana" and ev["key"] == "east/ALR-3"


def test_csv_has_the_cli_columns_and_quotes_like_rfc_4180():
    a = alerts_pb2.Alert(alert_id="ALR-1", detector='thr,"x"', state=alerts_pb2.ALERT_STATE_RAISED, probability=0.9, severity=alerts_pb2.SEVERITY_LOW, raised_sim_time_s=12.5)
    text = mapping.csv_rows([a])
    header, row = text.splitlines()
    # The header of `fluxion alerts --csv` (Sources/fluxion/Alert+Output.swift).
    assert header == (
        "alert_id,detector,state,raised_sim_time_s,raised_wall_unix_ns,cleared_sim_time_s,cleared_wall_unix_ns,"
        "probability,severity,pipe_id,position_m,station_id,segment_id,estimated_size_fraction,matched_leak_id,network"
    )
    assert row == 'ALR-1,"thr,""x""",raised,12.5,0,,,0.9,low,,,,,,,'


def test_alert_filter_from_query_parameters():
    f = mapping.alert_filter({"detector": "threshold, lof", "station": "SUM", "state": "raised", "min_severity": "high", "from_s": "100"})
    assert list(f.detectors) == ["threshold", "lof"] and list(f.station_ids) == ["SUM"]
    assert f.state == alerts_pb2.ALERT_STATE_RAISED and f.min_severity == alerts_pb2.SEVERITY_HIGH
    assert f.sim_time.start_s == 100 and f.sim_time.end_s == math.inf
    assert not mapping.alert_filter({}).HasField("sim_time")
    assert list(mapping.alert_filter({"alarm": "unacked"}).alarm_states) == [alerts_pb2.ALARM_STATE_UNACKED_ACTIVE, alerts_pb2.ALARM_STATE_UNACKED_RETURNED]
    assert list(mapping.alert_filter({"alarm": "shelved"}).alarm_states) == [alerts_pb2.ALARM_STATE_SHELVED]
    with pytest.raises(mapping.FormError, match=re.escape("min_severity: 'extreme' is not one of low|medium|high|critical")):
        mapping.alert_filter({"min_severity": "extreme"})
    assert mapping.grouping("hour") == alerts_pb2.ALERT_GROUPING_HOUR_OF_DAY


def test_inject_form_parses_numbers_and_leaves_ranges_to_the_server():
    r = mapping.inject_leak_request({"pipe_id": " T2 ", "position_m": "12000", "size_fraction": 0.02, "ramp_s": "30"})
    assert (r.pipe.pipe_id, r.pipe.position_m, r.size_fraction, r.ramp_s) == ("T2", 12000, 0.02, 30)
    assert not r.HasField("start_sim_time_s")
    r = mapping.inject_leak_request({"pipe_id": "T2", "position_m": "-5", "size_fraction": "7"})  # out of range: sent as is
    assert r.pipe.position_m == -5 and r.size_fraction == 7
    r = mapping.inject_leak_request({"pipe_id": "T2", "position_m": "1", "effective_area_m2": "0.001"})
    assert r.WhichOneof("size") == "effective_area_m2"
    for form, field in [
        ({"pipe_id": "T2", "position_m": "abc", "size_fraction": "0.1"}, "pipe.position_m"),
        ({"pipe_id": "T2", "position_m": "1", "size_fraction": ""}, "size_fraction"),
        ({"pipe_id": "T2", "position_m": "inf", "size_fraction": "0.1"}, "pipe.position_m"),
        ({"pipe_id": "T2", "position_m": True, "size_fraction": "0.1"}, "pipe.position_m"),
    ]:
        with pytest.raises(mapping.FormError) as e:
            mapping.inject_leak_request(form)
        assert e.value.field == field


def test_shelve_form_minutes_to_seconds():
    r = mapping.shelve_request({"alert_id": "ALR-1", "duration_min": "90", "reason": "pigging"})
    assert r.kind == alerts_pb2.SHELVE_KIND_TIMED and r.duration_s == 5400 and r.reason == "pigging"
    r = mapping.shelve_request({"alert_id": "ALR-1", "kind": "one_shot", "reason": "x"})
    assert r.kind == alerts_pb2.SHELVE_KIND_ONE_SHOT and r.duration_s == 0
    with pytest.raises(mapping.FormError):
        mapping.shelve_request({"alert_id": "", "duration_min": "1"})


@pytest.mark.parametrize(
    "message, field",
    [
        ("pipe.position_m: 99999.0 m is outside pipe 'T2' (0…43000.0 m)", "position_m"),
        ("pipe.pipe_id: unknown pipe 'X'", "pipe_id"),
        ("size_fraction: must be in (0, 1], got -0.5", "size_fraction"),
        ("ramp_s: must be ≥ 0 s, got -3.0", "ramp_s"),
        ("reason: required", "reason"),
        ("duration_s: must be in 1 s … 30 days", "duration_min"),
        ("detector 'x' is not loaded", None),
        ("", None),
    ],
)
def test_error_field_from_the_server_message(message, field):
    assert mapping.error_field(message) == field


def test_error_status_and_body():
    status, body = mapping.error(FluxionError(StatusCode.INVALID_ARGUMENT, "ramp_s: must be ≥ 0 s, got -1.0"))
    assert status == 400 and body == {"code": "INVALID_ARGUMENT", "message": "ramp_s: must be ≥ 0 s, got -1.0", "field": "ramp_s", "source": "server"}
    assert mapping.error(FluxionError(StatusCode.UNAVAILABLE, "x"))[0] == 503
    assert mapping.error(FluxionError(StatusCode.PERMISSION_DENIED, "x"))[0] == 403
    assert mapping.error(FluxionError(StatusCode.DATA_LOSS, "x"))[0] == 502
    assert mapping.error(RuntimeError("boom"))[0] == 500


# ---- the hub and the idempotency cache ----------------------------------------------------------


def run(coro):
    return asyncio.run(coro)


def test_flush_thins_fast_clocks_and_keeps_the_newest():
    async def main():
        hub = Hub("x")
        b = Browser("t")
        hub.add(b)
        assert json.loads(b.queue.get_nowait())["type"] == "snapshot"
        for i in range(100):
            hub.on_readings({"tick": i, "sim_time_s": float(i), "skipped": 0, "r": [["A", float(i), True], ["B", 0.0, i % 2 == 0]]})
        hub.flush()
        m = json.loads(b.queue.get_nowait())
        assert m["type"] == "readings" and m["sim_time_s"] == 99
        a = m["series"]["A"]
        assert len(a) == POINTS_PER_FLUSH and a[-1] == [99.0, 99.0] and a == sorted(a)
        assert m["series"]["B"][-1] == [99.0, None]  # invalid reading: no value
        hub.flush()
        assert b.queue.empty()  # nothing new, nothing sent
        assert len(hub.history["A"]) == 100

    run(main())


def test_a_slow_browser_loses_readings_not_alerts_and_is_dropped_when_hopeless():
    async def main():
        hub = Hub("x")
        slow, fast = Browser("slow"), Browser("fast")
        hub.add(slow)
        hub.add(fast)
        for i in range(READINGS_BACKLOG + 10):
            hub.on_readings({"tick": i, "sim_time_s": float(i), "skipped": 0, "r": [["A", 1.0, True]]})
            hub.flush()
            fast.queue.get_nowait()
        assert slow.dropped_readings > 0
        hub.on_alert(mapping.alert(alerts_pb2.Alert(alert_id="ALR-1")))
        last = None
        while not slow.queue.empty():
            last = slow.queue.get_nowait()
        assert json.loads(last)["type"] == "alert"
        for i in range(QUEUE_LIMIT + 1):
            hub.on_alert(mapping.alert(alerts_pb2.Alert(alert_id=f"ALR-{i}")))
            fast.queue.get_nowait()
        assert slow not in hub.browsers and slow.closed and fast in hub.browsers

    run(main())


def test_backfill_never_overwrites_a_newer_stream_event():
    hub = Hub("x")
    hub.on_alert(mapping.alert(alerts_pb2.Alert(alert_id="ALR-1", state=alerts_pb2.ALERT_STATE_CLEARED)))
    hub.on_alert(mapping.alert(alerts_pb2.Alert(alert_id="ALR-1", state=alerts_pb2.ALERT_STATE_RAISED)), backfill=True)
    assert hub.alerts["/ALR-1"]["state"] == "cleared"


def test_idempotency_runs_once_per_key():
    async def main():
        cache = IdempotencyCache()
        calls = 0

        async def action():
            nonlocal calls
            calls += 1
            await asyncio.sleep(0.05)
            return 200, {"n": calls}

        answers = await asyncio.gather(*(cache.run("k", action) for _ in range(5)))
        assert calls == 1 and all(a == (200, {"n": 1}) for a in answers)
        assert await cache.run("k", action) == (200, {"n": 1})
        await cache.run("other", action)
        await cache.run(None, action)
        await cache.run(None, action)
        assert calls == 4 and cache.replayed == 5

        async def broken():
            raise RuntimeError("no answer")

        with pytest.raises(RuntimeError):
            await cache.run("b", broken)
        assert await cache.run("b", action) == (200, {"n": 5})  # a failure without an answer may be retried

    run(main())


def test_sensor_fault_form():
    assert mapping.sensor_fault_request({"sensor_id": "SUM-PT", "fault": "freeze"}).fault == twin_pb2.SENSOR_FAULT_FREEZE
    assert mapping.sensor_fault_request({"sensor_id": "SUM-PT", "fault": "none"}).fault == twin_pb2.SENSOR_FAULT_NONE
    with pytest.raises(mapping.FormError, match=re.escape("fault: 'melted' is not one of dropout|freeze")):
        mapping.sensor_fault_request({"sensor_id": "SUM-PT", "fault": "melted"})
