"""Who is signed in to the console, and the guards pages put on themselves.

The session lives server-side (customs.services.accounts); the cookie `customs_console`
holds only its random token: HttpOnly, SameSite=Lax, Path=/console, Secure behind TLS.
Every state-changing request (any method but GET/HEAD/OPTIONS) must carry the form's CSRF
token (Flask-WTF), checked before the view runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, redirect, request, url_for
from flask_wtf.csrf import ValidationError, validate_csrf

from customs.services.account_ports import UserRecord
from customs.services.accounts import ConsoleSession
from customs.services.ports import Principal

COOKIE = "customs_console"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PASSWORD_PAGES = ("console.password", "console.password_post")


class CsrfRefused(Exception):
    """A state-changing form came without a valid token (forged, or its page too old)."""


def accounts():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"].accounts


def secure_cookies() -> bool:
    setting = current_app.extensions["customs"].settings.console_secure_cookies
    return request.is_secure if setting is None else bool(setting)


def load_session() -> None:
    """Before every console request: the session (if any) and the CSRF check."""
    token = request.cookies.get(COOKIE, "")
    g.console_token = token
    g.console_session = accounts().resume(token) if token else None
    if request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CsrfRefused(str(exc)) from None


def set_session_cookie(response: Response, token: str) -> Response:
    settings = current_app.extensions["customs"].settings
    response.set_cookie(COOKIE, token, max_age=int(settings.console_session_hours * 3600),
                        path="/console", secure=secure_cookies(), httponly=True,
                        samesite="Lax")
    return response


def clear_session_cookie(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/console", secure=secure_cookies(), httponly=True,
                           samesite="Lax")
    return response


def current_session() -> ConsoleSession | None:
    return g.get("console_session")


def current_user() -> UserRecord:
    """The signed-in person (only inside a view guarded by console_login_required)."""
    return g.console_session.user  # type: ignore[no-any-return]


def current_principal() -> Principal:
    """The scope the person reads and decides with: the same as an API key's of its role."""
    return g.console_session.principal  # type: ignore[no-any-return]


def signed_in() -> bool:
    found = current_session()
    return found is not None and found.stage.value == "signed_in"


def safe_next(target: str | None) -> str:
    """Only a path inside the console: never another site (open redirect)."""
    if not target:
        return url_for("console.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/") \
            or target.startswith("//") or "\\" in target:
        return url_for("console.home")
    return target


def console_login_required(role: str | tuple[str, ...] | None = None) -> Callable:
    """Signed-in people only (else the sign-in page, coming back here after); with `role`,
    only those console roles (else the 403 page). A person holding a one-time password is
    sent to change it first."""
    roles = (role,) if isinstance(role, str) else role

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not signed_in():
                return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
            user = current_user()
            if user.must_change_password and request.endpoint not in PASSWORD_PAGES:
                return redirect(url_for("console.password"))
            if roles is not None and user.role.value not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate
