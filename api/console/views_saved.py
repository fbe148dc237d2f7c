"""Saved views of the queue and the search: a person saves the filters the page shows under
a name, sees their views listed on the page, opens one (a link with its filters) or deletes
it. Per person, server-side (customs.services.saved_views); every change is a POST with the
form's CSRF token."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, request, url_for
from flask_babel import gettext as _
from werkzeug import Response

from api.console.auth import accounts, console_login_required, current_user
from api.console.blueprint import console
from api.console.pages import error_page
from customs.domain.errors import CodedError
from customs.domain.saved_views import NOT_KEPT, PAGES
from customs.services.account_ports import SavedView

OFFICERS = ("officer", "supervisor")


@console.app_template_global()
def saved_views(page: str) -> list[SavedView]:
    """The signed-in person's views of `page`, for the list on it."""
    return accounts().views(current_user().id, page)


@console.app_template_global()
def current_filters() -> str:
    """The page's filters as the save form sends them (no cursor)."""
    return urlencode([(k, v) for k, v in request.args.items(multi=True) if k not in NOT_KEPT])


def _page_url(page: str, query: str) -> str:
    return url_for(f"console.{page}") + (f"?{query}" if query else "")


@console.post("/views")
@console_login_required(role=OFFICERS)
def save_view() -> Response:
    page = request.form.get("page", "")
    if page not in PAGES:
        return error_page(400, _("The view was not saved"), _("Unknown page."))
    try:
        view = accounts().save_view(current_user().id, page, request.form.get("name", ""),
                                    request.form.get("query", ""))
    except CodedError as exc:
        detail = {"VIEW_NAME": _("A view's name has 1 to 60 characters."),
                  "TOO_MANY_VIEWS": _("You keep at most 50 views: delete one first.")}.get(
                      exc.code, exc.detail)
        return error_page(400, _("The view was not saved"), detail)
    return redirect(_page_url(page, view.query))


@console.post("/views/<int:view_id>/delete")
@console_login_required(role=OFFICERS)
def delete_view(view_id: int) -> Response:
    page = request.form.get("page", "")
    accounts().delete_view(current_user().id, view_id)  # another person's: a 404 page
    return redirect(url_for(f"console.{page}") if page in PAGES else url_for("console.home"))
