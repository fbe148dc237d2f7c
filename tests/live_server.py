"""The service on a real HTTP server (127.0.0.1, port 0) in a thread, for clients that speak
HTTP: the client library's tests and the example integration."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server


@contextmanager
def serving(app: Callable[..., Any]) -> Iterator[str]:
    """Serve the WSGI `app` until the block ends; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def s10(serial: int, prefix: str = "RR", country: str = "CN") -> str:
    """A UPU S10 tracking number with its check digit (weights 8 6 4 2 3 5 9 7)."""
    digits = f"{serial:08d}"
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return f"{prefix}{digits}{ {10: 0, 11: 5}.get(check, check)}{country}"
