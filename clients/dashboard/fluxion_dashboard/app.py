"""The gateway's HTTP and WebSocket routes (Starlette).

- `GET /` the page, `/static/…` its files, `/vendor/chart.min.js` Chart.js from Debian's
  libjs-chart.js (nothing comes from the internet).
- `WS /ws` the live feed: a `snapshot`, then `status`, `readings`, `clock`, `detectors`,
  `leaks` and `alert` messages (docs/DASHBOARD.md lists their fields).
- `POST /api/…` the actions (inject and clear leaks, clock, detectors, sensor faults, alarm
  acknowledgement and shelving). A request may carry `Idempotency-Key`: repeated with the same
  key it runs once. A failure answers `{code, message, field, source}` with the server's text
  unchanged and an HTTP status from its gRPC status (mapping.HTTP_STATUS).
- `GET /api/alerts`, `/api/alerts/aggregate`, `/api/alerts/heatmap`, `/api/alerts.csv` history.
- `GET /api/status` the gateway's own figures (connection, streams open on fluxiond, browsers).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from fluxion_client import Connection, FluxionError, alerts_pb2, detectors_pb2, twin_pb2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from . import mapping
from .hub import Browser, Hub
from .idempotency import Answer, IdempotencyCache
from .upstream import Upstream, UpstreamConfig

log = logging.getLogger("fluxion_dashboard")

STATIC = Path(__file__).resolve().parent / "static"
CHARTJS_DIR = "/usr/share/javascript/chart.js"
CSV_MAX_ALERTS = 100_000   # an export stops there (QueryAlerts pages of 1000)


class Gateway:
    """The gateway's state: the hub, the connection to fluxiond, the idempotency cache."""

    def __init__(self, config: UpstreamConfig, chartjs_dir: str = CHARTJS_DIR) -> None:
        self.config = config
        self.hub = Hub(config.address)
        self.upstream = Upstream(config, self.hub)
        self.once = IdempotencyCache()
        self.chartjs = Path(chartjs_dir) / "chart.min.js"
        self.task: asyncio.Task[None] | None = None

    # ---- actions ---------------------------------------------------------------------------------

    async def action(self, request: Request, fn: Callable[[Connection, dict], Any], after: Callable[[Any], Awaitable[dict] | dict] | None = None) -> Response:
        """Runs `fn(connection, form)` once per Idempotency-Key and answers JSON: 200 with
        `after(result)` (default: {}), or the error mapping of the failure."""
        try:
            form = await request.json() if await request.body() else {}
        except ValueError:
            return JSONResponse({"code": "INVALID_ARGUMENT", "message": "the request body is not JSON", "field": None, "source": "gateway"}, 400)
        if not isinstance(form, dict):
            return JSONResponse({"code": "INVALID_ARGUMENT", "message": "the request body must be a JSON object", "field": None, "source": "gateway"}, 400)
        form = {**form, **request.path_params}

        async def run() -> Answer:
            try:
                result = await self.upstream.call(lambda c: fn(c, form))
                body = after(result) if after is not None else {}
                if asyncio.iscoroutine(body):
                    body = await body
                return 200, body  # type: ignore[return-value]
            except (FluxionError, mapping.FormError, ValueError) as e:
                if not isinstance(e, (FluxionError, mapping.FormError)):
                    e = mapping.FormError("request", str(e))
                return mapping.error(e)

        key = request.headers.get("idempotency-key", "")
        status, body = await self.once.run(f"{request.url.path} {key}" if key else None, run)
        return JSONResponse(body, status)

    async def refresh_leaks(self) -> None:
        with contextlib.suppress(FluxionError):
            leaks = await self.upstream.call(lambda c: c.list_leaks(twin_pb2.ListLeaksRequest(include_cleared=True)))
            self.hub.on_leaks([mapping.leak(lk) for lk in leaks.leaks])

    async def inject_leak(self, request: Request) -> Response:
        async def after(resp: twin_pb2.InjectLeakResponse) -> dict:
            await self.refresh_leaks()
            return {"leak": mapping.leak(resp.leak), "warnings": list(resp.warnings)}

        return await self.action(request, lambda c, f: c.inject_leak(mapping.inject_leak_request(f)), after)

    async def clear_leak(self, request: Request) -> Response:
        async def after(resp: twin_pb2.ClearLeakResponse) -> dict:
            await self.refresh_leaks()
            return {"leak": mapping.leak(resp.leak)}

        return await self.action(request, lambda c, f: c.clear_leak(twin_pb2.ClearLeakRequest(leak_id=f["leak_id"])), after)

    async def set_clock(self, request: Request) -> Response:
        def after(clock: twin_pb2.Clock) -> dict:
            self.hub.on_clock(mapping.clock(clock))
            return {"clock": mapping.clock(clock)}

        return await self.action(request, lambda c, f: c.set_clock(mapping.set_clock_request(f)), after)

    async def set_sensor_fault(self, request: Request) -> Response:
        return await self.action(request, lambda c, f: c.set_sensor_fault(mapping.sensor_fault_request(f)))

    def _detectors_after(self, resp: detectors_pb2.DetectorResponse) -> dict:
        """A DetectorResponse holds the detectors the action changed (not the whole list): they
        replace their namesakes in the hub's list, and the next poll brings the rest."""
        changed = [mapping.detector(d) for d in resp.detectors]
        by_name = {d["name"]: d for d in changed}
        merged = [by_name.pop(d["name"], d) for d in self.hub.detectors] + list(by_name.values())
        self.hub.on_detectors(merged)
        return {"detectors": changed}

    async def detector(self, request: Request) -> Response:
        op = request.path_params["op"]
        calls: dict[str, Callable[[Connection, dict], Any]] = {
            "load": lambda c, f: c.load_detector(mapping.load_detector_request(f)),
            "activate": lambda c, f: c.activate_detector(detectors_pb2.ActivateDetectorRequest(name=mapping.text("name", f.get("name")))),
            "deactivate": lambda c, f: c.deactivate_detector(detectors_pb2.DeactivateDetectorRequest(name=mapping.text("name", f.get("name")))),
            "swap": lambda c, f: c.swap_detector(mapping.swap_detector_request(f)),
        }
        if op not in calls:
            return JSONResponse({"code": "NOT_FOUND", "message": f"no detector action '{op}'", "field": None, "source": "gateway"}, 404)
        return await self.action(request, calls[op], self._detectors_after)

    # ---- alarm handling --------------------------------------------------------------------------

    def _alert_after(self, resp: Any) -> dict:
        a = mapping.alert(resp.alert)
        self.hub.on_alert(a)
        return {"alert": a}

    async def alarm(self, request: Request) -> Response:
        """Acknowledge, shelve, unshelve: `alert_id` in the path, the rest in the body."""
        op = request.path_params["op"]
        calls: dict[str, Callable[[Connection, dict], Any]] = {
            "ack": lambda c, f: c.acknowledge_alert(mapping.acknowledge_request(f)),
            "shelve": lambda c, f: c.shelve_alert(mapping.shelve_request(f)),
            "unshelve": lambda c, f: c.unshelve_alert(mapping.unshelve_request(f)),
        }
        if op not in calls:
            return JSONResponse({"code": "NOT_FOUND", "message": f"no alarm action '{op}'", "field": None, "source": "gateway"}, 404)
        return await self.action(request, calls[op], self._alert_after)

    # ---- alert history ---------------------------------------------------------------------------

    async def query(self, request: Request, fn: Callable[[Connection], Any], answer: Callable[[Any], Any]) -> Response:
        try:
            return JSONResponse(answer(await self.upstream.call(fn)))
        except (FluxionError, mapping.FormError) as e:
            status, body = mapping.error(e)
            return JSONResponse(body, status)

    async def alerts(self, request: Request) -> Response:
        q = request.query_params
        try:
            req = alerts_pb2.QueryAlertsRequest(filter=mapping.alert_filter(q), page_token=q.get("page_token", ""))
            if q.get("page_size"):
                req.page_size = int(mapping.number("page_size", q["page_size"]))
        except (mapping.FormError, ValueError) as e:
            status, body = mapping.error(e if isinstance(e, mapping.FormError) else mapping.FormError("page_size", str(e)))
            return JSONResponse(body, status)
        return await self.query(
            request,
            lambda c: c.query_alerts(req),
            lambda r: {"alerts": [mapping.alert(a) for a in r.alerts], "next_page_token": r.next_page_token, "total_count": r.total_count},
        )

    async def aggregate(self, request: Request) -> Response:
        q = request.query_params
        try:
            req = alerts_pb2.AggregateAlertsRequest(filter=mapping.alert_filter(q), group_by=mapping.grouping(q.get("group_by", "station")))
        except mapping.FormError as e:
            status, body = mapping.error(e)
            return JSONResponse(body, status)
        return await self.query(request, lambda c: c.aggregate_alerts(req), lambda r: {"buckets": [mapping.bucket(b) for b in r.buckets]})

    async def heatmap(self, request: Request) -> Response:
        """Alerts by station (rows) and hour of day (24 columns): one AggregateAlerts by station,
        then one by hour for each station that has alerts."""
        q = request.query_params
        try:
            base = mapping.alert_filter(q)
        except mapping.FormError as e:
            status, body = mapping.error(e)
            return JSONResponse(body, status)

        def fetch(c: Connection) -> dict:
            stations = c.aggregate_alerts(alerts_pb2.AggregateAlertsRequest(filter=base, group_by=alerts_pb2.ALERT_GROUPING_STATION))
            rows = []
            for b in stations.buckets:
                f = alerts_pb2.AlertFilter()
                f.CopyFrom(base)
                del f.station_ids[:]
                f.station_ids.append(b.key)
                hours = c.aggregate_alerts(alerts_pb2.AggregateAlertsRequest(filter=f, group_by=alerts_pb2.ALERT_GROUPING_HOUR_OF_DAY))
                counts = [0] * 24
                for h in hours.buckets:
                    if h.key.isdigit() and int(h.key) < 24:
                        counts[int(h.key)] = h.count
                rows.append({"station": b.key, "total": b.count, "hours": counts})
            return {"rows": rows}

        return await self.query(request, fetch, lambda r: r)

    async def alerts_csv(self, request: Request) -> Response:
        try:
            flt = mapping.alert_filter(request.query_params)
        except mapping.FormError as e:
            status, body = mapping.error(e)
            return JSONResponse(body, status)
        try:  # the first page here, so a failure is a status, not a broken download
            first = await self.upstream.call(lambda c: c.query_alerts(alerts_pb2.QueryAlertsRequest(filter=flt, page_size=1000)))
        except FluxionError as e:
            status, body = mapping.error(e)
            return JSONResponse(body, status)

        async def rows() -> AsyncIterator[str]:
            page, sent = first, 0
            yield mapping.csv_rows(page.alerts)
            sent += len(page.alerts)
            while page.next_page_token and sent < CSV_MAX_ALERTS:
                token = page.next_page_token
                try:
                    page = await self.upstream.call(lambda c: c.query_alerts(alerts_pb2.QueryAlertsRequest(filter=flt, page_size=1000, page_token=token)))
                except FluxionError as e:
                    yield f"# export stopped: {e}\n"
                    return
                yield mapping.csv_rows(page.alerts, header=False)
                sent += len(page.alerts)

        return StreamingResponse(rows(), media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="fluxion-alerts.csv"'})

    # ---- status, page, feed ----------------------------------------------------------------------

    async def status(self, request: Request) -> Response:
        hub = self.hub
        return JSONResponse(
            {
                "upstream": hub.status,
                "sessions": self.upstream.sessions,
                "streams_open": self.upstream.streams.snapshot(),
                "streams_opened_total": self.upstream.streams.opened_total,
                "browsers": len(hub.browsers),
                "readings_batches": hub.readings_received,
                "readings_skipped_batches": hub.skipped_batches,
                "update_rate_hz": round(hub.update_rate_hz(), 2),
                "messages_sent": hub.messages_sent,
                "actions_executed": self.once.executed,
                "actions_replayed": self.once.replayed,
            }
        )

    async def index(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def chartjs_file(self, request: Request) -> Response:
        if not self.chartjs.is_file():
            return Response(f"Chart.js not found at {self.chartjs} (install libjs-chart.js)", 404)
        return FileResponse(self.chartjs, media_type="text/javascript")

    async def feed(self, ws: WebSocket) -> None:
        """One browser tab. Never raises: a closed socket ends this tab's feed only."""
        await ws.accept()
        browser = Browser(f"{ws.client.host}:{ws.client.port}" if ws.client else "?")
        self.hub.add(browser)

        async def send() -> None:
            while True:
                text = await browser.queue.get()
                if text is None:
                    return
                await ws.send_text(text)

        async def receive() -> None:
            while True:
                msg = await ws.receive()
                if msg["type"] == "websocket.disconnect":
                    return

        tasks = [asyncio.create_task(send()), asyncio.create_task(receive())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(BaseException):
                    await t
            self.hub.remove(browser)
            with contextlib.suppress(Exception):
                await ws.close()

    # ---- lifecycle -------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self.task = asyncio.create_task(self.upstream.run())
        try:
            yield
        finally:
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await self.task

    def app(self) -> Starlette:
        routes = [
            Route("/", self.index),
            Route("/vendor/chart.min.js", self.chartjs_file),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            WebSocketRoute("/ws", self.feed),
            Route("/api/status", self.status),
            Route("/api/leaks", self.inject_leak, methods=["POST"]),
            Route("/api/leaks/{leak_id}/clear", self.clear_leak, methods=["POST"]),
            Route("/api/clock", self.set_clock, methods=["POST"]),
            Route("/api/sensors/{sensor_id}/fault", self.set_sensor_fault, methods=["POST"]),
            Route("/api/detectors/{op}", self.detector, methods=["POST"]),
            Route("/api/alerts/{alert_id}/{op}", self.alarm, methods=["POST"]),
            Route("/api/alerts", self.alerts),
            Route("/api/alerts/aggregate", self.aggregate),
            Route("/api/alerts/heatmap", self.heatmap),
            Route("/api/alerts.csv", self.alerts_csv),
        ]
        return Starlette(routes=routes, lifespan=self.lifespan, exception_handlers={Exception: _internal_error})


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return JSONResponse({"code": "INTERNAL", "message": f"gateway: {type(exc).__name__}: {exc}", "field": None, "source": "gateway"}, 500)
