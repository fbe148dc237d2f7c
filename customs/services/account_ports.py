"""The ports the console's accounts need: people, their sessions, and the credentials library
(password hashing, one-time codes). Adapters (and test fakes) implement them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from customs.domain.accounts import ConsoleRole, SessionStage


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    email: str
    role: ConsoleRole
    tenant_id: int | None
    tenant: str | None
    offices: tuple[str, ...]
    locale: str
    password_hash: str
    must_change_password: bool
    totp_secret: str | None
    totp_last_step: int | None
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    disabled_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """What `customs user list` shows: never the hash or the second factor's secret."""
        return {"id": self.id, "email": self.email, "role": self.role.value,
                "tenant": self.tenant, "offices": list(self.offices), "locale": self.locale,
                "totp": self.totp_secret is not None, "locked_until": _iso(self.locked_until),
                "created_at": _iso(self.created_at), "disabled_at": _iso(self.disabled_at)}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class NewUser:
    email: str
    role: ConsoleRole
    tenant_id: int | None
    offices: tuple[str, ...]
    locale: str
    password_hash: str
    must_change_password: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str  # the SHA-256 of the cookie's token: the token itself is never stored
    user_id: int
    stage: SessionStage
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None


class UserRepository(Protocol):
    def add(self, user: NewUser) -> int: ...
    def by_email(self, email: str) -> UserRecord | None: ...
    def get(self, user_id: int) -> UserRecord | None: ...
    def list(self) -> list[UserRecord]: ...
    def disable(self, user_id: int, at: datetime) -> bool: ...
    def count_failure(self, user_id: int) -> int:
        """Adds one failed attempt (atomically) and returns the count."""
        ...
    def lock(self, user_id: int, until: datetime) -> None: ...
    def signed_in(self, user_id: int) -> None:
        """Clears the failures and the lock."""
        ...
    def set_totp(self, user_id: int, secret: str | None) -> None: ...
    def use_totp_step(self, user_id: int, step: int) -> bool:
        """Records the time step of an accepted code; False when it (or a later one) was
        already used: a code is good once."""
        ...
    def set_password(self, user_id: int, password_hash: str, must_change: bool) -> None: ...
    def set_locale(self, user_id: int, locale: str) -> None: ...


class SessionRepository(Protocol):
    def add(self, session: SessionRecord) -> None: ...
    def get(self, session_id: str) -> SessionRecord | None: ...
    def touch(self, session_id: str, at: datetime) -> None: ...
    def end(self, session_id: str, at: datetime, reason: str) -> bool: ...
    def end_all(self, user_id: int, at: datetime, reason: str) -> int: ...


class Credentials(Protocol):
    """Password hashing (a memory-hard KDF) and time-based one-time codes."""

    def hash_password(self, password: str) -> str: ...
    def verify_password(self, password_hash: str, password: str) -> bool: ...
    def needs_rehash(self, password_hash: str) -> bool: ...
    def new_totp_secret(self) -> str: ...
    def totp_uri(self, secret: str, account: str) -> str: ...
    def totp_step(self, secret: str, code: str, at: datetime) -> int | None:
        """The time step `code` is valid for at `at` (one step of drift allowed), or None."""
        ...


@dataclass(frozen=True, slots=True)
class SavedView:
    id: int
    user_id: int
    page: str
    name: str
    query: str
    created_at: datetime


class SavedViewRepository(Protocol):
    def save(self, user_id: int, page: str, name: str, query: str, at: datetime) -> int:
        """Adds the view, or replaces the filters of the person's view of that page and name."""
        ...
    def list(self, user_id: int, page: str) -> list[SavedView]: ...
    def count(self, user_id: int) -> int: ...
    def delete(self, user_id: int, view_id: int) -> bool:
        """Only a view of this person is deleted."""
        ...
