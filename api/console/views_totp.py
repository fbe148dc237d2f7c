"""A signed-in person enrols one-time codes (TOTP) themselves: the account page shows a new
secret as a QR code (an inline SVG drawn by segno, no script, no image request) and as text;
the person confirms with their password and a code of it, and from then on signs in with a
code. The secret waits, unconfirmed, in the signed form cookie (bound to the person), never
in the database; a person already enrolled is sent back (an operator replaces a factor)."""

from __future__ import annotations

import re

import segno
from flask import redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from api.console.auth import accounts, console_login_required, current_user
from api.console.blueprint import console
from customs.domain.errors import Conflict

PENDING = "totp_pending"
SECRET = re.compile(r"[A-Z2-7]{16,64}")


def _pending(user_id: int) -> tuple[str, str] | None:
    found = session.get(PENDING)
    if (isinstance(found, dict) and found.get("user") == user_id
            and SECRET.fullmatch(str(found.get("secret", "")))):
        return str(found["secret"]), str(found["uri"])
    return None


def _qr(uri: str) -> Markup:
    """The otpauth URI as an SVG element: segno writes a path of the QR's modules and the
    title, which it escapes (a translated string); nothing else of ours goes in."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, svgclass="qr",
                                               title=_("QR code of the secret"))
    labelled = svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" ', 1)
    return Markup(labelled.replace("<title>", '<title id="qr-title">', 1))  # noqa: S704


def _page(secret: str, uri: str, status: int = 200, error: str | None = None
          ) -> tuple[str, int]:
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("console/account_totp.html", qr=_qr(uri), secret=grouped, uri=uri,
                           error=error), status


@console.get("/account/totp")
@console_login_required()
def totp() -> object:
    user = current_user()
    if user.totp_secret:
        return redirect(url_for("console.account"))
    pending = _pending(user.id)
    if pending is None:
        secret, uri = accounts().start_totp(user.id)
        session[PENDING] = {"user": user.id, "secret": secret, "uri": uri}
        pending = secret, uri
    return _page(*pending)


@console.post("/account/totp")
@console_login_required()
def totp_post() -> object:
    user = current_user()
    pending = _pending(user.id)
    if user.totp_secret or pending is None:
        return redirect(url_for("console.totp"))
    try:
        result = accounts().confirm_totp(user.id, pending[0], request.form.get("password", ""),
                                         request.form.get("code", "")[:12])
    except Conflict:  # enrolled meanwhile (another tab, an operator)
        session.pop(PENDING, None)
        return redirect(url_for("console.account"))
    if result.outcome == "signed_in":
        session.pop(PENDING, None)
        return redirect(url_for("console.account", enrolled=1))
    if result.outcome == "locked":
        return _page(*pending, status=429, error=_(
            "Too many failed attempts: the account is locked until %(time)s (UTC).",
            time=format_datetime(result.locked_until, "medium")))
    return _page(*pending, status=400, error=_("The password or the code is not right."))
