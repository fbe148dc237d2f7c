"""Reads behind the officers' work queue and dossier (SqlViewRepository delegates here): the
latest event of each parcel of a page, counts per status in scope, a message's body."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.columns import iso
from customs.adapters.database.search_index import P
from customs.adapters.database.tables import Message, ParcelEvent
from customs.services.read_models.parcel import HistoryEvent

E = ParcelEvent.__table__  # type: ignore[attr-defined]
M = Message.__table__  # type: ignore[attr-defined]


def latest_events(session: Session, parcel_ids: Sequence[int]) -> dict[int, HistoryEvent]:
    """Each parcel's newest event: one index probe per parcel (ix on parcel_id)."""
    if not parcel_ids:
        return {}
    newest = (sa.select(E.c.parcel_id, sa.func.max(E.c.id).label("id"))
              .where(E.c.parcel_id.in_(list(parcel_ids))).group_by(E.c.parcel_id).subquery())
    rows = session.execute(sa.select(E).join(newest, newest.c.id == E.c.id)).mappings()
    return {r["parcel_id"]: HistoryEvent(r["status"], r["previous_status"], iso(r["at"]),
                                         r["actor"], r["source"], r["reason"], r["role"])
            for r in rows}


def status_counts(session: Session, scope: Any, statuses: Collection[str]) -> dict[str, int]:
    query = (sa.select(P.c.status, sa.func.count()).where(scope, P.c.status.in_(list(statuses)))
             .group_by(P.c.status))
    return {status: int(n) for status, n in session.execute(query)}


def message_document(session: Session, parcel_id: int, message_id: int) -> bytes | None:
    """A message's body, only when it belongs to the parcel's batch."""
    batch = sa.select(P.c.batch_id).where(P.c.id == parcel_id).scalar_subquery()
    found = session.execute(sa.select(M.c.document).where(
        M.c.id == message_id, M.c.batch_id == batch)).scalar()
    return None if found is None else bytes(found)
