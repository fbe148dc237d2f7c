"""X-Request-Id: every reply carries one, and every log line and problem document of the
request repeats it, so an operator finds a caller's complaint in the logs.

The caller's own id is kept when it is a sane token (1-128 visible characters from the HTTP
token set, plus ':', '/' and '='); anything else (too long, spaces, control characters, which
could forge log lines) is replaced by a new one. The id reaches log lines through
customs.logs.request_id (a context variable) and gunicorn's access line through the WSGI
environ, which gunicorn still holds when it writes that line after the reply.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

from customs import logs

HEADER = "X-Request-Id"
ENVIRON_KEY = "customs.request_id"
_SANE = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~:/=-]{1,128}")


def current() -> str | None:
    """The id of the request being served (None outside a request)."""
    return g.get("request_id") if g else None


def init_app(app: Flask) -> None:
    app.before_request(_assign)
    app.after_request(_echo)
    app.teardown_request(_forget)


def _assign() -> None:
    given = request.headers.get(HEADER, "")
    request_id = given if _SANE.fullmatch(given) else uuid.uuid4().hex
    g.request_id = request_id
    g.request_id_token = logs.request_id.set(request_id)
    request.environ[ENVIRON_KEY] = request_id


def _echo(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is not None:
        response.headers[HEADER] = request_id
    return response


def _forget(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        logs.request_id.reset(token)
