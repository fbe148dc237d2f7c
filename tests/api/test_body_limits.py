"""Request bodies cost what their size costs: JSON bounded in size, nesting, keys and strings on
every endpoint that takes it; broken, short and slow bodies over real HTTP are 4xx, never 500."""

from __future__ import annotations

import io
import json
import socket
import tracemalloc

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from api import create_app
from api.cli_demo import serving

DEEP = "[" * 8_000 + "]" * 8_000


def _hook(world) -> str:  # type: ignore[no-untyped-def]
    world.customs.settings.webhook_allow_private_urls = True
    return world.post("acme", "/v1/webhooks", {"url": "http://127.0.0.1:9/h"}).get_json()["id"]


def _send(world, method: str, path: str, who: str, body: str,  # type: ignore[no-untyped-def]
          content_type: str = "application/json"):
    return world.client.open(path, method=method, data=body, content_type=content_type,
                             headers=world.auth(who))


@pytest.mark.parametrize("body", [DEEP, '{"a":' * 5_000 + "1" + "}" * 5_000,
                                  '{"reason": ' + "[" * 20 + "]" * 20 + "}",
                                  json.dumps({f"k{i}": 1 for i in range(100)}),
                                  json.dumps({"reason": "x" * 9_000})],
                         ids=["brackets", "objects", "depth-20", "keys-100", "string-9000"])
def test_hostile_json_is_4xx_on_every_json_endpoint(world, body):
    hook = _hook(world)
    world.keys["ops"] = world.customs.access.create_api_key("ops", "operator")[1]  # sets rates
    for method, path, who in [("POST", "/v1/parcels/RR123456785CN/decisions", "moscow"),
                              ("PUT", "/v1/rates", "ops"),
                              ("POST", "/v1/webhooks", "acme"),
                              ("POST", f"/v1/webhooks/{hook}/rotate-secret", "acme"),
                              ("POST", f"/v1/webhooks/{hook}/replay", "acme")]:
        r = _send(world, method, path, who, body)
        assert 400 <= r.status_code < 500, (path, r.status_code, r.get_data(as_text=True)[:200])
        assert r.mimetype == "application/problem+json"
        assert r.get_json()["code"] in ("INVALID_JSON", "JSON_TOO_COMPLEX", "RATES_INVALID",
                                        "BODY_TOO_LARGE")


def test_a_large_decision_body_is_413_before_it_is_read(world):
    r = _send(world, "POST", "/v1/parcels/RR123456785CN/decisions", "moscow",
              '{"reason": "' + "x" * 1_000_000 + '"}')
    assert r.status_code == 413
    assert r.get_json()["code"] == "BODY_TOO_LARGE"


@pytest.fixture
def server(world):  # type: ignore[no-untyped-def]
    world.customs.settings.body_read_seconds = 0.5
    with serving(create_app(customs=world.customs)) as base:
        host, port = base.removeprefix("http://").split(":")
        yield world, (host, int(port))


def _raw(address, head: str, parts: list[bytes], *, close_write: bool = False) -> bytes:
    with socket.create_connection(address, timeout=30) as conn:
        conn.sendall(head.encode())
        try:
            for part in parts:
                conn.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed
        if close_write:
            conn.shutdown(socket.SHUT_WR)
        reply = b""
        while not _complete(reply) and (chunk := conn.recv(65536)):
            reply += chunk
        return reply


def _complete(reply: bytes) -> bool:
    """The whole response is in (the server may keep the connection open after it)."""
    head, found, body = reply.partition(b"\r\n\r\n")
    if not found:
        return False
    length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    return bool(length) and len(body) >= int(length[0].split(b":")[1])


def _head(world, path: str, who: str, extra: str) -> str:  # type: ignore[no-untyped-def]
    token = world.keys[who]
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nConnection: close\r\n{extra}\r\n")


@pytest.mark.parametrize("parts,close_write", [
    ([b"zz\r\n{}\r\n0\r\n\r\n"], False),           # not a hexadecimal chunk size
    ([b"64\r\n{\"reason\": \"x"], True),             # announces 100 bytes, sends 13, ends
])
def test_a_broken_chunked_body_is_400(server, parts, close_write):
    world, address = server
    head = _head(world, "/v1/parcels/RR123456785CN/decisions", "moscow",
                 "Transfer-Encoding: chunked\r\n")
    reply = _raw(address, head, parts, close_write=close_write)
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert b'"BODY_INCOMPLETE"' in reply


def test_a_body_slower_than_the_read_deadline_is_408(server):
    world, address = server
    head = _head(world, "/v1/parcels/RR123456785CN/decisions", "moscow",
                 "Content-Length: 1000\r\n")
    reply = _raw(address, head, [b'{"action": "hold"'])  # then nothing: the server gives up
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b'"BODY_TIMEOUT"' in reply


class Endless(io.RawIOBase):
    """A body of `size` bytes made on demand, counting what the server asked for."""

    def __init__(self, size: int) -> None:
        self.left, self.served = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        n = min(len(buffer), self.left)
        buffer[:n] = b"[" * n
        self.left -= n
        self.served += n
        return n


def test_an_800_mb_json_body_of_unknown_length_is_refused_after_its_limit(world):
    body = Endless(800 * 1024 * 1024)
    environ = EnvironBuilder("/v1/parcels/RR123456785CN/decisions", method="POST",
                             content_type="application/json",
                             headers=world.auth("moscow")).get_environ()
    environ.pop("CONTENT_LENGTH", None)  # as a chunked body arrives: no length announced
    environ.update({"wsgi.input": body, "wsgi.input_terminated": True})
    tracemalloc.start()
    reply, status, _headers = run_wsgi_app(world.client.application, environ)
    content = b"".join(reply)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert status.startswith("413")
    assert json.loads(content)["code"] == "BODY_TOO_LARGE"
    assert body.served <= 16 * 1024 + 1
    assert peak < 2 * 1024 * 1024
