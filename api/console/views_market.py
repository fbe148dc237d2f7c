"""Marketplace pages: upload a manifest (plain multipart form; drag-and-drop and progress
when JavaScript runs), its receipt with every rejection (filterable, as CSV), the list of
manifests, a parcel's status and history, finding a parcel.

Uploads go through the same intake use case as POST /v1/manifests: the same size cap
(CUSTOMS_MAX_MANIFEST_BYTES), rules and idempotency (the form carries its own key, so a
form sent twice is one manifest)."""

from __future__ import annotations

import re
import uuid

from flask import (
    Response,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from api.console import pages
from api.console.auth import console_login_required, current_principal
from api.console.blueprint import console
from api.console.codes import explain
from api.console.rejections import RejectionPage, csv_lines, rejections
from api.idempotency import IDEMPOTENCY_KEY
from customs.domain.errors import IdempotencyConflict, ManifestRefused, NotFound
from customs.services.intake import SubmitManifest
from customs.services.read_models.manifest import ManifestView

MARKETPLACE = "marketplace"
MANIFEST_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
TRACKING = re.compile(r"^[\x21-\x7e]{1,64}$")
FORM_SLACK = 64 * 1024  # the form's other fields and multipart framing
MANIFESTS_PAGE = 50
REJECTIONS_PAGE = 200


console.add_app_template_filter(explain, "explain")


def _app():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


@console.before_app_request
def _bound_upload() -> None:
    """The upload's body is capped before the form is parsed (the CSRF check reads it)."""
    if request.endpoint == "console.manifest_upload":
        request.max_content_length = _app().settings.max_manifest_bytes + FORM_SLACK


def _known(manifest_id: str) -> str:
    if not MANIFEST_ID.match(manifest_id):
        raise NotFound("no such manifest")
    return manifest_id


@console.get("/manifests")
@console_login_required(role=MARKETPLACE)
def manifests() -> str:
    after = request.args.get("after") or None
    found = _app().intake.latest_manifests(current_principal().tenant_id,
                                           after and _known(after), MANIFESTS_PAGE + 1)
    more = len(found) > MANIFESTS_PAGE
    return render_template("console/market_manifests.html", manifests=found[:MANIFESTS_PAGE],
                           next_after=found[MANIFESTS_PAGE - 1].id if more else None,
                           idempotency_key=str(uuid.uuid4()),
                           max_bytes=_app().settings.max_manifest_bytes)


def _upload_refused(status: int, message: str) -> tuple[str, int]:
    return render_template("console/market_manifests.html", manifests=[], next_after=None,
                           idempotency_key=str(uuid.uuid4()), upload_error=message,
                           max_bytes=_app().settings.max_manifest_bytes), status


@console.post("/manifests")
@console_login_required(role=MARKETPLACE)
def manifest_upload() -> object:
    key = request.form.get("idempotency_key", "")
    upload = request.files.get("manifest")
    if not IDEMPOTENCY_KEY.match(key):
        return _upload_refused(400, _("The form is damaged: reload the page and try again."))
    limit = _app().settings.max_manifest_bytes
    document = upload.stream.read(limit + 1) if upload is not None else b""
    if not document:
        return _upload_refused(400, _("Choose a manifest file (XML) to upload."))
    if len(document) > limit:
        return _upload_refused(413, _("The file is larger than %(limit)s bytes.",
                                      limit=f"{limit:,}"))
    who = current_principal()
    try:
        receipt = _app().intake.submit_manifest(
            SubmitManifest(who.tenant_id, key, document, actor=who.actor))
    except ManifestRefused as exc:
        return _upload_refused(422, _("The whole manifest was refused (%(code)s): %(detail)s",
                                      code=exc.code, detail=exc.detail))
    except IdempotencyConflict:
        return _upload_refused(409, _("This form was already used for another file: "
                                      "reload the page and upload again."))
    target = url_for("console.manifest_receipt", manifest_id=receipt.manifest_id,
                     replayed="1" if receipt.replayed else None)
    return redirect(target, code=303)


def _asked(manifest_id: str) -> tuple[int, ManifestView, str, str]:
    """The tenant, its manifest (else not found) and the rejections' filter (code, text)."""
    tenant = current_principal().tenant_id
    manifest = _app().intake.get_manifest(tenant, _known(manifest_id))
    return tenant, manifest, request.args.get("code", "")[:64], request.args.get("q", "")[:200]


@console.get("/manifests/<manifest_id>")
@console_login_required(role=MARKETPLACE)
def manifest_receipt(manifest_id: str) -> str:
    tenant, manifest, code, text = _asked(manifest_id)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    shown = RejectionPage((page - 1) * REJECTIONS_PAGE, REJECTIONS_PAGE)
    if manifest.rejected:
        shown.read(rejections(tenant, manifest.id), code, text)
    return render_template(
        "console/market_receipt.html", manifest=manifest, code=code, q=text,
        codes=sorted(shown.codes), total=shown.total, matching=shown.matching,
        rows=shown.rows, page=page, more=shown.matching > shown.start + len(shown.rows),
        replayed=request.args.get("replayed") == "1")


@console.get("/manifests/<manifest_id>/rejections.csv")
@console_login_required(role=MARKETPLACE)
def manifest_rejections_csv(manifest_id: str) -> Response:
    tenant, manifest, code, text = _asked(manifest_id)
    header = [_("parcel"), _("tracking number"), _("line"), _("path"), _("code"),
              _("message"), _("explanation")]
    rows = (r for r in rejections(tenant, manifest.id) if r.matches(code, text))
    response = Response(stream_with_context(csv_lines(rows, header)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="rejections-{manifest.id}.csv"')
    return response


@console.get("/market/find")
@console_login_required(role=MARKETPLACE)
def market_find() -> object:
    number = request.args.get("tracking", "").strip()
    if not number:
        return render_template("console/market_find.html", tracking="")
    if TRACKING.match(number):
        try:
            _app().parcels.parcel(current_principal(), number)
        except NotFound:
            pass
        else:
            return redirect(url_for("console.market_parcel", tracking_number=number))
    return render_template("console/market_find.html", tracking=number,
                           error=_("No parcel of yours has the tracking number %(number)s.",
                                   number=number)), 404


@console.get("/market/parcels/<tracking_number>")
@console_login_required(role=MARKETPLACE)
def market_parcel(tracking_number: str) -> object:
    if not TRACKING.match(tracking_number):
        return pages.not_found(NotFound("no such parcel"))
    parcel = _app().parcels.parcel(current_principal(), tracking_number)
    return render_template("console/market_parcel.html", parcel=parcel)
