"""Typed methods for every RPC of service Fluxion (service.proto), on Connection.

Kept in step with service.proto by tests/test_methods.py, which compares them with the descriptor.
"""
from __future__ import annotations

from typing import Optional

from .connection import BaseConnection, Metadata, ResponseStream
from .pb import alerts_pb2, detectors_pb2, service_pb2, twin_pb2


class Connection(BaseConnection):
    """A connection to fluxiond with one typed method per RPC (the generic ones are in BaseConnection).

    `request` defaults to the empty request; `timeout` overrides the connection's default deadline;
    `metadata` entries are sent with the call (an `authorization` entry replaces the connection's token).

    Construct it as BaseConnection: `Connection(host, port, timeout, max_receive_bytes, *, token=None,
    token_file=None, tls=False, ca_file=None)`; with neither token nor token_file, the token comes from
    the environment variable FLUXION_TOKEN. `tls=True` (or a `ca_file`, which implies it) connects with
    TLS, verifying the server's certificate against `host`; `tls=` an `ssl.SSLContext` uses that context.
    """

    def health(
        self, request: Optional[service_pb2.HealthRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> service_pb2.HealthResponse:
        return self.unary("Health", service_pb2.HealthRequest() if request is None else request, service_pb2.HealthResponse, timeout, metadata)

    def server_info(
        self, request: Optional[service_pb2.GetServerInfoRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> service_pb2.ServerInfo:
        return self.unary("GetServerInfo", service_pb2.GetServerInfoRequest() if request is None else request, service_pb2.ServerInfo, timeout, metadata)

    def stream_readings(
        self, request: Optional[twin_pb2.StreamReadingsRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> ResponseStream[twin_pb2.ReadingBatch]:
        return self.stream("StreamReadings", twin_pb2.StreamReadingsRequest() if request is None else request, twin_pb2.ReadingBatch, timeout, metadata)

    def inject_leak(
        self, request: Optional[twin_pb2.InjectLeakRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> twin_pb2.InjectLeakResponse:
        return self.unary("InjectLeak", twin_pb2.InjectLeakRequest() if request is None else request, twin_pb2.InjectLeakResponse, timeout, metadata)

    def clear_leak(
        self, request: Optional[twin_pb2.ClearLeakRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> twin_pb2.ClearLeakResponse:
        return self.unary("ClearLeak", twin_pb2.ClearLeakRequest() if request is None else request, twin_pb2.ClearLeakResponse, timeout, metadata)

    def list_leaks(
        self, request: Optional[twin_pb2.ListLeaksRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> twin_pb2.ListLeaksResponse:
        return self.unary("ListLeaks", twin_pb2.ListLeaksRequest() if request is None else request, twin_pb2.ListLeaksResponse, timeout, metadata)

    def get_topology(
        self, request: Optional[twin_pb2.GetTopologyRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> twin_pb2.Topology:
        return self.unary("GetTopology", twin_pb2.GetTopologyRequest() if request is None else request, twin_pb2.Topology, timeout, metadata)

    def get_clock(
        self, request: Optional[twin_pb2.GetClockRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> twin_pb2.Clock:
        return self.unary("GetClock", twin_pb2.GetClockRequest() if request is None else request, twin_pb2.Clock, timeout, metadata)

    def set_clock(
        self, request: Optional[twin_pb2.SetClockRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> twin_pb2.Clock:
        return self.unary("SetClock", twin_pb2.SetClockRequest() if request is None else request, twin_pb2.Clock, timeout, metadata)

    def set_sensor_fault(
        self, request: Optional[twin_pb2.SetSensorFaultRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> twin_pb2.SetSensorFaultResponse:
        return self.unary("SetSensorFault", twin_pb2.SetSensorFaultRequest() if request is None else request, twin_pb2.SetSensorFaultResponse, timeout, metadata)

    def list_detectors(
        self, request: Optional[detectors_pb2.ListDetectorsRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> detectors_pb2.ListDetectorsResponse:
        return self.unary("ListDetectors", detectors_pb2.ListDetectorsRequest() if request is None else request, detectors_pb2.ListDetectorsResponse, timeout, metadata)

    def load_detector(
        self, request: Optional[detectors_pb2.LoadDetectorRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> detectors_pb2.DetectorResponse:
        return self.unary("LoadDetector", detectors_pb2.LoadDetectorRequest() if request is None else request, detectors_pb2.DetectorResponse, timeout, metadata)

    def activate_detector(
        self, request: Optional[detectors_pb2.ActivateDetectorRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> detectors_pb2.DetectorResponse:
        return self.unary("ActivateDetector", detectors_pb2.ActivateDetectorRequest() if request is None else request, detectors_pb2.DetectorResponse, timeout, metadata)

    def deactivate_detector(
        self, request: Optional[detectors_pb2.DeactivateDetectorRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> detectors_pb2.DetectorResponse:
        return self.unary("DeactivateDetector", detectors_pb2.DeactivateDetectorRequest() if request is None else request, detectors_pb2.DetectorResponse, timeout, metadata)

    def swap_detector(
        self, request: Optional[detectors_pb2.SwapDetectorRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> detectors_pb2.DetectorResponse:
        return self.unary("SwapDetector", detectors_pb2.SwapDetectorRequest() if request is None else request, detectors_pb2.DetectorResponse, timeout, metadata)

    def query_alerts(
        self, request: Optional[alerts_pb2.QueryAlertsRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> alerts_pb2.QueryAlertsResponse:
        return self.unary("QueryAlerts", alerts_pb2.QueryAlertsRequest() if request is None else request, alerts_pb2.QueryAlertsResponse, timeout, metadata)

    def aggregate_alerts(
        self, request: Optional[alerts_pb2.AggregateAlertsRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> alerts_pb2.AggregateAlertsResponse:
        return self.unary("AggregateAlerts", alerts_pb2.AggregateAlertsRequest() if request is None else request, alerts_pb2.AggregateAlertsResponse, timeout, metadata)

    def stream_alerts(
        self, request: Optional[alerts_pb2.StreamAlertsRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> ResponseStream[alerts_pb2.AlertEvent]:
        return self.stream("StreamAlerts", alerts_pb2.StreamAlertsRequest() if request is None else request, alerts_pb2.AlertEvent, timeout, metadata)

    def acknowledge_alert(
        self, request: Optional[alerts_pb2.AcknowledgeAlertRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> alerts_pb2.AcknowledgeAlertResponse:
        return self.unary("AcknowledgeAlert", alerts_pb2.AcknowledgeAlertRequest() if request is None else request, alerts_pb2.AcknowledgeAlertResponse, timeout, metadata)

    def shelve_alert(
        self, request: Optional[alerts_pb2.ShelveAlertRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> alerts_pb2.ShelveAlertResponse:
        return self.unary("ShelveAlert", alerts_pb2.ShelveAlertRequest() if request is None else request, alerts_pb2.ShelveAlertResponse, timeout, metadata)

    def unshelve_alert(
        self, request: Optional[alerts_pb2.UnshelveAlertRequest] = None, *, timeout: Optional[float] = None, metadata: Optional[Metadata] = None
    ) -> alerts_pb2.UnshelveAlertResponse:
        return self.unary("UnshelveAlert", alerts_pb2.UnshelveAlertRequest() if request is None else request, alerts_pb2.UnshelveAlertResponse, timeout, metadata)
