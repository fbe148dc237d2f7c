"""Console accounts: people (not API keys), their sign-in, second factor and sessions.

Invariants: a password is stored only as its memory-hard hash; a session's token is stored
only as its SHA-256 (a stolen table opens no session); every sign-in, failure and sign-out is
in the audit; a locked, disabled or unknown account is refused without saying which; a
signed-in person reads through the Principal its role maps to, so the console sees exactly
what an API key of the same scope sees.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from customs.domain.accounts import (
    ConsoleRole,
    Lockout,
    SessionPolicy,
    SessionStage,
    check_locale,
    check_password,
    normal_email,
)
from customs.domain.errors import Conflict, Invalid, NotFound
from customs.services.access import MAX_OFFICES, BadScope, key_scope
from customs.services.account_ports import Credentials, NewUser, SessionRecord, UserRecord
from customs.services.ports import Clock, Principal
from customs.services.unit_of_work import UnitOfWork

ONE_TIME_PASSWORD_BYTES = 12  # 16 URL-safe characters


def new_token() -> str:
    return secrets.token_urlsafe(32)


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_of(user: UserRecord) -> Principal:
    """The API's principal for this person: same role scope, the person as the actor."""
    return Principal(f"user-{user.id}", user.tenant_id or 0, user.tenant or "",
                     user.role.api_role, None, user.offices, user=user.email)


@dataclass(frozen=True)
class AccountRules:
    """The settings sign-in follows, with the collaborators it needs."""

    credentials: Credentials
    lockout: Lockout
    policy: SessionPolicy
    totp_required: bool  # for officers and supervisors
    new_token: Callable[[], str] = new_token


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in step: `signed_in`, `second_factor` (a code is awaited),
    `enrol_second_factor` (required, none enrolled), `locked` or `refused`."""

    outcome: str
    token: str | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    id: str
    stage: SessionStage
    user: UserRecord

    @property
    def principal(self) -> Principal:
        return principal_of(self.user)


def _audit(uow: UnitOfWork, user: UserRecord | None, action: str, at: datetime,
           subject: str, after: dict[str, Any] | None = None, actor: str | None = None) -> None:
    who = None if user is None else principal_of(user)
    uow.audit.record(who, actor or f"console:{subject}", action, "user",
                     subject if user is None else str(user.id), None, after, at)


def create_user(email: str, role: str, *, uow: UnitOfWork, clock: Clock, rules: AccountRules,
                offices: list[str] | None = None, tenant: str | None = None,
                locale: str = "ru", password: str | None = None,
                actor: str = "operator") -> tuple[UserRecord, str | None]:
    """Returns the user and, when no password was given, the one-time password to hand over
    (it must be changed at the first sign-in)."""
    email = normal_email(email)
    console_role = ConsoleRole(role) if role in ConsoleRole.__members__.values() else None
    if console_role is None:
        raise Invalid("INVALID_ROLE", f"the role is one of {', '.join(ConsoleRole)}")
    check_locale(locale)
    if console_role is ConsoleRole.MARKETPLACE:
        if not tenant or offices:
            raise Invalid("INVALID_SCOPE", "a marketplace user needs --tenant (and no offices)")
        office_list: tuple[str, ...] = ()
    else:
        if tenant:
            raise Invalid("INVALID_SCOPE", "officers and supervisors have offices, no tenant")
        try:
            office_list = tuple(key_scope("console", "officer", None, offices)[1] or ())
        except BadScope:
            raise Invalid("INVALID_SCOPE", f"an officer or supervisor needs 1-{MAX_OFFICES} "
                                           "customs office codes (2-12 letters or digits), "
                                           "e.g. --offices 10005020,10005030") from None
    one_time = None
    if password is None:
        one_time = password = secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
    check_password(password)
    now = clock.now()
    with uow:
        if uow.users.by_email(email) is not None:
            raise Conflict("USER_EXISTS", f"a user {email} exists already")
        tenant_id = None if tenant is None else uow.keys.tenant_id(tenant, create_at=now)
        user_id = uow.users.add(NewUser(email, console_role, tenant_id, office_list, locale,
                                        rules.credentials.hash_password(password),
                                        one_time is not None, now))
        user = uow.users.get(user_id)
        assert user is not None
        _audit(uow, user, "user.create", now, email, {
            "email": email, "role": role, "tenant": tenant, "offices": list(office_list),
            "one_time_password": one_time is not None}, actor=actor)
        uow.commit()
    return user, one_time


def list_users(*, uow: UnitOfWork) -> list[UserRecord]:
    with uow:
        return uow.users.list()


def _user(uow: UnitOfWork, email: str) -> UserRecord:
    user = uow.users.by_email(normal_email(email))
    if user is None:
        raise NotFound(f"no user {email}")
    return user


def disable_user(email: str, *, uow: UnitOfWork, clock: Clock, actor: str = "operator") -> int:
    """Disables the account and ends its sessions (returns how many)."""
    now = clock.now()
    with uow:
        user = _user(uow, email)
        if not uow.users.disable(user.id, now):
            raise Conflict("USER_DISABLED", f"{user.email} is disabled already")
        ended = uow.console_sessions.end_all(user.id, now, "disabled")
        _audit(uow, user, "user.disable", now, user.email, {"sessions_ended": ended},
               actor=actor)
        uow.commit()
    return ended


def enrol_totp(email: str, *, uow: UnitOfWork, clock: Clock, rules: AccountRules,
               actor: str = "operator") -> tuple[str, str]:
    """A new second-factor secret (it replaces any earlier one): (secret, otpauth URI)."""
    now = clock.now()
    secret = rules.credentials.new_totp_secret()
    with uow:
        user = _user(uow, email)
        uow.users.set_totp(user.id, secret)
        _audit(uow, user, "user.totp_enrol", now, user.email, actor=actor)
        uow.commit()
    return secret, rules.credentials.totp_uri(secret, user.email)


def start_totp(user_id: int, *, uow: UnitOfWork, rules: AccountRules) -> tuple[str, str]:
    """A new secret and its otpauth URI for a person enrolling from the console: nothing is
    stored until confirm_totp. A person already enrolled is refused (TOTP_ENROLLED): only an
    operator replaces a second factor (`customs user totp`)."""
    with uow:
        user = _enrollable(uow, user_id)
    secret = rules.credentials.new_totp_secret()
    return secret, rules.credentials.totp_uri(secret, user.email)


def confirm_totp(user_id: int, secret: str, password: str, code: str, *, uow: UnitOfWork,
                 clock: Clock, rules: AccountRules) -> SignIn:
    """Stores `secret` as the person's second factor when their password and a code of the
    secret are right; from then on signing in asks for a code. A wrong password or code counts
    as a failed sign-in (towards the lockout: a stolen session cannot guess the password
    here). Outcomes: `signed_in` (enrolled), `refused`, `locked`."""
    now = clock.now()
    with uow:
        user = _enrollable(uow, user_id)
        if _locked(user, now):
            return SignIn("locked", locked_until=user.locked_until)
        if not rules.credentials.verify_password(user.password_hash, password):
            return _failed(uow, user, now, rules, "totp_enrol_password")
        step = rules.credentials.totp_step(secret, code.strip(), now)
        if step is None:
            return _failed(uow, user, now, rules, "totp_enrol_code")
        uow.users.set_totp(user.id, secret)
        uow.users.use_totp_step(user.id, step)  # the code just typed is spent
        uow.users.signed_in(user.id)
        _audit(uow, user, "user.totp_enrol", now, user.email, actor=f"console:{user.email}")
        uow.commit()
    return SignIn("signed_in")


def _enrollable(uow: UnitOfWork, user_id: int) -> UserRecord:
    user = uow.users.get(user_id)
    if user is None or user.disabled_at is not None:
        raise NotFound(f"no console user {user_id}")
    if user.totp_secret:
        raise Conflict("TOTP_ENROLLED", "one-time codes are already enrolled for this person")
    return user


def _open_session(uow: UnitOfWork, user: UserRecord, stage: SessionStage, now: datetime,
                  rules: AccountRules) -> str:
    token = rules.new_token()
    uow.console_sessions.add(SessionRecord(session_id(token), user.id, stage, now, now, None))
    return token


def _failed(uow: UnitOfWork, user: UserRecord, now: datetime, rules: AccountRules,
            step: str) -> SignIn:
    failures = uow.users.count_failure(user.id)
    until = rules.lockout.locked_until(failures, now)
    if until is not None:
        uow.users.lock(user.id, until)
    _audit(uow, user, "console.sign_in_failed", now, user.email,
           {"step": step, "failures": failures, "locked_until": _iso(until)})
    uow.commit()
    return SignIn("locked", locked_until=until) if until else SignIn("refused")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _locked(user: UserRecord, now: datetime) -> bool:
    return user.locked_until is not None and now < user.locked_until


def sign_in(email: str, password: str, *, uow: UnitOfWork, clock: Clock,
            rules: AccountRules) -> SignIn:
    """The password step. An unknown or disabled account costs one hash like a known one."""
    now = clock.now()
    try:
        email = normal_email(email)
    except Invalid:
        email = ""
    with uow:
        user = uow.users.by_email(email) if email else None
        if user is None or user.disabled_at is not None:
            rules.credentials.verify_password(_DUMMY.get(rules), password)
            _audit(uow, None, "console.sign_in_failed", now, email[:64] or "-",
                   {"step": "password", "known": user is not None})
            uow.commit()
            return SignIn("refused")
        if _locked(user, now):
            _audit(uow, user, "console.sign_in_failed", now, user.email,
                   {"step": "password", "locked_until": _iso(user.locked_until)})
            uow.commit()
            return SignIn("locked", locked_until=user.locked_until)
        if not rules.credentials.verify_password(user.password_hash, password):
            return _failed(uow, user, now, rules, "password")
        if rules.credentials.needs_rehash(user.password_hash):
            uow.users.set_password(user.id, rules.credentials.hash_password(password),
                                   user.must_change_password)
        uow.users.signed_in(user.id)
        return _after_password(uow, user, now, rules)


def _after_password(uow: UnitOfWork, user: UserRecord, now: datetime,
                    rules: AccountRules) -> SignIn:
    officer = user.role is not ConsoleRole.MARKETPLACE
    if user.totp_secret is None and rules.totp_required and officer:
        _audit(uow, user, "console.sign_in_failed", now, user.email,
               {"step": "second_factor", "enrolled": False})
        uow.commit()
        return SignIn("enrol_second_factor")
    if user.totp_secret is not None:
        token = _open_session(uow, user, SessionStage.PASSWORD, now, rules)
        uow.commit()
        return SignIn("second_factor", token)
    token = _open_session(uow, user, SessionStage.SIGNED_IN, now, rules)
    _audit(uow, user, "console.sign_in", now, user.email, {"second_factor": False})
    uow.commit()
    return SignIn("signed_in", token)


class _Dummy:
    """A hash to verify against when the account is unknown (same cost as a known one)."""

    def __init__(self) -> None:
        self._hash: str | None = None

    def get(self, rules: AccountRules) -> str:
        if self._hash is None:
            self._hash = rules.credentials.hash_password(secrets.token_urlsafe(16))
        return self._hash


_DUMMY = _Dummy()


def confirm_code(token: str, code: str, *, uow: UnitOfWork, clock: Clock,
                 rules: AccountRules) -> SignIn:
    """The second-factor step: a right code ends the waiting session and opens a new one
    (a new token: the one seen before the code is worth nothing after it)."""
    now = clock.now()
    with uow:
        found = _resume(uow, token, now, rules.policy)
        if found is None or found.stage is not SessionStage.PASSWORD:
            uow.commit()
            return SignIn("refused")
        user = found.user
        if _locked(user, now):
            return SignIn("locked", locked_until=user.locked_until)
        step = rules.credentials.totp_step(user.totp_secret or "", code.strip(), now)
        if step is None or not uow.users.use_totp_step(user.id, step):
            return _failed(uow, user, now, rules, "second_factor")
        uow.users.signed_in(user.id)
        uow.console_sessions.end(found.id, now, "second_factor")
        new = _open_session(uow, user, SessionStage.SIGNED_IN, now, rules)
        _audit(uow, user, "console.sign_in", now, user.email, {"second_factor": True})
        uow.commit()
    return SignIn("signed_in", new)


def _resume(uow: UnitOfWork, token: str, now: datetime,
            policy: SessionPolicy) -> ConsoleSession | None:
    if not token or len(token) > 200:
        return None
    record = uow.console_sessions.get(session_id(token))
    if record is None or record.ended_at is not None:
        return None
    user = uow.users.get(record.user_id)
    if user is None or user.disabled_at is not None:
        return None
    why = policy.ended(record.stage, record.created_at, record.last_seen_at, now)
    if why is not None:
        uow.console_sessions.end(record.id, now, why)
        return None
    if now - record.last_seen_at >= policy.touch_every:
        uow.console_sessions.touch(record.id, now)
    return ConsoleSession(record.id, record.stage, user)


def resume(token: str, *, uow: UnitOfWork, clock: Clock,
           policy: SessionPolicy) -> ConsoleSession | None:
    """The session a cookie's token opens, if it still lasts (its last-seen time moved on)."""
    with uow:
        found = _resume(uow, token, clock.now(), policy)
        uow.commit()
    return found


def sign_out(token: str, *, uow: UnitOfWork, clock: Clock, everywhere: bool = False) -> int:
    """Ends this session (or every session of its person); returns how many ended."""
    now = clock.now()
    with uow:
        record = uow.console_sessions.get(session_id(token)) if token else None
        user = None if record is None else uow.users.get(record.user_id)
        if record is None or user is None or record.ended_at is not None:
            return 0
        if everywhere:
            ended = uow.console_sessions.end_all(user.id, now, "signed_out_everywhere")
        else:
            ended = int(uow.console_sessions.end(record.id, now, "signed_out"))
        _audit(uow, user, "console.sign_out", now, user.email,
               {"everywhere": everywhere, "sessions_ended": ended})
        uow.commit()
    return ended


def change_password(user_id: int, current: str, new: str, *, uow: UnitOfWork, clock: Clock,
                    rules: AccountRules) -> None:
    check_password(new)
    if new == current:
        raise Invalid("WEAK_PASSWORD", "the new password must differ from the current one")
    now = clock.now()
    with uow:
        user = uow.users.get(user_id)
        if user is None or not rules.credentials.verify_password(user.password_hash, current):
            raise Invalid("WRONG_PASSWORD", "the current password is not right")
        uow.users.set_password(user.id, rules.credentials.hash_password(new), False)
        _audit(uow, user, "user.password_change", now, user.email)
        uow.commit()


def set_locale(user_id: int, locale: str, *, uow: UnitOfWork) -> None:
    check_locale(locale)
    with uow:
        uow.users.set_locale(user_id, locale)
        uow.commit()
