"""Use case: the changes of the caller's parcels, resumable from any cursor it was given.

Resuming from a returned cursor loses nothing and repeats nothing (see customs.domain.feed for
why late commits on PostgreSQL are not skipped). An empty page still returns a cursor: poll it.
"""

from __future__ import annotations

from datetime import timedelta

from customs.domain.feed import FeedPosition, decode_cursor, encode_cursor
from customs.services.ports import Clock, FeedItem, Principal
from customs.services.read_models.feed import FeedPage
from customs.services.unit_of_work import UnitOfWork


def read(who: Principal, after: FeedPosition, limit: int, *, uow: UnitOfWork) -> list[FeedItem]:
    with uow:
        return uow.views.feed(who, after, limit)


def feed_page(who: Principal, cursor: str | None, limit: int, *, uow: UnitOfWork, clock: Clock,
              max_age: timedelta) -> FeedPage:
    now = clock.now()
    position = decode_cursor(cursor, who.cursor_owner, now, max_age)
    items = read(who, position, limit, uow=uow)
    last = items[-1].position if items else position
    return FeedPage(tuple(i.change for i in items),
                    encode_cursor(last, who.cursor_owner, now), len(items) == limit, who.role)
