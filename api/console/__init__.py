"""The web console: server-rendered pages for people (officers, supervisors, marketplace
staff) beside the JSON API, on the same use cases and scopes. A delivery adapter only.

Adding a page: a view in a views_*.py module on `console` (api.console.blueprint), guarded
by `@console_login_required(role=...)`, rendering a template that extends console/base.html.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from api.console import (  # noqa: F401  (imported for their routes)
    auth,
    i18n,
    pages,
    security,
    views_account,
    views_dashboard,
    views_dossier,
    views_home,
    views_market,
    views_officer,
    views_saved,
    views_totp,
)
from api.console.blueprint import console
from customs.domain.errors import NotFound

__all__ = ["console", "init_app"]


class _FormSessions(SecureCookieSessionInterface):
    """Flask's signed cookie, used only for the CSRF token and the language chosen before
    sign-in; Secure like the session cookie (behind TLS, or as configured)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return auth.secure_cookies() if request else super().get_cookie_secure(app)


def _secret_key(app: Flask) -> str:
    settings = app.extensions["customs"].settings
    if settings.console_secret_key:
        return str(settings.console_secret_key)
    if settings.secrets_key:  # stable across processes that share CUSTOMS_SECRETS_KEY
        return hashlib.sha256(b"customs console csrf\0" + settings.secrets_key.encode()
                              ).hexdigest()
    return secrets.token_hex(32)  # one process: forms of another process are refused


def _html_error(exc: HTTPException) -> Response | None:
    """Errors on console paths outside any view (no such page) get the console's page."""
    if request.path == "/console" or request.path.startswith("/console/"):
        return pages.http_error(exc)
    return None


def init_app(app: Flask) -> None:
    app.secret_key = _secret_key(app)
    app.session_interface = _FormSessions()
    app.config.update(SESSION_COOKIE_NAME="customs_console_form", SESSION_COOKIE_PATH="/console",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    i18n.init_app(app)
    app.extensions["html_errors"] = _html_error
    app.register_blueprint(console)


console.before_request(auth.load_session)
console.after_request(security.add_headers)
console.register_error_handler(HTTPException, pages.http_error)
console.register_error_handler(NotFound, pages.not_found)
console.register_error_handler(auth.CsrfRefused, pages.csrf_refused)
console.register_error_handler(Exception, pages.unexpected)


@console.app_context_processor
def _layout() -> dict:
    return {"csrf_token": generate_csrf, "console_session": auth.current_session(),
            "signed_in": auth.signed_in(), "locales": i18n.LOCALE_NAMES,
            "role_words": i18n.ROLE_WORDS, "locale": str(get_locale() or i18n.DEFAULT_LOCALE)}
