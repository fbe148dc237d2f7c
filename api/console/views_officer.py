"""Officers' lists: the work queue and the search (every filter of /v1/parcels), with its CSV
export streamed page by page (every matching row, not just the page shown)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace

from flask import (
    Response,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from api import params
from api.console.auth import console_login_required, current_principal, current_user
from api.console.blueprint import console
from api.errors import ApiProblem
from customs.domain.lifecycle import ParcelStatus
from customs.services.queue import DEFAULT_WAITING, WAITING

OFFICERS = ("officer", "supervisor")
PAGE = 50
EXPORT_PAGE = 500
CSV_COLUMNS = ("tracking_number", "marketplace", "courier", "status", "destination",
               "customs_office", "declared_value", "currency", "gross_weight", "duty",
               "duty_currency", "received_at", "updated_at")


def parcels():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"].parcels


def _without(name: str) -> dict[str, list[str]]:
    """The query string without one parameter (the pager sets the cursor, sorts the sort)."""
    return {k: request.args.getlist(k) for k in request.args if k != name}


@console.get("/queue")
@console_login_required(role=OFFICERS)
def queue() -> object:
    who = current_principal()
    chosen = tuple(s for s in request.args.getlist("status") if s in WAITING)
    office = request.args.get("office") or None
    if office is not None and office not in who.offices:
        office = None
    try:
        after = params.decode_keyset(request.args.get("cursor"), "received_at",
                                     who.cursor_owner)
    except ApiProblem:
        after = None
    page = parcels().work_queue(who, chosen, office, PAGE, after)
    cursor = None if page.after is None else params.encode_keyset(
        "received_at", *page.after, who.cursor_owner)
    rows = [(i.parcel, i.office, i.latest, i.waiting_seconds) for i in page.items]
    return render_template("console/queue.html", page=page, rows=rows, waiting=WAITING,
                           chosen=chosen or DEFAULT_WAITING, office=office, cursor=cursor,
                           offices=current_user().offices, query=_without("cursor"))


@console.get("/search")
@console_login_required(role=OFFICERS)
def search() -> object:
    if any(not v for v in request.args.values()):  # a GET form sends its empty fields
        return redirect(url_for("console.search", **{
            k: [v for v in request.args.getlist(k) if v] for k in request.args}))
    who = current_principal()
    error = items = cursor = None
    if request.args:
        try:
            filters = params.search_filters(who.cursor_owner, request.args.get("cursor"))
            items, after = parcels().search_parcels(who, filters, PAGE)
            cursor = None if after is None else params.encode_keyset(
                filters.sort, *after, who.cursor_owner)
        except ApiProblem as exc:
            error = exc.detail
    status = 400 if error else 200
    rows = [(p, p.destination.customs_office, None, None) for p in items or []]
    return render_template("console/search.html", rows=rows, searched=items is not None,
                           cursor=cursor, error=error,
                           statuses=list(ParcelStatus), offices=current_user().offices,
                           query=_without("cursor"), sort_query=_without("sort"),
                           sort=request.args.get("sort", "-received_at")), status


@console.get("/search.csv")
@console_login_required(role=OFFICERS)
def search_csv() -> object:
    """Every parcel the search matches, in pages of 500, written as they are read."""
    who = current_principal()
    try:
        filters = params.search_filters(who.cursor_owner, None)  # from the first row
    except ApiProblem as exc:
        return Response(exc.detail + "\n", status=400, mimetype="text/plain")
    use_case = parcels()

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        current = filters
        while True:
            items, after = use_case.search_parcels(who, current, EXPORT_PAGE)
            for p in items:
                value, duty = p.declared_value, p.duty
                writer.writerow((
                    p.tracking_number, p.marketplace, p.courier, p.status,
                    p.destination.country, p.destination.customs_office,
                    value.amount if value else "", value.currency if value else "",
                    p.gross_weight or "", duty.amount if duty else "",
                    duty.currency if duty else "", p.received_at, p.updated_at))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if after is None:
                return
            current = replace(current, after=after)

    return Response(stream_with_context(rows()), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="parcels.csv"'})
