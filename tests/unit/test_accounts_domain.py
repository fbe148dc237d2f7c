"""Console accounts' rules: lockout backoff, session expiry, e-mail and password forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from customs.domain.accounts import (
    ConsoleRole,
    Lockout,
    SessionPolicy,
    SessionStage,
    check_password,
    normal_email,
)
from customs.domain.errors import Invalid

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_lockout_starts_at_the_threshold_and_doubles_up_to_the_cap() -> None:
    rule = Lockout(attempts=3, base=timedelta(seconds=30), cap=timedelta(minutes=5))
    assert [rule.locked_until(n, NOW) for n in (1, 2)] == [None, None]
    waits = [rule.locked_until(n, NOW) - NOW for n in (3, 4, 5, 6, 7, 10_000)]
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240, 300, 300)]


def test_a_session_ends_when_idle_or_too_old_and_a_half_signed_in_one_sooner() -> None:
    policy = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12),
                           second_factor=timedelta(minutes=5))
    signed = SessionStage.SIGNED_IN
    assert policy.ended(signed, NOW, NOW, NOW + timedelta(minutes=29)) is None
    assert policy.ended(signed, NOW, NOW, NOW + timedelta(minutes=30)) == "idle"
    late = NOW + timedelta(hours=12)
    assert policy.ended(signed, NOW, late - timedelta(minutes=1), late) == "expired"
    assert policy.ended(SessionStage.PASSWORD, NOW, NOW, NOW + timedelta(minutes=5)) == "expired"


def test_emails_are_compared_in_lower_case_and_odd_forms_refused() -> None:
    assert normal_email("  Ivanova@Customs.Example ") == "ivanova@customs.example"
    for bad in ("ivanova", "a@b", "a b@c.example", "x" * 80 + "@customs.example"):
        with pytest.raises(Invalid) as refused:
            normal_email(bad)
        assert refused.value.code == "INVALID_EMAIL"


def test_passwords_have_a_length_range() -> None:
    check_password("x" * 12)
    for bad in ("x" * 11, "x" * 1025):
        with pytest.raises(Invalid):
            check_password(bad)


def test_roles_map_to_the_api_scopes() -> None:
    assert [r.api_role for r in ConsoleRole] == ["officer", "officer", "marketplace"]
