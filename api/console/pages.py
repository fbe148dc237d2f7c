"""Error pages in the console's layout: a 404 for what is missing or out of the person's
scope (as the API: another office's parcel is not found, not forbidden), a 403 for a page of
another role, a 400 for a refused form token; never a stack trace."""

from __future__ import annotations

import logging

from flask import Response, g, render_template, request
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from api.console.auth import CsrfRefused

log = logging.getLogger("customs.console")


def error_page(status: int, title: str, detail: str) -> Response:
    try:
        body = render_template("console/error.html", status=status, title=title,
                               detail=detail, request_id=g.get("request_id"))
    except Exception:  # the layout itself failed: a bare page, never a traceback
        log.exception("console error page failed on %s", request.path)
        body = f"<!doctype html><title>{status}</title><h1>{escape(title)}</h1>"
    return Response(body, status=status, mimetype="text/html")


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 404:
        return error_page(404, _("Not found"),
                          _("There is no such page, or it is not in your scope."))
    if status == 403:
        return error_page(403, _("Forbidden"), _("This page is for another role."))
    if status == 405:
        return error_page(405, _("Not allowed"), _("This page does not take that request."))
    return error_page(status, exc.name, exc.description or "")


def not_found(exc: Exception) -> Response:
    return error_page(404, _("Not found"), _("There is no such page, or it is not in your scope."))


def csrf_refused(exc: CsrfRefused) -> Response:
    log.info("console form refused on %s: %s", request.path, exc)
    return error_page(400, _("The form was refused"),
                      _("The form had no valid security token (it may be too old). Go back, "
                        "reload the page and send it again."))


def unexpected(exc: Exception) -> Response:
    log.exception("unhandled console error on %s %s", request.method, request.path)
    return error_page(500, _("Something went wrong"),
                      _("The server failed; nothing was changed. Try again."))
