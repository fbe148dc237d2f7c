"""The lifecycle says which moves evidence of receipt allows, and which decisions are early
(kept until their turn) rather than stale."""

from __future__ import annotations

from customs.domain.decisions import Decision
from customs.domain.lifecycle import ParcelStatus as S
from customs.domain.lifecycle import can_move, reachable, received_from


def test_evidence_moves_unsent_parcels_forward_and_nothing_else():
    assert not can_move(S.BATCHED, S.ACKNOWLEDGED)
    assert can_move(S.BATCHED, S.ACKNOWLEDGED, evidence=True)
    assert can_move(S.TRANSMISSION_FAILED, S.ACKNOWLEDGED, evidence=True)
    assert not can_move(S.DECLARED, S.ACKNOWLEDGED, evidence=True)  # never sealed: no proof
    assert not can_move(S.RELEASED, S.ACKNOWLEDGED, evidence=True)  # never backwards
    assert set(received_from(S.ACKNOWLEDGED)) == {S.BATCHED, S.TRANSMISSION_FAILED, S.SUBMITTED}


def test_early_decisions_are_reachable_and_stale_ones_are_not():
    assert reachable(S.ACKNOWLEDGED, S.PAID)  # PAID before DUTY_DUE: wait for it
    assert reachable(S.DUTY_DUE, S.RELEASED)  # released before paid: wait for the payment
    assert not reachable(S.RELEASED, S.HELD)  # HELD after RELEASED: stale
    assert not reachable(S.REFUSED, S.RELEASED)


def test_an_unknown_code_is_known_to_be_unknown():
    assert not Decision("d", "t", "FTS:77").known and Decision("d", "t", "FTS:77").status is None
    assert not Decision("d", "t", "NEW_CODE").known
    assert Decision("d", "t", "FTS:10").known and Decision("d", "t", "HELD").known
