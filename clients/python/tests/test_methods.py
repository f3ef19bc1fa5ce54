"""The typed methods of Connection agree with service.proto, and each reaches its RPC."""
from __future__ import annotations

import re
import typing

import pytest

from conftest import Server
from fluxion_client import Connection, FluxionError, ResponseStream, StatusCode, service_pb2

SERVICE = service_pb2.DESCRIPTOR.services_by_name["Fluxion"]
STREAMING = {"StreamReadings", "StreamAlerts"}  # `returns (stream …)` in service.proto


def py_name(rpc: str) -> str:
    return "server_info" if rpc == "GetServerInfo" else re.sub(r"(?<!^)(?=[A-Z])", "_", rpc).lower()


@pytest.mark.parametrize("rpc", [m.name for m in SERVICE.methods])
def test_typed_method_matches_descriptor(rpc: str) -> None:
    m = SERVICE.methods_by_name[rpc]
    hints = typing.get_type_hints(getattr(Connection, py_name(rpc)))
    request = typing.get_args(hints["request"])[0]  # Optional[X] -> X
    assert request.DESCRIPTOR.full_name == m.input_type.full_name
    ret = hints["return"]
    if rpc in STREAMING:
        assert typing.get_origin(ret) is ResponseStream
        ret = typing.get_args(ret)[0]
    assert ret.DESCRIPTOR.full_name == m.output_type.full_name


def test_every_unimplemented_rpc_answers_unimplemented_naming_it(server: Server) -> None:
    with Connection("127.0.0.1", server.port, timeout=10) as c:
        implemented = {m.name.split("/")[-1] for m in c.server_info().methods if m.implemented}
        assert {"Health", "GetServerInfo"} <= implemented
        checked = 0
        for m in SERVICE.methods:
            if m.name in implemented:
                continue
            with pytest.raises(FluxionError) as e:
                result = getattr(c, py_name(m.name))()
                if m.name in STREAMING:
                    next(result)
            assert e.value.code == StatusCode.UNIMPLEMENTED
            assert f"fluxion.v1.Fluxion/{m.name}" in e.value.message
            checked += 1
        assert checked == len(SERVICE.methods) - len(implemented)
