"""Use case: apply the authority's per-parcel decisions, exactly once each.

A message is applied once (its id is a primary key; a duplicate or concurrent delivery is
answered as such). Each decision moves only its own parcel, only along the lifecycle (a stale
or repeated decision never moves a parcel backwards: it is counted as ignored), and a decision
for a parcel we do not know is kept aside and reported.
"""

from __future__ import annotations

from datetime import datetime

from customs.domain.decisions import ApplyReport, Decision, DecisionMessage
from customs.domain.lifecycle import ParcelStatus, can_move, is_final
from customs.services.ports import Clock, ConcurrentWrite, UnitOfWork

ACTOR = "authority"


def apply_decisions(message: DecisionMessage, *, uow: UnitOfWork, clock: Clock,
                    raw: bytes) -> ApplyReport:
    report = ApplyReport(message.message_id)
    now = clock.now()
    try:
        with uow:
            if uow.decisions.seen(message.message_id):
                return ApplyReport(message.message_id, duplicate=True)
            uow.decisions.register(message.message_id, "decisions", now)
            # Kept with the batch it answers, so that a parcel's dossier lists it.
            uow.outbox.record("in", "decisions", message.message_id,
                              uow.decisions.batch_of(message.initial_message_id), None, None,
                              raw, now)
            for decision in message.decisions:
                found = uow.decisions.parcel_for(decision)
                if found is None:
                    uow.decisions.orphan(message.message_id, decision, now)
                    report.orphaned += 1
                elif not decision.steps(found[1]) and not is_final(found[1]):
                    uow.decisions.note(found[0], found[1], decision, now, ACTOR)
                    report.noted += 1
                elif _move(uow, found[0], found[1], decision, now):
                    report.applied += 1
                else:
                    report.ignored += 1
            uow.decisions.finish(message.message_id, report.applied, report.ignored,
                                 report.orphaned)
            uow.commit()
    except ConcurrentWrite:
        return ApplyReport(message.message_id, duplicate=True)
    return report


def _move(uow: UnitOfWork, parcel_id: int, current: ParcelStatus, decision: Decision,
          now: datetime) -> bool:
    """Each step under its status guard; no step when the first is not allowed."""
    steps = decision.steps(current)
    if not steps or not can_move(current, steps[0]):
        return False
    for step in steps:
        if not can_move(current, step) or not uow.decisions.apply(
                parcel_id, current, decision, now, ACTOR, status=step):
            return False
        current = step
    return True
