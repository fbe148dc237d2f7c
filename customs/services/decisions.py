"""Use case: apply the authority's per-parcel decisions, exactly once each, none dropped.

A message is applied once (its id is a primary key; a duplicate or concurrent delivery is
answered as such). It must answer a batch of ours: a message that names none is refused
(the caller quarantines it). The message is evidence that the authority has that batch, so
the batch and its parcels still waiting for receipt move to ACKNOWLEDGED first, whatever the
service had recorded (a cut reply, a killed sender). Then each decision moves only its own
parcel, and only if the batch carried it (else it is an orphan, kept with the reason), only
along the lifecycle:
- a decision that can apply, applies;
- one that arrived early (its status is reachable later: PAID before DUTY_DUE) is kept
  pending and applied when the parcel gets there;
- a stale one (the parcel is past it) is counted as ignored;
- a code we do not know sets the parcel aside (HELD, the raw code as the event's source) for
  a person; the known decisions beside it still apply.
A parcel RELEASED on its export leg starts its import leg there and then (customs.domain.legs:
VALIDATED again, declared for its destination by the worker).
A correction request (FTS ReqCorrect) is kept with its parcel, whatever it moves: the parcel
awaits a correction while it is HELD and the request is open (customs.domain.corrections).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from customs.domain.decisions import ApplyReport, Decision, DecisionMessage
from customs.domain.errors import AuthorityMessageError
from customs.domain.lifecycle import ParcelStatus, can_move, is_final, reachable
from customs.services.authority_ports import DecisionSource
from customs.services.ports import Clock, ConcurrentWrite
from customs.services.unit_of_work import UnitOfWork

ACTOR = "authority"
MAX_PENDING_ROUNDS = 8  # a parcel's kept decisions can chain (DUTY_DUE, PAID, RELEASED)


def apply_decisions(message: DecisionMessage, *, uow: UnitOfWork, clock: Clock,
                    raw: bytes) -> ApplyReport:
    """Raises AuthorityMessageError MESSAGE_UNMATCHED when no batch of ours is answered."""
    report = ApplyReport(message.message_id)
    now = clock.now()
    try:
        with uow:
            if uow.decisions.seen(message.message_id):
                return ApplyReport(message.message_id, duplicate=True)
            batch_id = uow.decisions.batch_of(message.initial_message_id)
            if batch_id is None:
                raise AuthorityMessageError(
                    "MESSAGE_UNMATCHED", f"message {message.message_id[:64]} answers "
                    f"{message.initial_message_id[:64]!r}, which is no batch of ours")
            uow.decisions.register(message.message_id, "decisions", now)
            # Kept with the batch it answers, so that a parcel's dossier lists it.
            uow.outbox.record("in", "decisions", message.message_id, batch_id, None, None,
                              raw, now)
            uow.outbox.received(batch_id, now, "AUTH:DECISIONS",
                                f"its decisions {message.message_id[:64]}")
            touched: set[int] = set()
            for decision in message.decisions:
                _one(uow, message, decision, report, touched, now)
            report.applied += apply_kept(uow, touched, now)
            uow.decisions.finish(message.message_id, report.applied, report.ignored,
                                 report.orphaned)
            uow.commit()
    except ConcurrentWrite:
        return ApplyReport(message.message_id, duplicate=True)
    return report


def _one(uow: UnitOfWork, message: DecisionMessage, decision: Decision, report: ApplyReport,
         touched: set[int], now: datetime) -> None:
    found = uow.decisions.parcel_for(decision, message.initial_message_id)
    if isinstance(found, str):
        uow.decisions.orphan(message.message_id, decision, now, found)
        report.orphaned += 1
        return
    parcel_id, current = found
    touched.add(parcel_id)
    if decision.request is not None:  # kept with its parcel: the correction will answer it
        uow.corrections.requested(parcel_id, message.message_id, decision.declaration_id,
                                  decision.request, now)
    if not decision.known:
        _set_aside(uow, parcel_id, current, decision, now)
        report.set_aside += 1
    elif not decision.steps(current) and not is_final(current):
        uow.decisions.note(parcel_id, current, decision, now, ACTOR)
        report.noted += 1
    elif _move(uow, parcel_id, current, decision, now):
        report.applied += 1
    elif _early(current, decision):
        uow.decisions.keep(message.message_id, parcel_id, decision, now)
        report.pending += 1
    else:
        report.ignored += 1


def _early(current: ParcelStatus, decision: Decision) -> bool:
    target = decision.status
    return target is not None and target is not current and reachable(current, target)


def _set_aside(uow: UnitOfWork, parcel_id: int, current: ParcelStatus, decision: Decision,
               now: datetime) -> None:
    """HELD for a person, the raw code on the event; a parcel that cannot be held any more
    (released, returned) gets the code on its history instead."""
    said = f"unknown decision code {decision.code}: set aside for an officer" + (
        f" ({decision.reason})" if decision.reason else "")
    unknown = Decision(decision.declaration_id, decision.tracking_number, decision.code,
                       reason=said, envelope_id=decision.envelope_id)
    if not (can_move(current, ParcelStatus.HELD) and uow.decisions.apply(
            parcel_id, current, unknown, now, ACTOR, status=ParcelStatus.HELD)):
        uow.decisions.note(parcel_id, current, unknown, now, ACTOR)


def apply_kept(uow: UnitOfWork, parcel_ids: set[int], now: datetime) -> int:
    """Apply the kept decisions of these parcels that can apply now (in the order they came),
    drop those gone stale; returns how many applied."""
    applied = 0
    for _ in range(MAX_PENDING_ROUNDS):
        progress = False
        for kept_id, parcel_id, decision in uow.decisions.kept_for(sorted(parcel_ids)):
            current = uow.decisions.status_of(parcel_id)
            if _move(uow, parcel_id, current, decision, now):
                uow.decisions.drop_kept(kept_id)
                applied += 1
                progress = True
            elif not _early(current, decision):
                uow.decisions.drop_kept(kept_id)
        if not progress:
            break
    return applied


def apply_pending(*, uow: UnitOfWork, clock: Clock, limit: int = 500) -> int:
    """The worker's sweep: kept decisions whose parcel moved by other means (an officer)."""
    with uow:
        parcels = uow.decisions.parcels_with_kept(limit)
        applied = apply_kept(uow, set(parcels), clock.now()) if parcels else 0
        uow.commit()
    return applied


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
    if current is ParcelStatus.RELEASED:  # a two-leg parcel cleared for export: import next
        uow.decisions.hand_over(parcel_id, now, ACTOR)
    return True


def poll(source: DecisionSource, receive: Callable[[bytes, str], object], *,
         uow_factory: Callable[[], UnitOfWork], clock: Clock, max_messages: int = 100) -> int:
    """Fetch messages in order from the stored cursor, hand each to `receive` (duplicates are
    recognised there), and move the cursor after each; returns how many were fetched."""
    with uow_factory() as uow:
        after = uow.decisions.cursor(source.key) or "0"
    fetched = 0
    for _ in range(max_messages):
        got = source.fetch(after)
        if got is None:
            break
        document, next_after = got
        receive(document, source.origin(after))
        after = next_after
        uow = uow_factory()
        with uow:
            uow.decisions.save_cursor(source.key, after, clock.now())
            uow.commit()
        fetched += 1
    return fetched
