"""People who sign in to the web console: their roles, what a password must be, when failed
sign-ins lock an account and when a session ends.

A console role maps onto the API's roles (the scope a Principal carries): an officer and a
supervisor see the parcels of their customs offices, as an officer key does; a marketplace
user the parcels of its tenant. A supervisor is an officer who also sees its offices'
statistics and its officers' audit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from customs.domain.errors import Invalid


class ConsoleRole(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    MARKETPLACE = "marketplace"

    @property
    def api_role(self) -> str:
        """The API role whose scope this role has."""
        return "marketplace" if self is ConsoleRole.MARKETPLACE else "officer"


LOCALES = ("ru", "en")
# Emails end up in event actors (100 characters with the role's prefix).
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,60}\.[A-Za-z]{2,24}$")
MAX_EMAIL = 90
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # a longer one only costs the hasher time


def normal_email(email: str) -> str:
    """Emails are compared in lower case; a form that cannot be one is refused."""
    value = email.strip().lower()
    if len(value) > MAX_EMAIL or not EMAIL.match(value):
        raise Invalid("INVALID_EMAIL", f"an e-mail address of at most {MAX_EMAIL} characters "
                                       "such as ivanova@customs.example")
    return value


def check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid("WEAK_PASSWORD", f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} "
                                       "characters")


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise Invalid("INVALID_LOCALE", f"the locale is one of {', '.join(LOCALES)}")
    return locale


@dataclass(frozen=True, slots=True)
class Lockout:
    """After `attempts` failures in a row an account is locked for `base`, doubled for each
    further failure, at most `cap`; a successful sign-in starts the count again."""

    attempts: int = 5
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)

    def locked_until(self, failures: int, now: datetime) -> datetime | None:
        if failures < self.attempts:
            return None
        doublings = min(failures - self.attempts, 20)  # 2**20 × base is past any cap
        return now + min(self.cap, self.base * (2 ** doublings))


class SessionStage(StrEnum):
    PASSWORD = "password"  # noqa: S105 (a stage's name) the password was right; a code is awaited
    SIGNED_IN = "signed_in"


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """A session ends after `idle` without a request, and `absolute` after it began
    whatever happens; one waiting for its second factor lasts `second_factor` at most."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    second_factor: timedelta = timedelta(minutes=5)
    touch_every: timedelta = timedelta(seconds=60)  # last-seen writes at most this often

    def ended(self, stage: SessionStage, created: datetime, last_seen: datetime,
              now: datetime) -> str | None:
        """Why the session is over at `now` ("idle", "expired"), or None while it lasts."""
        if stage is SessionStage.PASSWORD and now >= created + self.second_factor:
            return "expired"
        if now >= created + self.absolute:
            return "expired"
        if now >= last_seen + self.idle:
            return "idle"
        return None
