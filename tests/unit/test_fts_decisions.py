"""Every FTS DecisionCode of the express album is mapped onto our lifecycle (domain only)."""

from __future__ import annotations

import pytest

from customs.domain.decisions import FTS_DECISION_STATUS, Decision
from customs.domain.lifecycle import ParcelStatus as S

ISSUE_CODES = ("10", "30", "31", "32", "40", "50", "51", "60", "61", "62", "70", "90", "92")


def test_every_code_of_the_album_is_mapped():
    assert {f"FTS:{c}" for c in ISSUE_CODES} | {"FTS:REQ-CORRECT"} == set(FTS_DECISION_STATUS)


@pytest.mark.parametrize(("code", "current", "steps"), [
    ("10", S.ACKNOWLEDGED, (S.RELEASED,)), ("30", S.SUBMITTED, (S.RELEASED,)),
    ("31", S.ACKNOWLEDGED, (S.DUTY_DUE,)), ("32", S.DUTY_DUE, (S.PAID, S.RELEASED)),
    ("32", S.ACKNOWLEDGED, (S.RELEASED,)), ("40", S.HELD, (S.CANCELLED,)),
    ("50", S.ACKNOWLEDGED, ()), ("51", S.ACKNOWLEDGED, (S.DUTY_DUE,)),
    ("60", S.ACKNOWLEDGED, (S.HELD,)), ("61", S.HELD, (S.HELD,)), ("62", S.HELD, ()),
    ("70", S.HELD, ()), ("90", S.HELD, (S.REFUSED,)), ("92", S.ACKNOWLEDGED, (S.HELD,)),
])
def test_steps_and_source(code, current, steps):
    decision = Decision("d", "t", f"FTS:{code}")
    assert decision.steps(current) == steps
    assert decision.source == f"FTS:{code}"


def test_generic_codes_keep_their_auth_source():
    assert Decision("d", "t", "RELEASED").source == "AUTH:RELEASED"
    assert Decision("d", "t", "RELEASED").steps(S.SUBMITTED) == (S.RELEASED,)
