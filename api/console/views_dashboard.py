"""The supervisor's dashboard: parcels per status and office, clearance-time percentiles per
day, the backlog of batches and held parcels by age, as server-drawn SVG charts, each with
its figures as a table (the text alternative)."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from api.console import charts
from api.console.auth import console_login_required, current_principal
from api.console.blueprint import console
from api.console.i18n import STATUS_WORDS, number, status_word
from customs.services.dashboard import MAX_DAYS, DashboardView

DEFAULT_DAYS = 14
BATCH_WORDS = {"SEALED": _l("Sealed, not sent yet"), "RETRY": _l("Waiting to be sent again"),
               "SUBMITTED": _l("Sent, not registered yet"), "FAILED": _l("Transmission failed")}
HOUR = 3600.0
# One colour per status, the same on every visit (charts.PALETTE: 3:1 or more on white).
STATUS_COLOURS = dict(zip(STATUS_WORDS, ("#4a5560", "#00707a", "#a4161a", "#2f4b7c",
                                         "#6a3d9a", "#0b5cad", "#3c6e71", "#1e6b34",
                                         "#8a5300", "#b3367a", "#5b6b00", "#8b1e3f",
                                         "#595959", "#9c2f00", "#7a4f2a"), strict=True))


def _days() -> int:
    asked = request.args.get("days", DEFAULT_DAYS, type=int) or DEFAULT_DAYS
    return min(max(asked, 1), MAX_DAYS)


def _office_chart(view: DashboardView):  # type: ignore[no-untyped-def]
    offices = sorted(view.by_office)
    statuses = [s for s in STATUS_WORDS if any(s in c for c in view.by_office.values())]
    series = [charts.Series(status_word(s), STATUS_COLOURS[s],
                            [view.by_office[o].get(s, 0) for o in offices]) for s in statuses]
    total = sum(sum(c.values()) for c in view.by_office.values())
    svg = charts.stacked_bars(
        "chart-offices", str(_l("Parcels received, by customs office and status")),
        str(_l("%(parcels)s parcels in %(offices)s offices; the table below gives each figure.",
               parcels=number(total), offices=len(offices))), offices, series, number)
    return svg, offices, series


def _clearance_chart(view: DashboardView):  # type: ignore[no-untyped-def]
    labels = [d.day for d in view.clearance]
    series = [charts.Series(name, charts.PALETTE[n],
                            [None if getattr(d, key) is None else getattr(d, key) / HOUR
                             for d in view.clearance])
              for n, (key, name) in enumerate((("p50", "p50"), ("p90", "p90"), ("p99", "p99")))]
    released = sum(d.count for d in view.clearance)
    svg = charts.lines("chart-clearance", str(_l("Clearance time per day (hours), p50, p90 "
                                                 "and p99")),
                       str(_l("From reception to release, for the %(count)s parcels released "
                              "in the period, per day; the table below gives each figure.",
                              count=number(released))), labels, series, str(_l("h")))
    return svg, series


def _backlog_chart(view: DashboardView):  # type: ignore[no-untyped-def]
    names = [str(BATCH_WORDS.get(b.status, b.status)) for b in view.backlog]
    waiting = sum(b.batches for b in view.backlog)
    series = [charts.Series(str(_l("Batches")), charts.PALETTE[0],
                            [b.batches for b in view.backlog])]
    return charts.stacked_bars(
        "chart-backlog", str(_l("Batches not yet registered by customs")),
        ngettext("%(num)s batch waits; the table below gives each figure.",
                 "%(num)s batches wait; the table below gives each figure.", waiting),
        names, series, number)


def _held_chart(view: DashboardView):  # type: ignore[no-untyped-def]
    names = [_band(b.low_hours, b.high_hours) for b in view.held]
    held = sum(b.parcels for b in view.held)
    series = [charts.Series(str(_l("Held parcels")), charts.PALETTE[1],
                            [b.parcels for b in view.held])]
    svg = charts.stacked_bars(
        "chart-held", str(_l("Held parcels by time held")),
        str(_l("%(count)s parcels are held; the table below gives each age band.",
               count=number(held))), names, series, number)
    return svg, names


def _band(low: int, high: int | None) -> str:
    def days(hours: int) -> str:
        return str(_l("%(days)s d", days=hours // 24))
    if high is None:
        return str(_l("over %(low)s", low=days(low)))
    return f"{days(low)}–{days(high)}"


@console.get("/dashboard")
@console_login_required(role="supervisor")
def dashboard() -> str:
    days = _days()
    view = current_app.extensions["customs"].parcels.dashboard(current_principal(), days)
    office_svg, offices, office_series = _office_chart(view)
    clearance_svg, clearance_series = _clearance_chart(view)
    held_svg, bands = _held_chart(view)
    return render_template(
        "console/dashboard.html", view=view, days=days, max_days=MAX_DAYS,
        office_svg=office_svg, offices=offices, office_series=office_series,
        clearance_svg=clearance_svg, clearance_series=clearance_series,
        backlog_svg=_backlog_chart(view), batch_words=BATCH_WORDS,
        held_svg=held_svg, bands=bands, swatch=charts.swatch)
