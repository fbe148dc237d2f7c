"""A parcel's dossier for officers, its raw documents (the signed declaration, each message
exchanged about its batch), and decisions: on this parcel, or on several after a
confirmation that says how many and which action. A parcel another officer decided on
meanwhile is shown as such, never decided over."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from api.console.auth import console_login_required, current_principal
from api.console.blueprint import console
from api.console.decision_form import DecisionForm, FormRefused, read_decision
from api.console.words import action_word
from customs.domain.errors import CodedError, NotFound

OFFICERS = ("officer", "supervisor")
MAX_BULK = 200


def parcels():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"].parcels


def _marketplace() -> str | None:
    return (request.args.get("marketplace") or request.form.get("marketplace") or None)


def _dossier_page(number: str, status: int = 200, **extra: object) -> tuple[str, int]:
    dossier = parcels().dossier(current_principal(), number, _marketplace())
    return render_template("console/dossier.html", d=dossier.to_json(), **extra), status


@console.get("/parcels/<number>")
@console_login_required(role=OFFICERS)
def dossier(number: str) -> object:
    return _dossier_page(number, done=request.args.get("done"))


@console.get("/parcels/<number>/declaration.xml")
@console_login_required(role=OFFICERS)
def declaration(number: str) -> Response:
    document = parcels().declaration(current_principal(), number, _marketplace())
    return _xml(document, f"declaration-{number}.xml")


@console.get("/parcels/<number>/messages/<int:message_id>.xml")
@console_login_required(role=OFFICERS)
def message(number: str, message_id: int) -> Response:
    document = parcels().message_document(current_principal(), number, message_id,
                                          _marketplace())
    return _xml(document, f"message-{message_id}.xml")


def _xml(document: bytes, name: str) -> Response:
    """Shown as text (never rendered as a page: nosniff, CSP); ?download=1 saves it."""
    disposition = "attachment" if request.args.get("download") else "inline"
    return Response(document, mimetype="text/plain" if disposition == "inline"
                    else "application/xml", headers={
                        "Content-Disposition": f'{disposition}; filename="{name}"'})


@console.post("/parcels/<number>/decide")
@console_login_required(role=OFFICERS)
def decide(number: str) -> object:
    try:
        form = read_decision()
        parcels().decide(current_principal(), number, form.action, form.reason, form.duty,
                         _marketplace(), expected=request.form.get("expected") or None)
    except FormRefused as exc:
        return _dossier_page(number, 400, error=str(exc))
    except CodedError as exc:
        return _dossier_page(number, 409 if exc.status == 409 else 400,
                             error=_refusal(exc))
    return redirect(url_for("console.dossier", number=number, marketplace=_marketplace(),
                            done=form.action))


def _refusal(exc: CodedError) -> str:
    if exc.code == "CONCURRENT_CHANGE":
        return _("Someone else decided on this parcel meanwhile: it is shown as it is now. "
                 "Nothing was changed; decide again if you still need to.")
    if exc.code == "INVALID_TRANSITION":
        return _("The parcel's status does not allow this decision.")
    if exc.code == "DUTY_UNPAID":
        return _("Duty was assessed and is not paid: the parcel cannot be released yet.")
    return exc.detail


def _selected() -> list[tuple[str, str, str]]:
    """(tracking number, marketplace, status seen) of each ticked parcel."""
    chosen = []
    for value in request.form.getlist("parcel")[:MAX_BULK]:
        parts = value.split("|")
        if len(parts) == 3 and all(parts):
            chosen.append((parts[0], parts[1], parts[2]))
    return chosen


def _bulk() -> tuple[list[tuple[str, str, str]], DecisionForm]:
    chosen = _selected()
    form = read_decision()
    if not chosen:
        raise FormRefused(_("Tick at least one parcel."))
    return chosen, form


@console.errorhandler(FormRefused)
def _refused_form(exc: FormRefused) -> tuple[str, int]:
    """A bulk decision that cannot be made (a form on a dossier is answered there)."""
    return render_template("console/bulk.html", error=str(exc)), 400


@console.post("/decisions/confirm")
@console_login_required(role=OFFICERS)
def bulk_confirm() -> object:
    chosen, form = _bulk()
    return render_template("console/bulk.html", chosen=chosen, form=form,
                           action_name=action_word(form.action), back=request.form.get("back"))


@console.post("/decisions")
@console_login_required(role=OFFICERS)
def bulk_decide() -> object:
    chosen, form = _bulk()
    outcomes = []
    for number, marketplace, seen in chosen:
        try:
            parcels().decide(current_principal(), number, form.action, form.reason, form.duty,
                             marketplace, expected=seen)
            outcomes.append((number, marketplace, None))
        except CodedError as exc:
            outcomes.append((number, marketplace, _refusal(exc)))
        except NotFound:
            outcomes.append((number, marketplace, _("Not found.")))
    return render_template("console/bulk_done.html", outcomes=outcomes,
                           action_name=action_word(form.action),
                           applied=sum(1 for o in outcomes if o[2] is None))
