"""The gateway's one connection to fluxiond, its shared streams and polls, and reconnection.

```
 fluxiond ──one TCP connection (fluxion_client.Connection, blocking, thread-safe)──┐
   StreamReadings (every sensor, every batch)   ── thread "readings" ──┐           │
   StreamAlerts   (every alert)                 ── thread "alerts"   ──┤ call_soon_threadsafe
   GetClock, ListDetectors, ListLeaks (polled)  ── asyncio.to_thread ──┤           │
   actions (InjectLeak, SwapDetector, …)        ── asyncio.to_thread ──┘           │
                                                                        ▼          │
                                          asyncio loop: Hub ── WebSocket ── every browser tab
                                                  (readings merged, sent at FLUSH_HZ)
```

The Python client is synchronous: a stream is an iterator that blocks. Each stream gets a thread
of its own that iterates it and hands every message to the asyncio loop with
`loop.call_soon_threadsafe`; unary calls run in the default executor (`asyncio.to_thread`). The
number of streams fluxiond serves for the gateway is fixed (two), whatever the number of tabs.

When the connection fails (fluxiond killed, restarted, unreachable) every browser is told at once
(`status`), and the gateway tries again every `RETRY_S` seconds; on success it fetches everything
again and sends every browser a new snapshot.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeVar

from fluxion_client import Connection, FluxionError, StatusCode, alerts_pb2, twin_pb2

from . import mapping
from .hub import FLUSH_HZ, Hub

log = logging.getLogger("fluxion_dashboard")

POLL_S = 0.5             # clock and detectors (probability) polled at 2 Hz
LEAKS_POLL_S = 1.0       # leaks (outflow; cleared ones too, for the alerts they matched) at 1 Hz
CALL_TIMEOUT_S = 10.0    # deadline of every unary call
RETRY_S = 1.0            # between connection attempts
BACKFILL_ALERTS = 200    # stored alerts fetched for the log at each (re)connection

# A call failing with one of these means the connection is gone: the session ends.
CONNECTION_LOST = {StatusCode.UNAVAILABLE, StatusCode.CANCELLED}

T = TypeVar("T")


@dataclass
class UpstreamConfig:
    host: str
    port: int
    token: Optional[str] = None
    token_file: Optional[str] = None
    tls: bool = False
    ca_file: Optional[str] = None
    connect_timeout_s: float = 5.0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass
class StreamStats:
    """Streams this gateway has open on fluxiond, and how many it ever opened."""

    open: dict[str, int] = field(default_factory=dict)
    opened_total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, name: str) -> None:
        with self.lock:
            self.open[name] = self.open.get(name, 0) + 1
            self.opened_total += 1

    def ended(self, name: str) -> None:
        with self.lock:
            self.open[name] -= 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.open)


class NotConnected(FluxionError):
    def __init__(self, address: str, why: str) -> None:
        super().__init__(StatusCode.UNAVAILABLE, f"fluxiond at {address} is unreachable: {why}")


class Upstream:
    def __init__(self, config: UpstreamConfig, hub: Hub) -> None:
        self.config = config
        self.hub = hub
        self.conn: Optional[Connection] = None
        self.streams = StreamStats()
        self.sessions = 0
        self._last_error = "connecting"

    # ---- calls for the actions -------------------------------------------------------------------

    async def call(self, fn: Callable[[Connection], T]) -> T:
        """Runs `fn(connection)` (blocking client calls) in a worker thread. No connection:
        FluxionError(UNAVAILABLE) naming the server and why."""
        conn = self.conn
        if conn is None:
            raise NotConnected(self.config.address, self._last_error)
        return await asyncio.to_thread(fn, conn)

    # ---- the session loop ------------------------------------------------------------------------

    def _connect(self) -> Connection:
        c = self.config
        kwargs: dict[str, Any] = {"tls": c.tls, "ca_file": c.ca_file}
        if c.token_file is not None:
            kwargs["token_file"] = c.token_file
        elif c.token is not None:
            kwargs["token"] = c.token
        return Connection(c.host, c.port, timeout=c.connect_timeout_s, **kwargs)

    async def run(self) -> None:
        """Connects, serves a session until the connection fails, and starts over; forever."""
        while True:
            try:
                conn = await asyncio.to_thread(self._connect)
            except (FluxionError, OSError, ValueError) as e:
                self._lost(e)
                await asyncio.sleep(RETRY_S)
                continue
            conn.timeout = CALL_TIMEOUT_S
            try:
                await self._session(conn)
            except FluxionError as e:
                self._lost(e)
            except Exception as e:  # never let the gateway die: log, reconnect
                log.exception("session with %s failed", self.config.address)
                self._lost(e)
            finally:
                self.conn = None
                await asyncio.to_thread(conn.close)
            await asyncio.sleep(RETRY_S)

    def _lost(self, e: BaseException) -> None:
        why = e.message if isinstance(e, FluxionError) else str(e)
        if why != self._last_error:
            log.warning("fluxiond at %s: %s", self.config.address, why)
        self._last_error = why
        self.hub.set_status(False, why)

    async def _session(self, conn: Connection) -> None:
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[FluxionError] = loop.create_future()

        def end(e: FluxionError) -> None:
            if not ended.done():
                ended.set_result(e)

        info, topo, clock, dets, leaks = await asyncio.to_thread(
            lambda: (conn.server_info(), conn.get_topology(), conn.get_clock(), conn.list_detectors(), conn.list_leaks(twin_pb2.ListLeaksRequest(include_cleared=True)))
        )
        self.sessions += 1
        self.hub.reset(
            {"server_name": info.server_name, "server_version": info.server_version, "scenario": info.scenario, "methods": [m.name for m in info.methods if m.implemented]},
            mapping.topology(topo),
            mapping.clock(clock),
            [mapping.detector(d) for d in dets.detectors],
            [mapping.leak(lk) for lk in leaks.leaks],
        )
        self.conn = conn
        self.hub.set_status(True)
        log.info("connected to fluxiond at %s (%s %s)", self.config.address, info.server_name, info.server_version)

        streams = [
            _Pump("readings", lambda: conn.stream_readings(twin_pb2.StreamReadingsRequest()), mapping.reading_batch, self.hub.on_readings, self.streams, loop, end),
            _Pump("alerts", lambda: conn.stream_alerts(alerts_pb2.StreamAlertsRequest()), mapping.alert_event, self.hub.on_alert, self.streams, loop, end),
        ]
        for s in streams:
            s.start()
        pollers = [
            asyncio.create_task(self._poll(conn, POLL_S, lambda c: mapping.clock(c.get_clock()), self.hub.on_clock, end)),
            asyncio.create_task(self._poll(conn, POLL_S, lambda c: [mapping.detector(d) for d in c.list_detectors().detectors], self.hub.on_detectors, end)),
            asyncio.create_task(self._poll(conn, LEAKS_POLL_S, lambda c: [mapping.leak(lk) for lk in c.list_leaks(twin_pb2.ListLeaksRequest(include_cleared=True)).leaks], self.hub.on_leaks, end)),
        ]
        pollers.append(asyncio.create_task(self._flush()))
        try:
            # The log's backfill: after StreamAlerts is open, so nothing falls between the two.
            stored = await asyncio.to_thread(lambda: conn.query_alerts(alerts_pb2.QueryAlertsRequest(page_size=BACKFILL_ALERTS)))
            for a in reversed(stored.alerts):  # oldest first, so the newest end up last
                self.hub.on_alert(mapping.alert(a), backfill=True)
            raise await ended
        finally:
            for p in pollers:
                p.cancel()
            for s in streams:
                s.stop()

    async def _flush(self) -> None:
        while True:
            await asyncio.sleep(1 / FLUSH_HZ)
            self.hub.flush()

    async def _poll(self, conn: Connection, every: float, fetch: Callable[[Connection], Any], deliver: Callable[[Any], None], end: Callable[[FluxionError], None]) -> None:
        """Calls `fetch` every `every` seconds; a lost connection ends the session, another error
        (say, PERMISSION_DENIED) is logged once and the poll goes on."""
        failed = ""
        while True:
            try:
                deliver(await asyncio.to_thread(fetch, conn))
                failed = ""
            except FluxionError as e:
                if e.code in CONNECTION_LOST or e.code == StatusCode.DEADLINE_EXCEEDED:
                    end(e)
                    return
                if e.message != failed:
                    log.warning("poll failed: %s", e)
                failed = e.message
            await asyncio.sleep(every)


class _Pump:
    """One server stream, iterated by a thread of its own; each message is mapped in that thread
    and delivered on the asyncio loop. A stream that ends while the connection lives (the server
    ended it, e.g. RESOURCE_EXHAUSTED for a stall) is opened again after a second; one that ends
    with the connection ends the session."""

    def __init__(self, name: str, open_stream: Callable[[], Any], convert: Callable[[Any], Any], deliver: Callable[[Any], None], stats: StreamStats, loop: asyncio.AbstractEventLoop, end: Callable[[FluxionError], None]) -> None:
        self.name = name
        self._open = open_stream
        self._convert = convert
        self._deliver = deliver
        self._stats = stats
        self._loop = loop
        self._end = end
        self._stop = threading.Event()
        self._stream: Any = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"dashboard-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.cancel()
        self._thread.join(5)

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop is closed: the gateway is stopping
            self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                stream = self._open()
            except FluxionError as e:
                self._post(self._end, e)
                return
            with self._lock:
                self._stream = stream
            self._stats.started(self.name)
            error: Optional[FluxionError] = None
            try:
                for msg in stream:
                    self._post(self._deliver, self._convert(msg))
                    if self._stop.is_set():
                        break
            except FluxionError as e:
                error = e
            finally:
                stream.cancel()
                self._stats.ended(self.name)
                with self._lock:
                    self._stream = None
            if self._stop.is_set():
                return
            if error is None or error.code in CONNECTION_LOST:
                self._post(self._end, error or FluxionError(StatusCode.UNAVAILABLE, f"{self.name} stream ended"))
                return
            log.warning("%s stream ended (%s); opening it again", self.name, error)
            self._stop.wait(1.0)
