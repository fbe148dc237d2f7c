"""An officer's decision as a form sends it (one parcel or many): the action, the reason,
the documents requested (one a line) and the duty. Refusals are words for the page; the
rules themselves (reason required, positive duty, lifecycle) stay in the domain."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import request
from flask_babel import gettext as _

from api.console.words import ACTIONS
from api.params import AMOUNT, CURRENCY

MAX_DOCUMENTS = 20


@dataclass(frozen=True, slots=True)
class DecisionForm:
    action: str
    reason: str | None
    duty: tuple[str, str] | None
    documents: tuple[str, ...] = ()
    note: str | None = None  # the reason as typed (documents not yet added)


class FormRefused(ValueError):
    """The form cannot be a decision; the message is for the page."""


def read_decision() -> DecisionForm:
    action = request.form.get("action", "")
    if action not in ACTIONS:
        raise FormRefused(_("Choose an action."))
    reason = note = request.form.get("reason", "").strip()[:2000] or None
    documents = tuple(d.strip()[:200] for d in request.form.get("documents", "").splitlines()
                      if d.strip())[:MAX_DOCUMENTS]
    if action == "request_documents":
        if not documents:
            raise FormRefused(_("List the documents requested, one a line."))
        listed = "; ".join(documents)
        reason = f"{reason} — {listed}" if reason else listed
    elif action in ("refuse", "hold") and not reason:
        raise FormRefused(_("A reason is required: the marketplace and the courier see it."))
    duty = None
    if action == "assess_duty":
        amount = request.form.get("amount", "").strip().replace(",", ".")
        currency = request.form.get("currency", "").strip().upper()
        if not AMOUNT.match(amount) or not CURRENCY.match(currency) or Decimal(amount) <= 0:
            raise FormRefused(_("Give a positive amount (e.g. 12.50) and its currency (e.g. "
                                "EUR)."))
        duty = (amount, currency)
    return DecisionForm(action, reason, duty, documents, note)
