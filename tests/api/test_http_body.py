"""Bodies over the cap are refused over real HTTP, chunked or not; never truncated."""

from __future__ import annotations

import http.client
import json

import pytest

from api import create_app
from api.cli_demo import serving
from tests.manifests import manifest, parcel


@pytest.fixture
def server(customs):  # type: ignore[no-untyped-def]
    customs.settings.max_manifest_bytes = 4096
    with serving(create_app(customs=customs)) as base:
        yield base.removeprefix("http://")


def _send_chunked(host: str, token: str, body: bytes, chunk: int = 500) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(host, timeout=30)
    conn.putrequest("POST", "/v1/manifests")
    for name, value in {"Authorization": f"Bearer {token}", "Content-Type": "application/xml",
                        "Idempotency-Key": "chunked", "Transfer-Encoding": "chunked"}.items():
        conn.putheader(name, value)
    conn.endheaders()
    try:
        for start in range(0, len(body), chunk):
            part = body[start : start + chunk]
            conn.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer 413 and close before reading everything
    reply = conn.getresponse()
    return reply.status, json.loads(reply.read())


def test_chunked_body_under_the_cap_is_read_whole(server, marketplace_key):
    status, body = _send_chunked(server, marketplace_key, manifest(parcel()))
    assert status == 202
    assert body["accepted"] == 1


def test_chunked_body_over_the_cap_is_413_not_truncated(server, marketplace_key, customs):
    big = manifest(*[parcel(f"CDEK-{n:05d}") for n in range(8)])
    assert len(big) > 4096
    status, body = _send_chunked(server, marketplace_key, big)
    assert status == 413
    assert body["code"] == "MANIFEST_TOO_LARGE"
    with customs.resources.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM manifests").scalar() == 0


def test_declared_length_over_the_cap_is_413_before_reading(server, marketplace_key):
    conn = http.client.HTTPConnection(server, timeout=30)
    conn.putrequest("POST", "/v1/manifests")
    conn.putheader("Authorization", f"Bearer {marketplace_key}")
    conn.putheader("Content-Type", "application/xml")
    conn.putheader("Idempotency-Key", "big")
    conn.putheader("Content-Length", str(10**9))
    conn.endheaders()
    reply = conn.getresponse()
    assert reply.status == 413
    assert json.loads(reply.read())["code"] == "MANIFEST_TOO_LARGE"
