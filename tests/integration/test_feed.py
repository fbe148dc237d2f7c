"""The feed loses nothing and repeats nothing, also when transactions commit late.

On PostgreSQL an event's id comes from a sequence when it is inserted, not when it commits: a
reader that follows ids would pass over a transaction that commits after a later one, for good.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from customs.domain.errors import Gone, Invalid
from customs.services.intake import SubmitManifest
from tests.manifests import manifest, parcel


@pytest.fixture
def shop(customs):  # type: ignore[no-untyped-def]
    token = customs.access.create_api_key("acme", "marketplace")[1]
    return customs, customs.access.authenticate(token)


def _submit(customs, who, numbers, key):  # type: ignore[no-untyped-def]
    body = manifest(*[parcel(n) for n in numbers], ref=key)
    customs.intake.submit_manifest(SubmitManifest(who.tenant_id, key, body,
                                                  f"marketplace:{who.tenant}"))


def _drain(customs, who, cursor=None, limit=3):  # type: ignore[no-untyped-def]
    seen = []
    for _ in range(100):
        page = customs.parcels.feed(who, cursor, limit).to_json()
        seen += [i["event_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen, cursor
    raise AssertionError("feed did not end")


def test_pages_resume_without_loss_or_repeat(shop):
    customs, who = shop
    _submit(customs, who, [f"CDEK-{n:05d}" for n in range(7)], "m1")
    first, cursor = _drain(customs, who)
    assert len(first) == 14 and len(set(first)) == 14  # RECEIVED + VALIDATED each
    _submit(customs, who, ["CDEK-10001"], "m2")
    more, _ = _drain(customs, who, cursor)
    assert len(more) == 2 and not set(more) & set(first)


def test_a_transaction_that_commits_late_is_not_skipped(shop, database_url):
    """Writer A inserts first but commits last; the feed shows B only after A, never skips A."""
    customs, who = shop
    _submit(customs, who, ["CDEK-00001", "CDEK-00002"], "m1")
    _, cursor = _drain(customs, who)
    with customs.resources.engine.connect() as conn:
        ids = dict(conn.exec_driver_sql("SELECT tracking_number, id FROM parcels").all())
    late = customs.resources.engine.connect()
    late_tx = late.begin()
    _event(late, ids["CDEK-00001"], "late writer")  # inserted first: the smaller event id
    if customs.resources.engine.dialect.name == "sqlite":
        # SQLite serialises writers (BEGIN IMMEDIATE): B waits until A commits.
        writer = threading.Thread(target=_commit_event, args=(customs, ids["CDEK-00002"]))
        writer.start()
        late_tx.commit()
        writer.join()
    else:
        _commit_event(customs, ids["CDEK-00002"])  # B commits while A is still open
        early, _ = _drain(customs, who, cursor)
        assert early == []  # nothing served past A's transaction while it may still commit
        late_tx.commit()
    late.close()
    seen, _ = _drain(customs, who, cursor)
    reasons = _reasons(customs, seen)
    assert sorted(reasons) == ["early writer", "late writer"] and len(seen) == 2


def test_bad_and_expired_cursors_are_refused(shop, clock):
    customs, who = shop
    _submit(customs, who, ["CDEK-00001"], "m1")
    page = customs.parcels.feed(who, None, 1).to_json()
    with pytest.raises(Invalid):
        customs.parcels.feed(who, "not-a-cursor", 10).to_json()
    other = customs.access.authenticate(customs.access.create_api_key("globex", "marketplace")[1])
    with pytest.raises(Invalid):  # a cursor is bound to the caller's scope
        customs.parcels.feed(other, page["next_cursor"], 10).to_json()
    clock.current += timedelta(days=31)
    with pytest.raises(Gone):
        customs.parcels.feed(who, page["next_cursor"], 10).to_json()


def _event(conn, parcel_id: int, reason: str) -> None:  # type: ignore[no-untyped-def]
    tenant = conn.exec_driver_sql(f"SELECT tenant_id FROM parcels WHERE id = {parcel_id}").scalar()
    conn.execute(sa.text(
        "INSERT INTO parcel_events (parcel_id, status, previous_status, at, actor, source, "
        "reason, tenant_id, courier, customs_office, role) VALUES (:p, 'HELD', 'VALIDATED', "
        "CURRENT_TIMESTAMP, 'officer:test', 'TEST', :r, :t, 'CDEK', '10005020', 'officer')"),
        {"p": parcel_id, "r": reason, "t": tenant})


def _commit_event(customs, parcel_id: int) -> None:  # type: ignore[no-untyped-def]
    with customs.resources.engine.begin() as conn:
        _event(conn, parcel_id, "early writer")


def _reasons(customs, ids):  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return [r for (r,) in conn.execute(sa.text(
            "SELECT reason FROM parcel_events WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)), {"ids": list(ids)})]
