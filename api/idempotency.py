"""`Idempotency-Key` on every POST (and PUT /v1/rates): the same key and request get the
stored reply (`Idempotent-Replayed: true`), another request with the key 422
IDEMPOTENCY_KEY_REUSED, a key whose request still runs 409 IDEMPOTENCY_KEY_IN_USE. Optional
(manifests require it: api/manifests.py keeps their receipt in their own transaction). The
rules are customs.services.replies'; this wraps a handler in them.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, jsonify, request

from api.auth import principal
from api.body import JSON_MAX_BYTES, read_bounded_body
from api.errors import ApiProblem
from customs.services.replies import Reply

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
KEPT_HEADERS = ("Location", "ETag")  # repeated on a replay with the status and body


def checked_key(key: str) -> str:
    if not IDEMPOTENCY_KEY.match(key):
        raise ApiProblem(400, "IDEMPOTENCY_KEY_INVALID",
                         "the Idempotency-Key must be 1-255 visible ASCII characters")
    return key


def idempotent(max_body: int = JSON_MAX_BYTES, *, code: str = "BODY_TOO_LARGE") -> Callable:
    """Run the handler once per (tenant, Idempotency-Key) when the header is given. The body
    is read here (bounded as the handler would: `max_body`, `code`) to fingerprint the
    request, then handed to the handler unchanged."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            raw_key = request.headers.get("Idempotency-Key")
            if raw_key is None:
                return current_app.make_response(view(*args, **kwargs))
            key = checked_key(raw_key)
            body = read_bounded_body(max_body, code=code)
            request.stream = io.BytesIO(body)  # type: ignore[misc]  # the handler reads it again
            made: list[Response] = []

            def action() -> Reply:
                response = current_app.make_response(view(*args, **kwargs))
                made.append(response)
                kept = {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers}
                return Reply(response.status_code, {"json": response.get_json(silent=True)},
                             kept)

            outcome = current_app.extensions["customs"].replies.run_once(
                principal().tenant_id, key, _fingerprint(body), action)
            if not outcome.replayed:
                return made[0]
            return _replayed(outcome.reply)

        return wrapper

    return decorate


def _fingerprint(body: bytes) -> str:
    """The request a key stands for: method, path, media type and body."""
    head = f"{request.method} {request.path} {request.mimetype}\n".encode()
    return hashlib.sha256(head + body).hexdigest()


def _replayed(reply: Reply) -> Response:
    response = jsonify(reply.body["json"])
    response.status_code = reply.status
    for name, value in reply.headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response
