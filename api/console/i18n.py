"""Russian and English, per person (Flask-Babel): catalogs in api/console/translations
(messages.po edited, messages.mo compiled and committed; scripts/console_i18n.sh extracts
and compiles). Dates, numbers and money are formatted by Babel for the page's locale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import Flask, g, request, session
from flask_babel import Babel, format_currency, format_datetime, format_decimal, format_timedelta
from flask_babel import lazy_gettext as _l

from customs.domain.accounts import LOCALES

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "ru"

STATUS_WORDS = {
    "RECEIVED": _l("Received"), "VALIDATED": _l("Validated"), "REJECTED": _l("Rejected"),
    "DECLARED": _l("Declared"), "BATCHED": _l("In a batch"), "SUBMITTED": _l("Submitted"),
    "ACKNOWLEDGED": _l("Registered by customs"), "RELEASED": _l("Released"),
    "HELD": _l("Held"), "DUTY_DUE": _l("Duty due"), "PAID": _l("Duty paid"),
    "REFUSED": _l("Refused"), "RETURNED": _l("Returned"),
    "TRANSMISSION_FAILED": _l("Transmission failed"), "CANCELLED": _l("Cancelled"),
}
ROLE_WORDS = {"officer": _l("Customs officer"), "supervisor": _l("Supervisor"),
              "marketplace": _l("Marketplace staff")}


def select_locale() -> str:
    """The signed-in person's language; before sign-in the one chosen on the page, else the
    browser's preference; Russian by default."""
    found = g.get("console_session")
    if found is not None:
        return str(found.user.locale)
    chosen = session.get("locale") if request.path.startswith("/console") else None
    if chosen in LOCALES:
        return str(chosen)
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def money(amount: object, currency: str | None) -> str:
    """An exact decimal amount in the locale's form (never through float)."""
    if amount is None or not currency:
        return ""
    try:
        return str(format_currency(Decimal(str(amount)), currency))
    except (InvalidOperation, ValueError):
        return f"{amount} {currency}"


def number(value: object) -> str:
    return "" if value is None else str(format_decimal(Decimal(str(value))))


def when(value: object) -> str:
    """A stored instant (datetime or ISO text), in the locale's medium form, UTC."""
    from datetime import datetime

    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return str(format_datetime(moment, "medium"))


def age(seconds: object) -> str:
    """How long, in the locale's words ("3 hours")."""
    if seconds is None:
        return ""
    return str(format_timedelta(timedelta(seconds=int(str(seconds))), threshold=1.0))


def status_word(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT_LOCALE)
    from api.console import words

    app.jinja_env.filters.update(money=money, number=number, when=when, status=status_word,
                                 age=age, source=words.source_word,
                                 violation=words.violation_word, action=words.action_word)
    app.jinja_env.globals.update(action_words=words.ACTIONS)

LOCALE_NAMES = {"ru": "Русский", "en": "English"}
