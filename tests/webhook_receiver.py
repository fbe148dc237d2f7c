"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 (port 0)."""

from __future__ import annotations

import json
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class Receiver:
    """A real HTTP server on 127.0.0.1 that answers `status` (with `headers`) and keeps every
    request."""

    def __init__(self) -> None:
        self.status = 200
        self.headers: dict[str, str] = {}
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @Request.application
    def app(self, request: Request) -> Response:
        with self.lock:
            self.requests.append((dict(request.headers), request.get_data()))
        return Response("ok", status=self.status, headers=self.headers)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def events(self) -> list[int]:
        return [json.loads(body)["id"] for _, body in self.requests]


class MaxRng:
    """Full jitter at its ceiling: delays are exact, so growth can be asserted."""

    def uniform(self, a: float, b: float) -> float:
        return b
