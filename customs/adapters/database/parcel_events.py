"""Parcel events: every status change is one appended row, with the parcel's scope copied in
(and its current leg, for a parcel with two: customs.domain.legs).

The scope (tenant, courier, office) lets a feed page be one index range per caller; the role is
the actor's (marketplace, courier, officer, authority or system). Every event but a parcel's
first (RECEIVED) names the status it left. Rows are never updated or deleted (triggers refuse
it, migration 0005).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database import bulk
from customs.adapters.database.tables import Declaration, ParcelEvent, ParcelRow
from customs.domain.legs import LegKind
from customs.domain.lifecycle import ParcelStatus, sources
from customs.domain.money import Money, decimal_text

P = ParcelRow.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]
CHUNK = 1000
ROLES = ("marketplace", "courier", "officer")


def role_of(actor: str) -> str:
    """Actors are "role:tenant" for API callers, "authority", or a process name (system)."""
    role = actor.partition(":")[0]
    if role in ROLES or role == "authority":
        return role
    return "system"


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append events; rows without a scope get their parcel's, read in one query per chunk."""
    for start in range(0, len(rows), CHUNK):
        chunk = [dict(r) for r in rows[start : start + CHUNK]]
        missing = {r["parcel_id"] for r in chunk if "tenant_id" not in r}
        scopes: dict[int, tuple[int, str | None, str, str | None]] = {}
        if missing:
            found = session.execute(sa.select(P.c.id, P.c.tenant_id, P.c.courier,
                                              P.c.customs_office, P.c.leg)
                                    .where(P.c.id.in_(missing)))
            scopes = {row[0]: (row[1], row[2], row[3], row[4]) for row in found}
        for row in chunk:
            if row.get("previous_status") is None and row["status"] != ParcelStatus.RECEIVED:
                # only a parcel's first event has no previous status
                raise ValueError(f"event {row['status']} of parcel {row['parcel_id']} "
                                 "without its previous status")
            if "tenant_id" not in row:
                (row["tenant_id"], row["courier"], row["customs_office"],
                 row["leg"]) = scopes[row["parcel_id"]]
            row.setdefault("role", role_of(row["actor"]))
        bulk.insert_rows(session, E, chunk)  # txid and id come from the defaults


def move_parcel(session: Session, parcel_id: int, current: ParcelStatus, new: ParcelStatus, *,
                at: datetime, actor: str, source: str, reason: str | None,
                duty: Money | None = None, correction: bool = False,
                unchanged_since: datetime | None = None) -> bool:
    """Guarded move (only from `current`) with its event; False if the parcel moved meanwhile,
    or if the lifecycle does not allow `current` -> `new` (the guard lists the statuses it does;
    `correction`: with the move a marketplace's correction makes, lifecycle._ON_CORRECTION).
    `unchanged_since`: the parcel's `updated_at` as the caller read it; a move made since (even
    one that kept the status, as request_documents does) makes this one change nothing. On
    PostgreSQL a writer waiting for the row re-checks the guard on the row the other committed.

    A decision with a duty sets the parcel's duty to collect; RELEASED stamps released_at (the
    end of the clearance time in statistics).
    """
    values: dict[str, Any] = {"status": new.value, "updated_at": at}
    event: dict[str, Any] = {}
    if duty is not None:
        money = {"duty_amount": decimal_text(duty.amount), "duty_currency": duty.currency}
        values |= money
        event |= money
    if new is ParcelStatus.RELEASED:
        values["released_at"] = at
    allowed = [s.value for s in sources(new, correction=correction)]
    guard = [P.c.id == parcel_id, P.c.status == current.value, P.c.status.in_(allowed)]
    if unchanged_since is not None:
        guard.append(P.c.updated_at == unchanged_since)
    moved = session.execute(sa.update(P).where(*guard).values(**values))
    if moved.rowcount != 1:
        return False
    insert_events(session, [{
        "parcel_id": parcel_id, "status": new.value, "previous_status": current.value,
        "at": at, "actor": actor, "source": source,
        "reason": None if reason is None else reason[:2000], **event}])
    return True


def hand_over(session: Session, parcel_id: int, *, at: datetime, actor: str) -> bool:
    """The export leg of a two-leg parcel was RELEASED: its import leg starts (customs.domain.
    legs). Guarded (still RELEASED, on its export leg; lifecycle._ON_HANDOVER): the parcel is
    VALIDATED again on its import leg, out of its export batch, its export declaration closed
    (marked replaced: the import declaration will be the current one), with its event. False
    for any other parcel (one leg, already handed over)."""
    validated = ParcelStatus.VALIDATED
    allowed = [s.value for s in sources(validated, handover=True)]
    moved = session.execute(
        sa.update(P).where(P.c.id == parcel_id, P.c.status == ParcelStatus.RELEASED.value,
                           P.c.status.in_(allowed), P.c.leg == LegKind.EXPORT.value)
        .values(status=validated.value, leg=LegKind.IMPORT.value, batch_id=None,
                released_at=None, updated_at=at))
    if moved.rowcount != 1:
        return False
    session.execute(sa.update(D).where(D.c.parcel_id == parcel_id, D.c.replaced_at.is_(None))
                    .values(replaced_at=at))
    insert_events(session, [{
        "parcel_id": parcel_id, "status": validated.value,
        "previous_status": ParcelStatus.RELEASED.value, "at": at, "actor": actor,
        "source": "LEG:IMPORT", "reason": "cleared for export at origin: the import leg starts"}])
    return True
