"""The legs of a parcel (customs.domain.legs): which legs the dated rules give, each leg's
status from the parcel's row, and the parcel's state derived from its legs."""

from __future__ import annotations

from datetime import date

import pytest

from customs.adapters.reference.files import load_destination_rules
from customs.domain.legs import (
    WAITING,
    Leg,
    LegKind,
    LegRule,
    LegRules,
    LegState,
    decided_at_destination,
    legs_of,
    may_release,
    overall,
)
from customs.domain.lifecycle import ParcelStatus, can_move, sources

S = ParcelStatus
EXPORT, IMPORT = LegKind.EXPORT, LegKind.IMPORT
DAY = date(2026, 11, 23)
RULES = LegRules((LegRule("cn", frozenset({"CN"}), frozenset({"RU"}), date(2018, 11, 1),
                          date(2030, 12, 31)),))


def two(export: str, arrive: str) -> tuple[LegState, ...]:
    return (LegState(Leg(EXPORT, "CN"), export), LegState(Leg(IMPORT, "RU"), arrive))


def test_the_rules_give_two_legs_from_china_to_russia_only_while_in_force():
    assert RULES.legs_for("CN", "RU", DAY) == (Leg(EXPORT, "CN"), Leg(IMPORT, "RU"))
    assert RULES.first_leg("CN", "RU", DAY) is EXPORT
    assert RULES.legs_for("CN", "DE", DAY) == (Leg(IMPORT, "DE"),)  # not a listed destination
    assert RULES.legs_for("TR", "RU", DAY) == (Leg(IMPORT, "RU"),)  # not a listed origin
    assert RULES.legs_for("CN", "CN", DAY) == (Leg(IMPORT, "CN"),)  # never exported to itself
    assert RULES.first_leg("CN", "RU", date(2018, 10, 31)) is None  # before it applies
    assert RULES.first_leg("CN", "RU", date(2031, 1, 1)) is None  # after it was closed
    assert RULES.only(set()).legs_for("CN", "RU", DAY) == (Leg(IMPORT, "RU"),)
    assert RULES.only({"CN"}) == RULES


def test_the_bundled_rules_export_from_china_to_russia():
    legs = load_destination_rules().legs
    assert legs.first_leg("CN", "RU", DAY) is EXPORT
    assert legs.first_leg("RU", "CN", DAY) is None  # into China: the one import leg


@pytest.mark.parametrize(("legs", "state"), [
    (two("DECLARED", WAITING), "DECLARED"),  # export on: the parcel is where its export is
    (two("HELD", WAITING), "HELD"),
    (two("REFUSED", WAITING), "REFUSED"),  # refused at origin: final, import never starts
    (two("RETURNED", WAITING), "RETURNED"),
    (two("RELEASED", "DECLARED"), "DECLARED"),  # cleared for export: now the import's state
    (two("RELEASED", "REFUSED"), "REFUSED"),  # refused at destination: final
    (two("RELEASED", "RELEASED"), "RELEASED"),  # released only when both legs are
    (two("HELD", "RELEASED"), "HELD"),  # (never stored) an export not cleared holds it back
    (two("REFUSED", "RELEASED"), "REFUSED"),  # a refusal anywhere wins over a release
    ((LegState(Leg(IMPORT, "RU"), "RELEASED"),), "RELEASED"),
])
def test_the_parcels_state_is_derived_from_its_legs(legs, state):
    assert overall(legs) == state


def test_each_legs_status_follows_from_the_parcels_row():
    assert legs_of(None, S.HELD, "CN", "RU") == (LegState(Leg(IMPORT, "RU"), "HELD"),)
    assert legs_of(EXPORT, S.SUBMITTED, "CN", "RU") == two("SUBMITTED", WAITING)
    assert legs_of(IMPORT, S.DUTY_DUE, "CN", "RU") == two("RELEASED", "DUTY_DUE")
    for current, status in [(EXPORT, s) for s in S if s is not S.RELEASED] + [
            (IMPORT, s) for s in S]:
        # stored as the current leg's status, the row says what the legs derive
        assert overall(legs_of(current, status, "CN", "RU")) == status.value
    # released for export, the import not yet begun (the hand-over does it in the same
    # transaction): the parcel waits for its import leg, it is not released
    assert overall(legs_of(EXPORT, S.RELEASED, "CN", "RU")) == WAITING


def test_the_import_leg_is_released_only_after_the_export_leg():
    assert not may_release(two("HELD", WAITING), IMPORT)
    assert not may_release(two("REFUSED", WAITING), IMPORT)
    assert may_release(two("RELEASED", "ACKNOWLEDGED"), IMPORT)
    assert may_release(two("ACKNOWLEDGED", WAITING), EXPORT)
    assert not decided_at_destination(EXPORT)
    assert decided_at_destination(IMPORT) and decided_at_destination(None)


def test_only_the_hand_over_moves_a_released_parcel_back_to_validated():
    assert not can_move(S.RELEASED, S.VALIDATED)
    assert not can_move(S.RELEASED, S.VALIDATED, evidence=True, correction=True)
    assert can_move(S.RELEASED, S.VALIDATED, handover=True)
    assert not can_move(S.REFUSED, S.VALIDATED, handover=True)  # a refusal is final
    assert sources(S.VALIDATED, handover=True) == (S.RECEIVED, S.RELEASED)
    assert sources(S.VALIDATED) == (S.RECEIVED,)
