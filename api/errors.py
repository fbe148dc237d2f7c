"""One error shape for every error: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, g, json, request
from werkzeug.exceptions import HTTPException

from customs.domain.errors import (
    BadQuery,
    CodedError,
    DatabaseNotMigrated,
    IdempotencyConflict,
    ManifestRefused,
    NotFound,
)
from customs.services.ports import ConcurrentWrite

PROBLEM_TYPE = "urn:customs:problem:"
log = logging.getLogger("customs.api")


class ApiProblem(Exception):
    """An error raised by the delivery layer with its HTTP status and stable code."""

    def __init__(self, status: int, code: str, detail: str, headers: dict | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}
        self.extra = extra


def problem(status: int, title: str, detail: str | None = None, *, code: str | None = None,
            headers: dict | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code.lower().replace("_", "-") if code else "about:blank",
        "title": title,
        "status": status,
        "instance": request.path,
    }
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    body.update(extra)
    if g and g.get("request_id"):
        body["request_id"] = g.request_id
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_error(exc: HTTPException) -> Response:
    html = current_app.extensions.get("html_errors")  # pages of their own (the console)
    if html is not None and (page := html(exc)) is not None:
        return page  # type: ignore[no-any-return]
    original = exc.get_response()
    keep = {k: v for k, v in original.headers.items()
            if k.lower() not in ("content-type", "content-length")}
    return problem(exc.code or 500, exc.name, exc.description, headers=keep)


def _refused(exc: ManifestRefused) -> Response:
    status = 413 if exc.code == "MANIFEST_TOO_LARGE" else 422
    return problem(status, exc.title, exc.detail, code=exc.code,
                   violations=[v.to_document() for v in exc.violations[:1000]])


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ManifestRefused, _refused)
    app.register_error_handler(
        ApiProblem, lambda e: problem(e.status, _title(e.status), e.detail, code=e.code,
                                      headers=e.headers, **e.extra))
    app.register_error_handler(
        IdempotencyConflict,
        lambda e: problem(422, "Idempotency key reused", str(e), code="IDEMPOTENCY_KEY_REUSED"))
    app.register_error_handler(ConcurrentWrite, _concurrent_write)
    app.register_error_handler(
        NotFound, lambda e: problem(404, "Not Found", str(e), code="NOT_FOUND"))
    app.register_error_handler(
        BadQuery, lambda e: problem(400, "Bad Request", str(e), code="BAD_QUERY"))
    app.register_error_handler(
        CodedError, lambda e: problem(e.status, _title(e.status), e.detail, code=e.code,
                                      **e.extra))
    app.register_error_handler(DatabaseNotMigrated, _not_migrated)
    app.register_error_handler(Exception, _unexpected)


def _concurrent_write(exc: ConcurrentWrite) -> Response:
    """Writers that kept conflicting after the service's own retries: nothing was stored."""
    log.warning("concurrent write on %s %s: %s", request.method, request.path, exc)
    return problem(503, "Service Unavailable",
                   "a concurrent request changed the same data; nothing was applied, retry",
                   code="CONCURRENT_WRITE", headers={"Retry-After": "1"})
def _not_migrated(exc: DatabaseNotMigrated) -> Response:
    log.error("%s %s: %s", request.method, request.path, exc.detail)  # the operator's to fix
    return problem(503, "Service Unavailable", exc.detail, code="DATABASE_NOT_MIGRATED")


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "Internal Server Error",
                   "the server failed; the request was not applied and may be retried",
                   code="INTERNAL")


def _title(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase
