"""The hub: what the gateway knows of the twin, and the browsers it tells.

One `Hub` per gateway, used only on the asyncio loop's thread. It keeps the latest of everything
(status, topology, clock, detectors, leaks, recent alerts, a short history per sensor) so that a
browser that connects gets one `snapshot` and then the same updates as every other one. Each
update is encoded to JSON once and queued to every browser; a browser that does not keep up
loses readings (counted, and it gets the next ones), never alerts or state changes; one that has
fallen more than `QUEUE_LIMIT` messages behind is disconnected (its page reconnects and gets a
fresh snapshot). A slow or vanished browser never delays the others or the streams from fluxiond.
"""
from __future__ import annotations

import asyncio
import collections
import json
import time
from typing import Any, Deque, Optional

JSON = dict[str, Any]

HISTORY_POINTS = 600     # samples kept per sensor (10 min of a 1 Hz sensor), sent to a browser that connects
FLUSH_HZ = 4.0           # readings updates per second sent to the browsers
POINTS_PER_FLUSH = 16    # samples per sensor in one update at most (fast clocks are thinned)
ALERTS_KEPT = 500        # the newest alerts kept for the log of a browser that connects
QUEUE_LIMIT = 400        # messages queued for one browser before it is disconnected
READINGS_BACKLOG = 40    # readings are dropped for a browser with more than this queued


class Browser:
    """One connected page: its outgoing queue of encoded messages."""

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.queue: asyncio.Queue[Optional[str]] = asyncio.Queue()
        self.dropped_readings = 0
        self.closed = False
        self.connected_at = time.time()

    def put(self, text: str, droppable: bool) -> bool:
        """Queues `text`; False when the browser is hopelessly behind (the caller drops it)."""
        if self.closed:
            return True
        n = self.queue.qsize()
        if droppable and n > READINGS_BACKLOG:
            self.dropped_readings += 1
            return True
        if n >= QUEUE_LIMIT:
            return False
        self.queue.put_nowait(text)
        return True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)  # wakes the sender, which ends the socket


class Hub:
    def __init__(self, server: str) -> None:
        self.browsers: set[Browser] = set()
        self.status: JSON = {"connected": False, "server": server, "error": "connecting", "since": time.time()}
        self.server_info: Optional[JSON] = None
        self.topology: Optional[JSON] = None
        self.clock: Optional[JSON] = None
        self.detectors: list[JSON] = []
        self.leaks: list[JSON] = []
        self.alerts: "collections.OrderedDict[str, JSON]" = collections.OrderedDict()
        self.history: dict[str, Deque[list]] = {}
        self.sim_time_s: Optional[float] = None
        self.readings_received = 0   # batches from fluxiond
        self.messages_sent = 0       # messages queued to browsers (all of them)
        self.pending: dict[str, list[list]] = {}
        self.tick = 0
        self.skipped_batches = 0     # batches fluxiond skipped because the gateway read too slowly
        self.flush_times: Deque[float] = collections.deque(maxlen=50)

    # ---- browsers --------------------------------------------------------------------------------

    def add(self, browser: Browser) -> None:
        self.browsers.add(browser)
        browser.put(json.dumps(self.snapshot()), droppable=False)

    def remove(self, browser: Browser) -> None:
        self.browsers.discard(browser)
        browser.close()

    def snapshot(self) -> JSON:
        return {
            "type": "snapshot",
            "status": self.status,
            "server_info": self.server_info,
            "topology": self.topology,
            "clock": self.clock,
            "detectors": self.detectors,
            "leaks": self.leaks,
            "alerts": list(self.alerts.values()),
            "history": {k: list(v) for k, v in self.history.items()},
            "sim_time_s": self.sim_time_s,
        }

    def publish(self, msg: JSON, droppable: bool = False) -> None:
        if not self.browsers:
            return
        text = json.dumps(msg)
        for b in list(self.browsers):
            if b.put(text, droppable):
                self.messages_sent += 1
            else:
                self.remove(b)

    # ---- updates from fluxiond -------------------------------------------------------------------

    def set_status(self, connected: bool, error: str = "") -> None:
        if self.status.get("connected") == connected and self.status.get("error") == error:
            return
        self.status = {"connected": connected, "server": self.status["server"], "error": error, "since": time.time()}
        self.publish({"type": "status", "status": self.status})

    def reset(self, server_info: JSON, topology: JSON, clock: JSON, detectors: list[JSON], leaks: list[JSON]) -> None:
        """A new session with fluxiond (first connection or a reconnection): everything is
        replaced, history included (a restarted server's sim time starts over), and every browser
        gets a new snapshot."""
        self.server_info, self.topology, self.clock = server_info, topology, clock
        self.detectors, self.leaks = detectors, leaks
        self.alerts.clear()
        self.history.clear()
        self.pending = {}
        self.sim_time_s = clock.get("sim_time_s")
        self.publish(self.snapshot())

    def on_readings(self, batch: JSON) -> None:
        """A batch from fluxiond (every batch: each holds only the sensors sampled at its tick, so
        a throttled stream would lose the slow ones). Kept in the history and in the pending
        update that `flush` sends."""
        self.readings_received += 1
        self.skipped_batches += batch["skipped"]
        t = batch["sim_time_s"]
        self.sim_time_s = t
        self.tick = batch["tick"]
        for sensor_id, value, valid in batch["r"]:
            point = [round(t, 3), value if valid else None]
            h = self.history.get(sensor_id)
            if h is None:
                h = self.history[sensor_id] = collections.deque(maxlen=HISTORY_POINTS)
            h.append(point)
            self.pending.setdefault(sensor_id, []).append(point)

    def flush(self) -> None:
        """Sends the readings received since the last flush (called at FLUSH_HZ): per sensor its
        samples in order, at most POINTS_PER_FLUSH of them (evenly spaced, the newest always)."""
        if not self.pending:
            return
        series = {}
        for sensor_id, points in self.pending.items():
            n = len(points)
            if n > POINTS_PER_FLUSH:
                step = n / POINTS_PER_FLUSH
                points = [points[min(n - 1, round((i + 1) * step) - 1)] for i in range(POINTS_PER_FLUSH)]
            series[sensor_id] = points
        self.pending = {}
        self.flush_times.append(time.monotonic())
        self.publish({"type": "readings", "sim_time_s": self.sim_time_s, "tick": self.tick, "skipped": self.skipped_batches, "series": series}, droppable=True)

    def on_alert(self, alert: JSON, backfill: bool = False) -> None:
        """An alert event (stream) or a stored alert (backfill: kept only if the stream has not
        already told a newer state of it)."""
        key = alert["key"]
        if backfill and key in self.alerts:
            return
        self.alerts[key] = alert
        self.alerts.move_to_end(key)
        while len(self.alerts) > ALERTS_KEPT:
            self.alerts.popitem(last=False)
        self.publish({"type": "alert", "alert": alert, "backfill": backfill})

    def on_clock(self, clock: JSON) -> None:
        changed = self.clock is None or any(self.clock.get(k) != clock.get(k) for k in ("speed", "paused", "free_running"))
        self.clock = clock
        if changed:
            self.publish({"type": "clock", "clock": clock})

    def on_detectors(self, detectors: list[JSON]) -> None:
        if detectors != self.detectors:
            self.detectors = detectors
            self.publish({"type": "detectors", "detectors": detectors})

    def on_leaks(self, leaks: list[JSON]) -> None:
        if leaks != self.leaks:
            self.leaks = leaks
            self.publish({"type": "leaks", "leaks": leaks})

    def update_rate_hz(self) -> float:
        """Readings updates per second sent to the browsers, over the last 50."""
        if len(self.flush_times) < 2:
            return 0.0
        span = self.flush_times[-1] - self.flush_times[0]
        return (len(self.flush_times) - 1) / span if span > 0 else 0.0
