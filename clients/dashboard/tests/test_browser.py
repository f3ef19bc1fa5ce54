"""The page in a real headless Chromium, against the real gateway and a real fluxiond.

The tests run in order on one server, one gateway and one browser (module fixtures), as an
operator's session would: the page loads clean, values move, a leak injected from the map is in
ListLeaks, the detector finds it and the page shows the alert and its marker, a detector swap
from the page is in ListDetectors, a failed sensor is marked, and killing fluxiond shows the
banner until it is back on the same port. A screenshot of each step goes to test-artifacts/.
"""
from __future__ import annotations

import time

import pytest
from conftest import Fluxiond, Gateway, chromium, wait_for
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from fluxion_client import FluxionError, alerts_pb2, detectors_pb2, twin_pb2

SPEED = 60  # simulated seconds per wall second: the threshold detector finds a 5 % leak in ~10 s


@pytest.fixture(scope="module")
def server():
    s = Fluxiond("--detector", "threshold", "--speed", str(SPEED))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def gateway(server):
    g = Gateway(server.address)
    g.wait_connected()
    yield g
    g.stop()


@pytest.fixture(scope="module")
def page(gateway, artifacts):
    d = chromium()
    d.set_page_load_timeout(30)
    d.get(gateway.url + "/")
    d.shots = artifacts  # type: ignore[attr-defined]
    try:
        yield d
    finally:
        d.quit()


def shot(page, name: str) -> None:
    page.save_screenshot(str(page.shots / f"{name}.png"))


def severe_console_entries(page) -> list:
    return [e for e in page.get_log("browser") if e["level"] == "SEVERE"]


def cell_text(page, sensor: str) -> str:
    return page.find_element(By.CSS_SELECTOR, f'#tiles tr[data-sensor="{sensor}"] td.v').text


def test_01_page_loads_without_console_errors(page):
    wait_for(lambda: cell_text(page, "SUM-PT") not in ("", "—"), 30, "the Sumqayit pressure tile")
    stations = [e.get_attribute("data-station") for e in page.find_elements(By.CSS_SELECTOR, "#tiles .tile")]
    assert stations[:3] == ["SUM", "MAR", "TUR"]
    assert len(page.find_elements(By.CSS_SELECTOR, "#map path.pipe")) == 6
    assert page.find_element(By.ID, "banner").get_attribute("hidden") is not None
    time.sleep(1.5)  # a few updates, then the console must still be clean
    assert severe_console_entries(page) == []
    shot(page, "01-loaded")


def test_01b_more_tabs_cost_fluxiond_no_more_streams(page, server, gateway):
    def streams_on_fluxiond() -> int:
        with server.client() as c:
            return c.health().open_calls - 1  # less the Health call asking

    assert streams_on_fluxiond() == 2
    first = page.current_window_handle
    for _ in range(5):
        page.switch_to.new_window("tab")
        page.get(gateway.url + "/")
    try:
        wait_for(lambda: gateway.get("/api/status")["browsers"] == 6, 20, "six tabs on the gateway")
        wait_for(lambda: cell_text(page, "SUM-PT") not in ("", "—"), 20, "the last tab live")
        assert streams_on_fluxiond() == 2
    finally:
        for handle in page.window_handles:
            if handle != first:
                page.switch_to.window(handle)
                page.close()
        page.switch_to.window(first)
    wait_for(lambda: gateway.get("/api/status")["browsers"] == 1, 10, "the extra tabs gone")


def test_02_station_values_and_sim_time_change(page):
    before = {s: cell_text(page, s) for s in ("SUM-PT", "MAR-PT", "TUR-PT")}
    t0 = page.find_element(By.ID, "sim-time").text
    wait_for(lambda: {s: cell_text(page, s) for s in before} != before, 15, "station pressures to change")
    wait_for(lambda: page.find_element(By.ID, "sim-time").text != t0, 10, "the simulated time to move")
    assert page.find_element(By.ID, "sim-speed").text == f"{SPEED}×"
    points = page.execute_script("return Chart.getChart(document.getElementById('chart-pressure')).data.datasets.map(d => d.data.length)")
    assert len(points) == 8 and min(points) > 5, points
    shot(page, "02-live")


def click_pipe(page, pipe: str, fraction: float) -> None:
    """A real pointer click on the pipe's drawn line, at `fraction` of its drawn length."""
    x, y = page.execute_script(
        """const p = document.querySelector(`#map path.pipe[data-pipe="${arguments[0]}"]`);
           const q = p.getPointAtLength(p.getTotalLength() * arguments[1]);
           const r = new DOMPoint(q.x, q.y).matrixTransform(p.getScreenCTM());
           return [r.x, r.y];""",
        pipe,
        fraction,
    )
    actions = ActionBuilder(page)
    actions.pointer_action.move_to_location(int(x), int(y)).click()
    actions.perform()


def test_03_leak_from_the_map_shows_in_list_leaks_once(page, server):
    click_pipe(page, "T2", 0.4)
    assert Select(page.find_element(By.ID, "leak-pipe")).first_selected_option.get_attribute("value") == "T2"
    position = float(page.find_element(By.ID, "leak-position").get_attribute("value"))
    assert 12000 < position < 22000, position  # about 40 % along the 43 km pipe
    size = page.find_element(By.ID, "leak-size")
    size.clear()
    size.send_keys("0.05")
    ActionChains(page).double_click(page.find_element(By.ID, "leak-inject")).perform()
    shown = wait_for(lambda: page.execute_script("const r = document.querySelector('#leak-table tbody tr'); return r && r.dataset.leak"), 10, "the leak in the page's list")
    with server.client() as c:
        leaks = [lk for lk in c.list_leaks().leaks if lk.state in (twin_pb2.LEAK_STATE_ACTIVE, twin_pb2.LEAK_STATE_SCHEDULED)]
    assert len(leaks) == 1, f"a double click opened {len(leaks)} leaks"
    # The twin puts a leak on the nearest node of its grid: Δx = a·Δt = 367 m/s × 0.68 s ≈ 250 m here.
    assert leaks[0].pipe_id == "T2" and abs(leaks[0].position_m - position) <= 250 and abs(leaks[0].size_fraction - 0.05) < 1e-9
    assert shown == leaks[0].leak_id
    assert page.find_elements(By.CSS_SELECTOR, f'#map [data-leak="{leaks[0].leak_id}"]')
    wait_for(lambda: not page.find_element(By.CSS_SELECTOR, "#leak-table td.outflow").text.startswith("0.000"), 10, "the leak's outflow")
    shot(page, "03-leak-injected")


def test_04_bad_input_shows_the_servers_text_next_to_the_field(page, server):
    position = page.find_element(By.ID, "leak-position")
    position.clear()
    position.send_keys("999999")
    page.find_element(By.ID, "leak-inject").click()
    spot = page.find_element(By.CSS_SELECTOR, '#leak-form [data-error-for="position_m"]')
    wait_for(lambda: spot.text, 10, "the position's error")
    with server.client() as c:
        with pytest.raises(FluxionError) as direct:
            c.inject_leak(twin_pb2.InjectLeakRequest(pipe=twin_pb2.PipePosition(pipe_id="T2", position_m=999999), size_fraction=0.05))
    assert spot.text == direct.value.message
    assert "invalid" in position.get_attribute("class")
    shot(page, "04-bad-position")
    position.clear()
    position.send_keys("1000")
    size = page.find_element(By.ID, "leak-size")
    size.clear()
    size.send_keys("-0.5")
    page.find_element(By.ID, "leak-inject").click()
    size_spot = page.find_element(By.CSS_SELECTOR, '#leak-form [data-error-for="size_fraction"]')
    wait_for(lambda: size_spot.text.startswith("size_fraction:"), 10, "the size's error")
    assert spot.text == ""  # the earlier error is gone
    with server.client() as c:
        assert len([lk for lk in c.list_leaks().leaks if lk.state != twin_pb2.LEAK_STATE_CLEARED]) == 1
    size.clear()
    size.send_keys("0.05")
    assert size_spot.text == "" and "invalid" not in size.get_attribute("class")  # edited: its error goes


def test_05_alert_appears_in_the_log_and_on_the_map(page, server):
    key = wait_for(lambda: page.execute_script("const r = document.querySelector('#alert-table tbody tr'); return r && r.dataset.alert"), 90, "an alert in the log")
    row = f'#alert-table tr[data-alert="{key}"]'
    marker = wait_for(lambda: page.find_elements(By.CSS_SELECTOR, f'#map .alert-marker[data-alert="{key}"]'), 10, "the alert's marker")
    assert marker
    assert page.find_elements(By.CSS_SELECTOR, "#map path.uncertainty")
    with server.client() as c:
        leak = [lk for lk in c.list_leaks().leaks if lk.state == twin_pb2.LEAK_STATE_ACTIVE][0]
    # The alert is on the leak's pipe, and the pipe is drawn in a leak state.
    assert "T2" in page.find_element(By.CSS_SELECTOR, row).text
    wait_for(lambda: page.find_elements(By.CSS_SELECTOR, '#map path.pipe[data-pipe="T2"].alarm, #map path.pipe[data-pipe="T2"].suspected'), 10, "T2 in an alarm colour")
    # Clicking the alert highlights its marker (and, once matched, its leak).
    wait_for(lambda: page.find_element(By.CSS_SELECTOR, row).click() or True, 5, "a click on the row")
    wait_for(lambda: "highlight" in page.find_element(By.CSS_SELECTOR, f'#map .alert-marker[data-alert="{key}"]').get_attribute("class"), 5, "the marker highlighted")
    matched = wait_for(lambda: page.execute_script("return window.fluxionDashboard.alerts.get(arguments[0]).matched_leak_id", key), 30, "the leak match")
    assert matched == leak.leak_id
    # The history (AggregateAlerts) counts it for its station, in the hour of day it was raised.
    station, raised = page.execute_script("const a = window.fluxionDashboard.alerts.get(arguments[0]); return [a.station_id, a.raised_sim_time_s]", key)
    hour = int(raised % 86400 // 3600)
    count = wait_for(lambda: page.find_element(By.CSS_SELECTOR, f'#heatmap tr[data-station="{station}"] td.cell:nth-of-type({hour + 1})').text, 15, "the heat map row")
    assert count == "1"
    shot(page, "05-alert")
    page.set_window_size(1600, 1000)
    shot(page, "dashboard")  # the README's picture (docs/images/dashboard.png)
    page.set_window_size(1600, 1300)


def stored_alert(server, alert_id: str):
    with server.client() as c:
        return next(a for a in c.query_alerts(alerts_pb2.QueryAlertsRequest(page_size=1000)).alerts if a.alert_id == alert_id)


def test_05b_unacknowledged_alarm_is_prominent_until_acknowledged(page, server):
    alert_id = page.execute_script("return [...window.fluxionDashboard.alerts.values()].find(a => a.state === 'raised').alert_id")
    # The item is looked up each time: the page redraws it when the alert changes (severity, …).
    item = lambda: page.find_element(By.CSS_SELECTOR, f'#alarm-list li[data-alert="/{alert_id}"]')  # noqa: E731
    in_item = lambda css: item().find_element(By.CSS_SELECTOR, css)  # noqa: E731
    assert "unacked" in item().get_attribute("class")
    summary = page.find_element(By.ID, "alarm-summary")
    assert summary.is_displayed() and page.find_element(By.ID, "alarm-count").text == "1"
    assert "flash" in summary.get_attribute("class")
    page.find_element(By.ID, "alarm-silence").click()  # the cue stops, the alarm stays
    wait_for(lambda: "flash" not in summary.get_attribute("class"), 5, "the cue silenced")
    assert summary.is_displayed() and "unacked" in item().get_attribute("class")
    # Shelving needs a reason: the server says so next to the field.
    in_item('button[data-op="shelve"]').click()
    reason_error = wait_for(lambda: in_item('[data-error-for="reason"]').text, 10, "the reason's error")
    assert reason_error.startswith("reason:"), reason_error
    operator = page.find_element(By.ID, "operator")
    operator.send_keys("ana")
    operator.send_keys("\t")
    in_item('input[name="comment"]').send_keys("crew dispatched")
    ActionChains(page).double_click(in_item('button[data-op="ack"]')).perform()
    wait_for(lambda: stored_alert(server, alert_id).HasField("acknowledgement"), 10, "the acknowledgement stored")
    ack = stored_alert(server, alert_id).acknowledgement
    assert (ack.operator_name, ack.comment) == ("ana", "crew dispatched")
    wait_for(lambda: not summary.is_displayed(), 10, "no unacknowledged alarm left")
    assert "acknowledged" in item().text and "crew dispatched" in item().text
    assert item().find_elements(By.CSS_SELECTOR, ".form-error:not(:empty), .field-error:not(:empty)") == []  # the double click sent once
    shot(page, "05b-acknowledged")
    # The log's alarm-state filter, and the CSV export following it.
    alarm_filter = Select(page.find_element(By.CSS_SELECTOR, '#alert-filters select[name="alarm"]'))
    log_row = f'#alert-table tr[data-alert="/{alert_id}"]'
    alarm_filter.select_by_value("unacked")
    wait_for(lambda: not page.find_elements(By.CSS_SELECTOR, log_row), 5, "the acknowledged alert filtered out")
    assert "alarm=unacked" in page.find_element(By.ID, "csv-export").get_attribute("href")
    alarm_filter.select_by_value("acked_active")
    wait_for(lambda: page.find_elements(By.CSS_SELECTOR, log_row), 5, "the acknowledged alert shown")
    alarm_filter.select_by_value("")
    # Shelved for 30 min with a reason: gone from the active alarms and from the map.
    in_item('input[name="duration_min"]').clear()
    in_item('input[name="duration_min"]').send_keys("30")
    in_item('input[name="reason"]').send_keys("pigging run")
    in_item('button[data-op="shelve"]').click()
    wait_for(lambda: stored_alert(server, alert_id).HasField("shelving"), 10, "the shelving stored")
    shelving = stored_alert(server, alert_id).shelving
    assert shelving.reason == "pigging run" and shelving.kind == alerts_pb2.SHELVE_KIND_TIMED
    assert 29 * 60 <= (shelving.until_wall_unix_ns - shelving.shelved_wall_unix_ns) / 1e9 <= 31 * 60
    shelved = f'#alarm-list li.shelved[data-alert="/{alert_id}"]'
    wait_for(lambda: page.find_elements(By.CSS_SELECTOR, shelved), 10, "the alarm shelved, quiet, at the end")
    assert "pigging run" in page.find_element(By.CSS_SELECTOR, shelved).text and page.find_element(By.ID, "alarm-empty").is_displayed()
    page.execute_script("window.fluxionDashboard.selectedAlert = null")
    wait_for(lambda: not page.find_elements(By.CSS_SELECTOR, f'#map .alert-marker[data-alert="/{alert_id}"]'), 5, "its marker off the map")
    assert "shelved" in page.find_element(By.CSS_SELECTOR, f'#alert-table tr[data-alert="/{alert_id}"]').text
    wait_for(lambda: page.find_element(By.CSS_SELECTOR, f'{shelved} button[data-op="unshelve"]').click() or True, 5, "a click on Unshelve")
    wait_for(lambda: not stored_alert(server, alert_id).HasField("shelving"), 10, "the unshelving stored")
    wait_for(lambda: page.find_elements(By.CSS_SELECTOR, f'#map .alert-marker[data-alert="/{alert_id}"]'), 10, "its marker back")


def test_06_clock_speed_pause_resume_from_the_page(page, server):
    page.find_element(By.ID, "clock-pause").click()
    wait_for(lambda: page.find_element(By.ID, "sim-state").text == "paused", 10, "paused")
    with server.client() as c:
        assert c.get_clock().paused
    page.find_element(By.ID, "clock-resume").click()
    wait_for(lambda: page.find_element(By.ID, "sim-state").text == "running", 10, "running")
    speed = page.find_element(By.ID, "clock-speed")
    speed.send_keys("-4")
    page.find_element(By.ID, "clock-set").click()
    spot = page.find_element(By.CSS_SELECTOR, '#clock-form [data-error-for="speed"], #clock-form [data-error-for=""]')
    err = wait_for(lambda: " ".join(e.text for e in page.find_elements(By.CSS_SELECTOR, "#clock-form [data-error-for]")).strip(), 10, "the speed error")
    assert "speed" in err, err
    speed.clear()
    speed.send_keys(str(SPEED))
    page.find_element(By.ID, "clock-set").click()
    with server.client() as c:
        wait_for(lambda: not c.get_clock().paused and c.get_clock().speed == SPEED, 10, "the clock running at speed")
    del spot


def test_07_detector_swap_from_the_page(page, server):
    load = wait_for(lambda: page.find_elements(By.CSS_SELECTOR, '#detector-table button[data-op="load"][data-detector="FluxionPressureDrop"]'), 10, "the Load button")
    load[0].click()
    wait_for(lambda: page.find_elements(By.CSS_SELECTOR, '#swap-to option[value="FluxionPressureDrop"]'), 15, "the loaded detector offered for a swap")
    Select(page.find_element(By.ID, "swap-from")).select_by_value("threshold")
    Select(page.find_element(By.ID, "swap-to")).select_by_value("FluxionPressureDrop")
    page.find_element(By.ID, "swap-go").click()

    def states():
        with server.client() as c:
            return {d.name: d.state for d in c.list_detectors().detectors}

    wait_for(lambda: states().get("FluxionPressureDrop") == detectors_pb2.DETECTOR_STATE_ACTIVE, 15, "the swap in ListDetectors")
    assert states()["threshold"] == detectors_pb2.DETECTOR_STATE_LOADED
    wait_for(lambda: page.find_element(By.CSS_SELECTOR, '#detector-table tr[data-detector="threshold"] td.state').text == "loaded", 10, "the page to show it")
    shot(page, "07-swapped")


def test_08_failed_and_frozen_sensors_are_marked(page, server):
    with server.client() as c:
        c.set_sensor_fault(twin_pb2.SetSensorFaultRequest(sensor_id="SUM-PT", fault=twin_pb2.SENSOR_FAULT_DROPOUT))
        c.set_sensor_fault(twin_pb2.SetSensorFaultRequest(sensor_id="MAR-PT", fault=twin_pb2.SENSOR_FAULT_FREEZE))
    mark = lambda s: "".join(e.text for e in page.find_elements(By.CSS_SELECTOR, f'#tiles tr[data-sensor="{s}"] .mark'))  # noqa: E731
    wait_for(lambda: mark("SUM-PT") == "FAILED", 15, "SUM-PT marked failed")
    wait_for(lambda: mark("MAR-PT") == "FROZEN", 20, "MAR-PT marked frozen")
    assert mark("TUR-PT") == ""  # negative control: a healthy sensor has no mark
    shot(page, "08-sensor-faults")
    with server.client() as c:
        for s in ("SUM-PT", "MAR-PT"):
            c.set_sensor_fault(twin_pb2.SetSensorFaultRequest(sensor_id=s, fault=twin_pb2.SENSOR_FAULT_NONE))
    wait_for(lambda: mark("SUM-PT") == "" and mark("MAR-PT") == "", 15, "the marks to go")


def test_09_killed_server_shows_the_banner_and_a_restart_recovers(page, server, gateway):
    server.kill()
    banner = page.find_element(By.ID, "banner")
    wait_for(lambda: banner.is_displayed() and "unreachable" in banner.text, 15, "the banner")
    assert server.address in banner.text
    # Every value on the page is marked stale while the server is away.
    wait_for(lambda: {e.text for e in page.find_elements(By.CSS_SELECTOR, "#tiles .mark")} == {"STALE"}, 5, "stale marks")
    assert len(page.find_elements(By.CSS_SELECTOR, "#tiles .mark")) == 24
    shot(page, "09-server-down")
    server.restart()  # same port
    wait_for(lambda: not banner.is_displayed(), 30, "the banner to go")
    first = cell_text(page, "TUR-PT")
    wait_for(lambda: cell_text(page, "TUR-PT") not in (first, "—"), 15, "values moving again")
    assert gateway.get("/api/status")["sessions"] == 2
    shot(page, "09-recovered")
    # Chromium logs every answer ≥ 400 as a console error: the deliberate bad inputs of tests 04
    # and 06 are the only ones allowed; no script error, no other failed load.
    errors = [e for e in severe_console_entries(page) if not (e["source"] == "network" and "/api/" in e["message"] and "status of 400" in e["message"])]
    assert errors == []
