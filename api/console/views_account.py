"""Signing in (password, then a one-time code when enrolled), out (here or everywhere), the
password change a one-time password requires, the language, the account page."""

from __future__ import annotations

from flask import Response, g, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from api.console.auth import (
    accounts,
    clear_session_cookie,
    console_login_required,
    current_session,
    current_user,
    safe_next,
    set_session_cookie,
    signed_in,
)
from api.console.blueprint import console
from customs.domain.accounts import LOCALES
from customs.domain.errors import Invalid

MAX_FIELD = 1100  # longer than any password or address accepted


def _field(name: str) -> str:
    return request.form.get(name, "")[:MAX_FIELD]


def _page(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    return render_template(template, **context), status


@console.get("/sign-in")
def sign_in() -> object:
    if signed_in():
        return redirect(safe_next(request.args.get("next")))
    return _page("console/sign_in.html", next=request.args.get("next", ""))


@console.post("/sign-in")
def sign_in_post() -> object:
    email, target = _field("email"), _field("next")
    result = accounts().sign_in(email, _field("password"))
    if result.outcome == "signed_in":
        return set_session_cookie(redirect(safe_next(target)), result.token)
    if result.outcome == "second_factor":
        return set_session_cookie(redirect(url_for("console.sign_in_code", next=target)),
                                  result.token)
    if result.outcome == "locked":
        error = _("Too many failed attempts: the account is locked until %(time)s (UTC).",
                  time=format_datetime(result.locked_until, "medium"))
        return _page("console/sign_in.html", 429, error=error, email=email, next=target)
    if result.outcome == "enrol_second_factor":
        error = _("Officers sign in with a one-time code, and none is enrolled for you: ask "
                  "your administrator to enrol one (customs user totp).")
        return _page("console/sign_in.html", 403, error=error, email=email, next=target)
    return _page("console/sign_in.html", 401, error=_("Wrong e-mail or password."),
                 email=email, next=target)


@console.get("/sign-in/code")
def sign_in_code() -> object:
    found = current_session()
    if found is None or found.stage.value != "password":
        return redirect(url_for("console.sign_in"))
    return _page("console/sign_in_code.html", next=request.args.get("next", ""))


@console.post("/sign-in/code")
def sign_in_code_post() -> object:
    target = _field("next")
    result = accounts().confirm_code(g.console_token, _field("code"))
    if result.outcome == "signed_in":
        return set_session_cookie(redirect(safe_next(target)), result.token)
    if result.outcome == "locked":
        response = redirect(url_for("console.sign_in"))
        return clear_session_cookie(response)
    if current_session() is None:  # expired while the code was typed
        return clear_session_cookie(redirect(url_for("console.sign_in")))
    return _page("console/sign_in_code.html", 401, error=_("The code is not right."),
                 next=target)


@console.post("/sign-out")
def sign_out() -> Response:
    everywhere = request.form.get("everywhere") == "1"
    if g.console_token:
        accounts().sign_out(g.console_token, everywhere=everywhere)
    return clear_session_cookie(redirect(url_for("console.sign_in")))


@console.get("/account")
@console_login_required()
def account() -> object:
    return _page("console/account.html", user=current_user())


@console.get("/password")
@console_login_required()
def password() -> object:
    return _page("console/password.html", user=current_user())


@console.post("/password")
@console_login_required()
def password_post() -> object:
    new = _field("new_password")
    if new != _field("repeat_password"):
        return _page("console/password.html", 400, user=current_user(),
                     error=_("The two new passwords differ."))
    try:
        accounts().change_password(current_user().id, _field("current_password"), new)
    except Invalid as exc:
        error = (_("The current password is not right.") if exc.code == "WRONG_PASSWORD"
                 else _("A password has 12 to 1024 characters and differs from the current "
                        "one."))
        return _page("console/password.html", 400, user=current_user(), error=error)
    return redirect(url_for("console.home"))


@console.post("/language")
def language() -> Response:
    chosen = request.form.get("locale", "")
    if chosen in LOCALES:
        if signed_in():
            accounts().set_locale(current_user().id, chosen)
        else:
            session["locale"] = chosen
    return redirect(safe_next(request.form.get("next")))
