"""Alarm handling through the Python client against the real fluxiond: AcknowledgeAlert,
ShelveAlert, UnshelveAlert, the alarm-state filter, the streamed alarm events, bad input and roles.

The server serves a store written by the project's `alerts-crash-writer` (alerts ALR-1…ALR-6,
each raised and cleared, so all start UNACKED_RETURNED)."""
from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import REPO, Server
from fluxion_client import Connection, FluxionError, StatusCode, alerts_pb2
from test_auth import Tokens, connect, tokens  # noqa: F401  (the tokens fixture)

WRITER = os.environ.get("ALERTS_CRASH_WRITER", str(REPO / ".build" / "debug" / "alerts-crash-writer"))


@pytest.fixture
def alarm_server(tmp_path: Path, tokens: Tokens) -> Iterator[Server]:  # noqa: F811
    if not os.access(WRITER, os.X_OK):
        pytest.fail(f"alerts-crash-writer not found at {WRITER} (build it, or set ALERTS_CRASH_WRITER)")
    data = tmp_path / "data"
    data.mkdir()
    subprocess.run([WRITER, str(data), "12"], check=True, capture_output=True, timeout=60)
    s = Server("--data", str(data), "--tokens", str(tokens.file))
    try:
        yield s
    finally:
        s.stop()


def unacked(c: Connection) -> list[str]:
    f = alerts_pb2.AlertFilter(alarm_states=[alerts_pb2.ALARM_STATE_UNACKED_ACTIVE, alerts_pb2.ALARM_STATE_UNACKED_RETURNED])
    return [a.alert_id for a in c.query_alerts(alerts_pb2.QueryAlertsRequest(filter=f)).alerts]


def test_acknowledge_records_who_when_and_comment_once(alarm_server: Server, tokens: Tokens) -> None:  # noqa: F811
    with connect(alarm_server, token=tokens.operate) as c:
        assert unacked(c) == [f"ALR-{n}" for n in range(1, 7)]
        before = time.time_ns()
        r = c.acknowledge_alert(alerts_pb2.AcknowledgeAlertRequest(alert_id="ALR-2", comment="crew sent", operator_name="alice"))
        a = r.alert
        assert a.alert_id == "ALR-2" and a.alarm_state == alerts_pb2.ALARM_STATE_NORMAL
        assert (a.acknowledgement.operator_name, a.acknowledgement.token_id, a.acknowledgement.comment) == ("alice", "ops", "crew sent")
        assert before <= a.acknowledgement.wall_unix_ns <= time.time_ns()
        assert "ALR-2" not in unacked(c)
        with pytest.raises(FluxionError) as e:
            c.acknowledge_alert(alerts_pb2.AcknowledgeAlertRequest(alert_id="ALR-2", operator_name="bob"))
        assert e.value.code == StatusCode.FAILED_PRECONDITION
        assert "already acknowledged by alice (token ops)" in e.value.message
        with pytest.raises(FluxionError) as e:
            c.acknowledge_alert(alerts_pb2.AcknowledgeAlertRequest(alert_id="ALR-77"))
        assert e.value.code == StatusCode.NOT_FOUND and "ALR-77" in e.value.message


def test_shelve_unshelve_and_the_stream_sees_each_change(alarm_server: Server, tokens: Tokens) -> None:  # noqa: F811
    events: list[alerts_pb2.AlertEvent] = []
    with connect(alarm_server, token=tokens.read) as follower, connect(alarm_server, token=tokens.operate) as c:
        # Following the unacknowledged alerts: an alert leaving the set is still told.
        f = alerts_pb2.AlertFilter(alarm_states=[alerts_pb2.ALARM_STATE_UNACKED_RETURNED])
        stream = follower.stream_alerts(alerts_pb2.StreamAlertsRequest(filter=f), timeout=20)
        got_three = threading.Event()

        def read() -> None:
            for e in stream:
                events.append(e)
                if len(events) == 3:
                    got_three.set()
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        time.sleep(0.3)  # the stream is registered before the first change (the server takes it in order)
        s = c.shelve_alert(alerts_pb2.ShelveAlertRequest(alert_id="ALR-3", duration_s=7200, reason="valve work", operator_name="alice")).alert
        assert s.alarm_state == alerts_pb2.ALARM_STATE_SHELVED and s.shelving.kind == alerts_pb2.SHELVE_KIND_TIMED
        assert abs(s.shelving.until_wall_unix_ns - s.shelving.shelved_wall_unix_ns - 7200 * 10**9) == 0
        assert s.shelving.reason == "valve work" and s.shelving.token_id == "ops"
        shelved = c.query_alerts(alerts_pb2.QueryAlertsRequest(filter=alerts_pb2.AlertFilter(alarm_states=[alerts_pb2.ALARM_STATE_SHELVED])))
        assert [a.alert_id for a in shelved.alerts] == ["ALR-3"]
        u = c.unshelve_alert(alerts_pb2.UnshelveAlertRequest(alert_id="ALR-3", operator_name="alice")).alert
        assert u.alarm_state == alerts_pb2.ALARM_STATE_UNACKED_RETURNED and not u.HasField("shelving")
        c.acknowledge_alert(alerts_pb2.AcknowledgeAlertRequest(alert_id="ALR-3", operator_name="alice"))
        assert got_three.wait(10), f"events: {events}"
        stream.cancel()
    assert [e.kind for e in events] == [
        alerts_pb2.ALERT_EVENT_KIND_SHELVED, alerts_pb2.ALERT_EVENT_KIND_UNSHELVED, alerts_pb2.ALERT_EVENT_KIND_ACKNOWLEDGED
    ]
    assert all(e.alert.alert_id == "ALR-3" and e.operator_name == "alice" and e.token_id == "ops" for e in events)
    assert events[2].alert.alarm_state == alerts_pb2.ALARM_STATE_NORMAL


@pytest.mark.parametrize(
    "request_, field",
    [
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", duration_s=0.5, reason="r"), "duration_s: must be 1"),
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", duration_s=float("nan"), reason="r"), "duration_s:"),
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", duration_s=-60, reason="r"), "duration_s:"),
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", duration_s=31 * 86400, reason="r"), "duration_s:"),
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", duration_s=60, reason=""), "reason: required"),
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", duration_s=60, reason="x" * 1025), "reason: at most 1024 bytes"),
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", kind=alerts_pb2.SHELVE_KIND_ONE_SHOT, duration_s=60, reason="r"), "duration_s: must be 0"),
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", kind=9, duration_s=60, reason="r"), "kind: unknown shelve kind 9"),
        (alerts_pb2.ShelveAlertRequest(alert_id="", duration_s=60, reason="r"), "alert_id: required"),
        (alerts_pb2.ShelveAlertRequest(alert_id="ALR-1", duration_s=60, reason="r", operator_name="a\x00b"), "operator_name: contains a NUL byte"),
        (alerts_pb2.AcknowledgeAlertRequest(alert_id="ALR-1", comment="line\nbreak"), "comment: control character U+000A at byte 4"),
        (alerts_pb2.AcknowledgeAlertRequest(alert_id="ALR-1", network="no spaces"), "network: only letters"),
        (alerts_pb2.UnshelveAlertRequest(alert_id="A" * 129), "alert_id: at most 128 bytes"),
    ],
)
def test_bad_input_is_invalid_argument_naming_the_field(alarm_server: Server, tokens: Tokens, request_: object, field: str) -> None:  # noqa: F811
    with connect(alarm_server, token=tokens.operate) as c:
        method = {
            "ShelveAlertRequest": c.shelve_alert, "AcknowledgeAlertRequest": c.acknowledge_alert, "UnshelveAlertRequest": c.unshelve_alert,
        }[type(request_).__name__]
        with pytest.raises(FluxionError) as e:
            method(request_)
        assert e.value.code == StatusCode.INVALID_ARGUMENT
        assert field in e.value.message
        # Nothing changed.
        assert unacked(c) == [f"ALR-{n}" for n in range(1, 7)]


def test_read_token_may_not_acknowledge(alarm_server: Server, tokens: Tokens) -> None:  # noqa: F811
    with connect(alarm_server, token=tokens.read) as c:
        with pytest.raises(FluxionError) as e:
            c.acknowledge_alert(alerts_pb2.AcknowledgeAlertRequest(alert_id="ALR-1"))
        assert e.value.code == StatusCode.PERMISSION_DENIED
        assert unacked(c)[0] == "ALR-1"


def test_unknown_alarm_state_in_a_filter_is_invalid_argument(alarm_server: Server, tokens: Tokens) -> None:  # noqa: F811
    with connect(alarm_server, token=tokens.read) as c:
        bad = alerts_pb2.AlertFilter(alarm_states=[alerts_pb2.ALARM_STATE_NORMAL, 9])
        with pytest.raises(FluxionError) as e:
            c.query_alerts(alerts_pb2.QueryAlertsRequest(filter=bad))
        assert e.value.code == StatusCode.INVALID_ARGUMENT
        assert e.value.message == "filter.alarm_states: unknown alarm state 9"
        with pytest.raises(FluxionError) as e:
            next(iter(c.stream_alerts(alerts_pb2.StreamAlertsRequest(filter=bad), timeout=5)))
        assert e.value.code == StatusCode.INVALID_ARGUMENT
