"""The floor of `customs bench latency`: a bare WSGI app that answers every request with the
same JSON body, as long as a status reply (BENCH_FLOOR_BYTES), and does nothing else.

Served by gunicorn with the endpoints' workers, threads and keep-alive and loaded by the same
clients, it is the cost of a request with nothing of ours around it: the clients, the TCP
connection, gunicorn's HTTP parsing and reply. Our endpoints are reported as a ratio to it.
Imports nothing of customs, api or Flask.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any


def body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (at least the bare object), newline-terminated
    like our replies."""
    head, tail = b'{"tracking_number":"FLOOR","status":"RELEASED","pad":"', b'"}\n'
    return head + b"x" * max(0, size - len(head) - len(tail)) + tail


BODY = body(int(os.environ.get("BENCH_FLOOR_BYTES", "600")))
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]
