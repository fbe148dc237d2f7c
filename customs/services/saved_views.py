"""Saved views of the console's list pages, per person (customs.domain.saved_views): save
(or replace) one, list a page's, delete one's own. Another person's view is never read or
deleted: every call names the person."""

from __future__ import annotations

from customs.domain.errors import Conflict, NotFound
from customs.domain.saved_views import MAX_VIEWS, view_name, view_page, view_query
from customs.services.account_ports import SavedView
from customs.services.ports import Clock
from customs.services.unit_of_work import UnitOfWork


def save_view(user_id: int, page: str, name: str, query: str, *, uow: UnitOfWork,
              clock: Clock) -> SavedView:
    page, name, query = view_page(page), view_name(name), view_query(query)
    with uow:
        existing = {v.name: v for v in uow.saved_views.list(user_id, page)}
        if name not in existing and uow.saved_views.count(user_id) >= MAX_VIEWS:
            raise Conflict("TOO_MANY_VIEWS", f"a person keeps at most {MAX_VIEWS} views: "
                                             "delete one first")
        at = clock.now()
        view_id = uow.saved_views.save(user_id, page, name, query, at)
        uow.commit()
    return SavedView(view_id, user_id, page, name, query, at)


def list_views(user_id: int, page: str, *, uow: UnitOfWork) -> list[SavedView]:
    with uow:
        return uow.saved_views.list(user_id, view_page(page))


def delete_view(user_id: int, view_id: int, *, uow: UnitOfWork) -> None:
    with uow:
        if not uow.saved_views.delete(user_id, view_id):
            raise NotFound(f"no saved view {view_id} of this person")
        uow.commit()
