"""The lifecycle's guards as the SQL writers use them (`sources`), and the statuses and events a
parcel gets at intake (`intake_steps`): one table each, checked against the lifecycle."""

from __future__ import annotations

from itertools import pairwise

import pytest

from customs.domain.intake import IntakeStep, intake_status, intake_steps
from customs.domain.lifecycle import ParcelStatus as S
from customs.domain.lifecycle import can_move, sources

SOURCES = [  # (new status, evidence?, the statuses a parcel may move there from)
    (S.RECEIVED, False, ()),
    (S.VALIDATED, False, (S.RECEIVED,)),
    (S.REJECTED, False, (S.RECEIVED,)),
    (S.DECLARED, False, (S.VALIDATED,)),
    (S.BATCHED, False, (S.DECLARED,)),
    (S.SUBMITTED, False, (S.BATCHED, S.TRANSMISSION_FAILED)),
    (S.TRANSMISSION_FAILED, False, (S.BATCHED,)),
    (S.ACKNOWLEDGED, False, (S.SUBMITTED,)),
    (S.ACKNOWLEDGED, True, (S.BATCHED, S.SUBMITTED, S.TRANSMISSION_FAILED)),
    (S.SUBMITTED, True, (S.BATCHED, S.TRANSMISSION_FAILED)),
    (S.HELD, False, (S.ACKNOWLEDGED, S.DUTY_DUE, S.HELD, S.SUBMITTED)),
    (S.RELEASED, False, (S.ACKNOWLEDGED, S.HELD, S.PAID, S.SUBMITTED)),
    (S.PAID, False, (S.DUTY_DUE,)),
    (S.RETURNED, False, (S.REFUSED,)),
    (S.CANCELLED, False, (S.ACKNOWLEDGED, S.BATCHED, S.DECLARED, S.DUTY_DUE, S.HELD,
                          S.TRANSMISSION_FAILED, S.VALIDATED)),
]


@pytest.mark.parametrize(("new", "evidence", "expected"), SOURCES)
def test_sources_lists_the_statuses_a_move_may_start_from(new, evidence, expected):
    assert sources(new, evidence=evidence) == expected


@pytest.mark.parametrize("evidence", [False, True])
def test_sources_agrees_with_can_move_for_every_pair(evidence):
    for new in S:
        found = sources(new, evidence=evidence)
        assert list(found) == sorted(found)  # stable SQL text for the statement cache
        assert set(found) == {s for s in S if can_move(s, new, evidence=evidence)}


def test_a_failed_batch_that_fails_again_moves_none_of_its_parcels():
    # the outbox keeps today's rule: TRANSMISSION_FAILED is left only by a delivery (or a cancel)
    assert S.TRANSMISSION_FAILED not in sources(S.TRANSMISSION_FAILED)


STEPS = [  # (accepted, violation codes, declared at intake, (status, previous, reason)...)
    (True, [], False, [(S.RECEIVED, None, "received in manifest"),
                       (S.VALIDATED, S.RECEIVED, "schema and business rules passed")]),
    (True, [], True, [(S.RECEIVED, None, "received in manifest"),
                      (S.VALIDATED, S.RECEIVED, "schema and business rules passed"),
                      (S.DECLARED, S.VALIDATED, None)]),
    (False, ["R2", "R1", "R2"], False, [(S.RECEIVED, None, "received in manifest"),
                                        (S.REJECTED, S.RECEIVED, "R1; R2")]),
    (False, ["XSD"], True, [(S.RECEIVED, None, "received in manifest"),
                            (S.REJECTED, S.RECEIVED, "XSD")]),  # never declared if rejected
]


@pytest.mark.parametrize(("accepted", "codes", "declared", "expected"), STEPS)
def test_intake_steps_give_each_new_parcel_its_history(accepted, codes, declared, expected):
    steps = intake_steps(accepted, codes, declared)
    assert steps == tuple(IntakeStep(*e) for e in expected)
    assert steps[-1].status is intake_status(accepted, declared)
    for before, step in pairwise(steps):
        assert step.previous is before.status and can_move(before.status, step.status)
