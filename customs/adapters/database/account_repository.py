"""Console users and their sessions (customs.services.account_ports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.columns import utc
from customs.adapters.database.tables import (
    ConsoleSavedView,
    ConsoleSession,
    ConsoleUser,
    Tenant,
)
from customs.domain.accounts import ConsoleRole, SessionStage
from customs.services.account_ports import NewUser, SavedView, SessionRecord, UserRecord

U = ConsoleUser.__table__  # type: ignore[attr-defined]
S = ConsoleSession.__table__  # type: ignore[attr-defined]
T = Tenant.__table__  # type: ignore[attr-defined]
V = ConsoleSavedView.__table__  # type: ignore[attr-defined]
USERS = sa.select(U, T.c.name.label("tenant")).outerjoin(T, T.c.id == U.c.tenant_id)


def _user(row: Any) -> UserRecord:
    return UserRecord(row.id, row.email, ConsoleRole(row.role), row.tenant_id, row.tenant,
                      tuple(row.offices or ()), row.locale, row.password_hash,
                      bool(row.must_change_password), row.totp_secret, row.totp_last_step,
                      row.failed_attempts, utc(row.locked_until), utc(row.created_at),  # type: ignore[arg-type]
                      utc(row.disabled_at))


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _update(self, user_id: int, **values: Any) -> int:
        result = self.session.execute(sa.update(U).where(U.c.id == user_id).values(**values))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def add(self, user: NewUser) -> int:
        result = self.session.execute(sa.insert(U).values(
            email=user.email, role=user.role.value, tenant_id=user.tenant_id,
            offices=list(user.offices) or None, locale=user.locale,
            password_hash=user.password_hash, must_change_password=user.must_change_password,
            failed_attempts=0, created_at=user.created_at))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def by_email(self, email: str) -> UserRecord | None:
        row = self.session.execute(USERS.where(U.c.email == email)).first()
        return None if row is None else _user(row)

    def get(self, user_id: int) -> UserRecord | None:
        row = self.session.execute(USERS.where(U.c.id == user_id)).first()
        return None if row is None else _user(row)

    def list(self) -> list[UserRecord]:
        return [_user(row) for row in self.session.execute(USERS.order_by(U.c.id))]

    def disable(self, user_id: int, at: datetime) -> bool:
        result = self.session.execute(sa.update(U).where(
            U.c.id == user_id, U.c.disabled_at.is_(None)).values(disabled_at=at))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def count_failure(self, user_id: int) -> int:
        self._update(user_id, failed_attempts=U.c.failed_attempts + 1)
        return int(self.session.execute(
            sa.select(U.c.failed_attempts).where(U.c.id == user_id)).scalar_one())

    def lock(self, user_id: int, until: datetime) -> None:
        self._update(user_id, locked_until=until)

    def signed_in(self, user_id: int) -> None:
        self._update(user_id, failed_attempts=0, locked_until=None)

    def set_totp(self, user_id: int, secret: str | None) -> None:
        self._update(user_id, totp_secret=secret, totp_last_step=None)

    def use_totp_step(self, user_id: int, step: int) -> bool:
        """One guarded UPDATE: two requests with the same code cannot both pass."""
        result = self.session.execute(sa.update(U).where(
            U.c.id == user_id,
            sa.or_(U.c.totp_last_step.is_(None), U.c.totp_last_step < step),
        ).values(totp_last_step=step))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def set_password(self, user_id: int, password_hash: str, must_change: bool) -> None:
        self._update(user_id, password_hash=password_hash, must_change_password=must_change)

    def set_locale(self, user_id: int, locale: str) -> None:
        self._update(user_id, locale=locale)


class SqlSessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: SessionRecord) -> None:
        self.session.execute(sa.insert(S).values(
            id=record.id, user_id=record.user_id, stage=record.stage.value,
            created_at=record.created_at, last_seen_at=record.last_seen_at))

    def get(self, session_id: str) -> SessionRecord | None:
        row = self.session.execute(sa.select(S).where(S.c.id == session_id)).first()
        if row is None:
            return None
        return SessionRecord(row.id, row.user_id, SessionStage(row.stage),
                             utc(row.created_at), utc(row.last_seen_at),  # type: ignore[arg-type]
                             utc(row.ended_at))

    def touch(self, session_id: str, at: datetime) -> None:
        self.session.execute(sa.update(S).where(S.c.id == session_id).values(last_seen_at=at))

    def end(self, session_id: str, at: datetime, reason: str) -> bool:
        result = self.session.execute(sa.update(S).where(
            S.c.id == session_id, S.c.ended_at.is_(None)).values(ended_at=at,
                                                               ended_reason=reason))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def end_all(self, user_id: int, at: datetime, reason: str) -> int:
        result = self.session.execute(sa.update(S).where(
            S.c.user_id == user_id, S.c.ended_at.is_(None)).values(ended_at=at,
                                                                  ended_reason=reason))
        return int(result.rowcount)  # type: ignore[attr-defined]


class SqlSavedViewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, user_id: int, page: str, name: str, query: str, at: datetime) -> int:
        mine = (V.c.user_id == user_id, V.c.page == page, V.c.name == name)
        found = self.session.execute(sa.select(V.c.id).where(*mine)).scalar()
        if found is not None:
            self.session.execute(sa.update(V).where(V.c.id == found).values(query=query))
            return int(found)
        result = self.session.execute(sa.insert(V).values(
            user_id=user_id, page=page, name=name, query=query, created_at=at))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def list(self, user_id: int, page: str) -> list[SavedView]:
        rows = self.session.execute(sa.select(V).where(
            V.c.user_id == user_id, V.c.page == page).order_by(V.c.name, V.c.id))
        return [SavedView(r.id, r.user_id, r.page, r.name, r.query,
                          utc(r.created_at)) for r in rows]  # type: ignore[arg-type]

    def count(self, user_id: int) -> int:
        return int(self.session.execute(sa.select(sa.func.count()).select_from(V).where(
            V.c.user_id == user_id)).scalar_one())

    def delete(self, user_id: int, view_id: int) -> bool:
        result = self.session.execute(sa.delete(V).where(V.c.id == view_id,
                                                         V.c.user_id == user_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
