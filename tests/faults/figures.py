"""What a fault run did to every parcel and every message (tests/faults/harness.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from customs.usecases import Application

A = "{urn:customs:authority:1}"
DECIDING = ("RELEASED", "HELD", "DUTY_DUE", "REFUSED")


def status_of(code: str) -> str:
    """The status an authority code leaves a parcel in (an unknown code: HELD, set aside)."""
    return code if code in DECIDING else "HELD"


@dataclass
class Figures:
    accepted: int = 0
    batches: int = 0
    registered_batches: int = 0
    registered_parcels: int = 0
    resends: int = 0
    sent_twice: int = 0
    decided: int = 0
    lost: int = 0
    set_aside: int = 0  # decided with an unknown code: HELD for a person, as they should be
    messages: int = 0  # distinct messages the authority sent (poison included)
    applied_messages: int = 0
    quarantined: int = 0
    unaccounted_messages: int = 0
    kills: int = 0
    exits: int = 0  # workers that ended on their own (restarted)
    link_faults: dict[str, int] = field(default_factory=dict)
    db_faults: dict[str, int] = field(default_factory=dict)
    evidence_moves: int = 0  # parcels moved on by evidence of receipt (decisions, resends)
    paid_after_release: int = 0  # PAID applied though RELEASED came first (kept, then applied)
    finish_seconds: float = 0.0  # from the end of the faults until all was done
    quarantine_codes: list[str] = field(default_factory=list)
    webhook_missing: int = 0  # events never delivered to the marketplace's webhook
    webhook_repeats: int = 0  # deliveries of an event already delivered (at least once)
    feed_repeats: int = 0
    feed_behind: int = 0
    problems: list[str] = field(default_factory=list)



def _message_id(document: bytes) -> str | None:
    try:
        return etree.fromstring(document).findtext(A + "MessageId")
    except etree.XMLSyntaxError:
        return None


def count(customs: Application, expected: dict[str, str], sim: Any, figures: Figures,
          hooks: dict[str, int]) -> None:
    """Every parcel against the authority's final decision, every message applied or
    quarantined, the feed against the parcels."""
    with customs.resources.engine.connect() as conn:
        def rows(sql: str) -> list[Any]:
            return list(conn.exec_driver_sql(sql).all())

        parcels = rows("SELECT tracking_number, status, batch_id, id FROM parcels "
                       "WHERE status <> 'REJECTED'")
        batches = dict(rows("SELECT message_id, parcel_count FROM batches"))
        applied = {r[0] for r in rows("SELECT message_id FROM inbound_messages")}
        quarantined = rows("SELECT document, code, detail FROM quarantined_messages")
        figures.evidence_moves = int(conn.exec_driver_sql(
            "SELECT count(*) FROM parcel_events WHERE source IN "
            "('AUTH:DECISIONS', 'AUTH:ALREADY-REGISTERED')").scalar() or 0)
        figures.paid_after_release = int(conn.exec_driver_sql(
            "SELECT count(*) FROM parcel_events WHERE status = 'PAID'").scalar() or 0)
        last_source = dict(rows(
            "SELECT p.tracking_number, e.source FROM parcel_events e JOIN parcels p ON "
            "p.id = e.parcel_id WHERE e.id = (SELECT max(id) FROM parcel_events x "
            "WHERE x.parcel_id = p.id)"))
    figures.accepted = len(parcels)
    figures.batches = len(batches)
    with sim.lock:
        figures.registered_batches = len(sim.registered)
        figures.registered_parcels = sum(sim.registered.values())
        figures.resends = sim.resends
        outbox = list(dict.fromkeys(sim.outbox))
    figures.sent_twice = figures.registered_parcels - len(expected)
    if batches != sim.registered:
        figures.problems.append("the batches sent and those the authority registered differ")
    for number, status, _, _ in parcels:
        code = expected.get(number)
        if code is not None and status_of(code) == status:
            figures.decided += 1
            if code not in DECIDING:
                figures.set_aside += 1
                if last_source.get(number) != f"AUTH:{code}":
                    figures.problems.append(f"{number}: set aside without its raw code")
    figures.lost = figures.accepted - figures.decided
    figures.problems += [f"{number}: {status}, expected {expected.get(number)}"
                         for number, status, _, _ in parcels
                         if status_of(expected.get(number, "?")) != status][:10]
    kept = {bytes(q[0]) for q in quarantined}
    figures.quarantine_codes = sorted({f"{q[1]}: {q[2][:80]}" for q in quarantined})
    figures.messages = len(outbox)
    figures.quarantined = len(kept)
    for document in outbox:
        message_id = _message_id(document)
        if message_id in applied:
            figures.applied_messages += 1
        elif document not in kept:
            figures.unaccounted_messages += 1
    _check_feed(customs, {p[0]: p[1] for p in parcels}, figures)
    with customs.resources.engine.connect() as conn:
        events = {str(i) for i in conn.exec_driver_sql("SELECT id FROM parcel_events").scalars()}
    figures.webhook_missing = len(events - set(hooks))
    figures.webhook_repeats = sum(n - 1 for n in hooks.values())


def _check_feed(customs: Application, statuses: dict[str, str], figures: Figures) -> None:
    """The marketplace's feed: every change once, and it ends where each parcel is."""
    who = customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])
    seen: dict[str, list[str]] = {}
    ids: set[Any] = set()
    cursor = None
    for _ in range(10_000):
        page = customs.parcels.feed(who, cursor, 500).to_json()
        for event in page["items"]:
            if event["event_id"] in ids:
                figures.feed_repeats += 1
            ids.add(event["event_id"])
            seen.setdefault(event["tracking_number"], []).append(event["status"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    for number, status in statuses.items():
        history = seen.get(number, [])
        figures.feed_repeats += len(history) - len(set(history))
        if not history or history[-1] != status:
            figures.feed_behind += 1
