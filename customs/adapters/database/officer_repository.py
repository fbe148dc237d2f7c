"""Officer decisions: a status move through the one status writer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from customs.adapters.database.parcel_events import move_parcel
from customs.domain.lifecycle import ParcelStatus
from customs.domain.money import Money


class SqlOfficerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def move(self, parcel_id: int, current: ParcelStatus, new: ParcelStatus, *, at: datetime,
             actor: str, source: str, reason: str | None, duty: Money | None,
             unchanged_since: datetime | None = None) -> bool:
        return move_parcel(self.session, parcel_id, current, new, at=at, actor=actor,
                           source=source, reason=reason, duty=duty,
                           unchanged_since=unchanged_since)
