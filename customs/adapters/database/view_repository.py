"""Reads for officers, couriers and marketplaces: always inside the caller's scope.

A parcel outside the scope is simply not found (the API answers 404, as for a parcel that does
not exist). Search is keyset-paginated on (sort column, id); the feed is keyset-paginated on
(writer txid, event id), see customs.domain.feed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database import queue_reads
from customs.adapters.database.columns import iso
from customs.adapters.database.correction_repository import correction_reads
from customs.adapters.database.search_index import P, hs_condition, text_condition
from customs.adapters.database.tables import (
    Batch,
    Declaration,
    Message,
    ParcelEvent,
    Tenant,
)
from customs.adapters.database.view_records import (
    feed_change,
    parcel_record,
    with_iso,
)
from customs.domain.feed import FeedPosition
from customs.domain.stats import clearance_summary
from customs.services.ports import FeedItem, Principal, SearchFilters
from customs.services.read_models.dossier import (
    BatchBrief,
    DossierRecord,
    MessageBrief,
    StoredDeclaration,
)
from customs.services.read_models.feed import StatsCounts
from customs.services.read_models.parcel import (
    HistoryEvent,
    ParcelRecord,
)

E = ParcelEvent.__table__  # type: ignore[attr-defined]
T = Tenant.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]
B = Batch.__table__  # type: ignore[attr-defined]
M = Message.__table__  # type: ignore[attr-defined]
# The oldest transaction still running that could be ours: every in-progress xid of the
# snapshot except those positively running in another database of the cluster (snapshots are
# cluster-wide, so another database's long transaction must not stall this feed). Computed in
# its own statement, before the events are read with a snapshot at least as new: everything
# below it has finished and is visible. Unknown xids (2PC, just finished) count: never loses.
HORIZON = sa.text("""
WITH s AS MATERIALIZED (SELECT pg_current_snapshot() AS snap)
SELECT coalesce(
  (SELECT min(x::text::bigint) FROM s, pg_snapshot_xip(s.snap) AS x
    WHERE x::text::bigint % 4294967296 NOT IN (
      SELECT backend_xid::text::bigint FROM pg_stat_activity
       WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())),
  (SELECT pg_snapshot_xmax(snap)::text::bigint FROM s))""")
HEAVY = ("data", "violations", "search_text", "estimate")
SORTS = {"received_at": P.c.created_at,
         "value": P.c.declared_amount}


def scope_of(who: Principal, table: Any) -> Any:
    """The rows the caller may see, for parcels (P) or events (E): both carry the scope."""
    if who.role == "courier":
        return table.c.courier == who.courier
    if who.role == "officer":
        return table.c.customs_office.in_(who.offices)
    if who.role == "marketplace":
        return table.c.tenant_id == who.tenant_id
    return sa.false()  # an operator (or any other role) sees no parcel


def bound_scope(role: str, table: Any) -> Any:
    """scope_of with the caller's values as parameters (scope_values): one statement per role,
    built once, for the hot reads (look-up, feed). Building a statement and its cache key
    each time was half of a status look-up's time."""
    if role == "courier":
        return table.c.courier == sa.bindparam("scope_courier")
    if role == "officer":
        return table.c.customs_office.in_(sa.bindparam("scope_offices", expanding=True))
    if role == "marketplace":
        return table.c.tenant_id == sa.bindparam("scope_tenant")
    return sa.false()


def scope_values(who: Principal) -> dict[str, Any]:
    if who.role == "courier":
        return {"scope_courier": who.courier}
    if who.role == "officer":
        return {"scope_offices": list(who.offices)}
    return {"scope_tenant": who.tenant_id}


# Parcel columns no view of a parcel shows (search_text, the longest, is the goods' words):
# not read by a look-up. Every column a driver returns costs on each row: psycopg builds a
# description entry per column and execution, SQLAlchemy a processor.
UNSHOWN = ("search_text", "declared_amount", "released_at", "estimate_rule", "batch_id",
           "tenant_id")
PARCEL_SHOWN = [c for c in P.c if c.name not in UNSHOWN]


@cache
def _parcel_query(role: str, by_marketplace: bool, by_public_id: bool) -> Any:
    """The parcels in scope with a public id or tracking number (and a marketplace's name),
    newest first."""
    column = P.c.public_id if by_public_id else P.c.tracking_number
    query = (sa.select(*PARCEL_SHOWN, T.c.name.label("marketplace"))
             .join(T, T.c.id == P.c.tenant_id)
             .where(bound_scope(role, P), column == sa.bindparam("number")))
    if by_marketplace:
        query = query.where(T.c.name == sa.bindparam("marketplace"))
    return query.order_by(P.c.id.desc()).limit(sa.bindparam("limit"))


# A parcel's history as its views show it (HistoryEvent): 8 of 16 columns.
HISTORY = (sa.select(E.c.status, E.c.previous_status, E.c.at, E.c.actor, E.c.source,
                     E.c.reason, E.c.role, E.c.leg)
           .where(E.c.parcel_id == sa.bindparam("parcel_id")).order_by(E.c.id))


class SqlViewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def find_parcels(self, who: Principal, key: str, *, by_public_id: bool,
                     marketplace: str | None = None, limit: int = 10) -> list[ParcelRecord]:
        conn = self.session.connection()  # Core statements: no ORM execution layer
        params = scope_values(who) | {"number": key, "marketplace": marketplace,
                                      "limit": limit}
        rows = conn.execute(_parcel_query(who.role, marketplace is not None, by_public_id),
                            params).mappings().all()
        if len(rows) != 1:
            return [parcel_record(r) for r in rows]
        row = rows[0]
        events = conn.execute(HISTORY, {"parcel_id": row["id"]}).mappings().all()
        record = parcel_record(row, tuple(
            HistoryEvent(e["status"], e["previous_status"], iso(e["at"]), e["actor"],
                         e["source"], e["reason"], e["role"], e["leg"]) for e in events))
        versions, request = correction_reads(conn, row, {e["source"] for e in events})
        if versions or request:
            record = replace(record, versions=versions, correction_request=request)
        return [record]

    def search(self, who: Principal, f: SearchFilters, limit: int) -> list[ParcelRecord]:
        desc = f.sort.startswith("-")
        column = SORTS[f.sort.lstrip("-")]
        # Built once (the HS condition counts its matches): every office's range shares it.
        where = [scope_of(who, P), *self._conditions(f)]
        if column is P.c.declared_amount:
            where.append(column.is_not(None))
        if f.after is not None:
            key = sa.tuple_(column, P.c.id)
            bound = sa.tuple_(sa.literal(f.after[0]), sa.literal(f.after[1]))
            where.append(key < bound if desc else key > bound)
        # A page shows summaries: the parcel document only for couriers (where to deliver).
        columns = [c for c in P.c if c.name not in HEAVY or (who.role == "courier"
                                                            and c.name == "data")]
        offices = [f.office] if f.office else list(who.offices)
        if who.role != "officer" or len(offices) == 1:
            query = _page(columns, where, column, desc, limit)
            return [parcel_record(r) for r in self.session.execute(query).mappings()]
        # Several offices: one index range per office, each sorted and cut at
        # `limit`, merged (a sort of at most offices x limit rows). A single query over
        # "office IN (...)" would read and sort every parcel of the jurisdiction.
        arms = [sa.select(_page(columns, [*where, P.c.customs_office == office], column, desc,
                                limit).subquery()) for office in offices]
        merged = sa.union_all(*arms).subquery()
        key = merged.c[column.name]
        order = (key.desc(), merged.c.id.desc()) if desc else (key.asc(), merged.c.id.asc())
        rows = self.session.execute(sa.select(merged).order_by(*order).limit(limit)).mappings()
        return [parcel_record(r) for r in rows]

    def _conditions(self, f: SearchFilters) -> list[Any]:
        c: list[Any] = []
        if f.statuses:
            c.append(P.c.status.in_(f.statuses))
        if f.office:
            c.append(P.c.customs_office == f.office)
        if f.received_from:
            c.append(P.c.created_at >= f.received_from)
        if f.received_to:
            c.append(P.c.created_at < f.received_to)
        if f.marketplace:
            c.append(T.c.name == f.marketplace)
        if f.hs_prefix:
            c.append(hs_condition(self.session, f.hs_prefix))
        if f.value_min is not None:
            c.append(P.c.declared_amount >= f.value_min)
        if f.value_max is not None:
            c.append(P.c.declared_amount <= f.value_max)
        if f.currency:
            c.append(P.c.currency == f.currency)
        if f.words:
            c.append(text_condition(self.dialect, list(f.words)))
        if f.tracking_number:
            c.append(P.c.tracking_number == f.tracking_number)
        if f.waybill:
            c.append(sa.or_(P.c.house_waybill == f.waybill, P.c.master_waybill == f.waybill))
        return c

    def latest_events(self, parcel_ids: Sequence[int]) -> dict[int, HistoryEvent]:
        return queue_reads.latest_events(self.session, parcel_ids)

    def status_counts(self, who: Principal, statuses: Collection[str]) -> dict[str, int]:
        return queue_reads.status_counts(self.session, scope_of(who, P), statuses)

    def message_document(self, parcel_id: int, message_id: int) -> bytes | None:
        return queue_reads.message_document(self.session, parcel_id, message_id)

    def dossier(self, parcel_id: int) -> DossierRecord:
        declaration = self.session.execute(
            sa.select(D).where(D.c.parcel_id == parcel_id, D.c.replaced_at.is_(None))
            .order_by(D.c.created_at.desc())
            .limit(1)).mappings().first()
        batch_id = self.session.execute(
            sa.select(P.c.batch_id).where(P.c.id == parcel_id)).scalar()
        batch = messages = None
        if batch_id is not None:
            batch = self.session.execute(sa.select(
                B.c.id, B.c.message_id, B.c.status, B.c.profile, B.c.parcel_count, B.c.sealed_at,
                B.c.submitted_at, B.c.attempts, B.c.last_error, B.c.document_sha256)
                .where(B.c.id == batch_id)).mappings().first()
            messages = self.session.execute(
                sa.select(M.c.id, M.c.direction, M.c.kind, M.c.message_id, M.c.http_status,
                          M.c.error, M.c.at, sa.func.length(M.c.document).label("size"))
                .where(M.c.batch_id == batch_id).order_by(M.c.id)).mappings().all()
        stored = None
        if declaration is not None:
            stored = StoredDeclaration(
                declaration["id"], declaration["profile"], declaration["document_sha256"],
                declaration["signer_fingerprint"], declaration["signature_algorithm"],
                iso(declaration["created_at"]), bytes(declaration["document"]))
        return DossierRecord(stored, None if batch is None else BatchBrief(**with_iso(batch)),
                             tuple(MessageBrief(**with_iso(m)) for m in messages or []))

    def stats(self, who: Principal, start: datetime, end: datetime) -> StatsCounts:
        period = (scope_of(who, P), P.c.created_at >= start, P.c.created_at < end)
        counts = self.session.execute(
            sa.select(P.c.customs_office, P.c.status, sa.func.count())
            .where(*period).group_by(P.c.customs_office, P.c.status)).all()
        released = (scope_of(who, P), P.c.released_at >= start, P.c.released_at < end)
        if self.dialect == "postgresql":
            seconds = sa.func.extract("epoch", P.c.released_at - P.c.created_at)
            row = self.session.execute(sa.select(
                sa.func.count(),
                *[sa.func.percentile_cont(q).within_group(seconds) for q in (0.5, 0.9, 0.99)])
                .where(*released)).one()
            clearance = {"count": int(row[0]), "p50": row[1], "p90": row[2], "p99": row[3]}
        else:
            seconds = (sa.func.julianday(P.c.released_at) - sa.func.julianday(P.c.created_at)
                       ) * 86400.0
            clearance = clearance_summary(
                self.session.execute(sa.select(seconds).where(*released)).scalars().all())
        return StatsCounts([(office, status, int(n)) for office, status, n in counts],
                           clearance)

    def feed(self, who: Principal, after: FeedPosition, limit: int) -> list[FeedItem]:
        conn = self.session.connection()
        params = scope_values(who) | {"txid": after.txid, "event_id": after.event_id,
                                      "limit": limit, "horizon": None}
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            # Serve only below the oldest transaction that may still commit events (domain.feed)
            params["horizon"] = conn.execute(HORIZON).scalar_one()
        rows = conn.execute(_feed_query(who.role, postgres), params).mappings().all()
        return [FeedItem(FeedPosition(int(r["txid"]), int(r["id"])), feed_change(r))
                for r in rows]


def _page(columns: list[Any], where: list[Any], column: Any, desc: bool, limit: int) -> Any:
    """Summaries with the marketplace's name, in keyset order, one page."""
    order = (column.desc(), P.c.id.desc()) if desc else (column.asc(), P.c.id.asc())
    return (sa.select(*columns, T.c.name.label("marketplace")).join(T, T.c.id == P.c.tenant_id)
            .where(*where).order_by(*order).limit(limit))


ONE_VALUED = {"marketplace": ("tenant_id", "scope_tenant"), "courier": ("courier", "scope_courier")}


@cache
def _feed_query(role: str, postgres: bool) -> Any:
    """A feed page in scope after a position, in (txid, id) order, written for each engine's
    planner so that a page is one short index range wherever the position is:

    - SQLite bounds an index range by the first column of a row-value comparison only, so
      `(txid, id) > (a, b)` read every event of the scope before the position (0.5 s a page at
      the head of a one-million-parcel feed). Instead: the rest of the position's transaction
      (`txid = a AND id > b`) and the later transactions, each a range cut at `limit`, merged.
    - PostgreSQL, for one-valued scopes (a tenant, a courier): the position and the horizon as
      row comparisons led by the scope column, ordered by it too, so that the scope's feed index
      is read from the position on. With `tenant_id = v` the planner preferred the (txid, id)
      index and filtered it (18,000 rows skipped for a page of 100 on the seeded database).
    """
    txid = sa.bindparam("txid", type_=sa.BigInteger)
    event_id = sa.bindparam("event_id", type_=sa.BigInteger)
    limit = sa.bindparam("limit", type_=sa.Integer)
    if not postgres:
        scope = bound_scope(role, E)
        same = feed_select().where(scope, E.c.txid == txid, E.c.id > event_id)
        later = feed_select().where(scope, E.c.txid > txid)
        merged = sa.union_all(
            sa.select(same.order_by(E.c.id).limit(limit).subquery()),
            sa.select(later.order_by(E.c.txid, E.c.id).limit(limit).subquery())).subquery()
        return sa.select(merged).order_by(merged.c.txid, merged.c.id).limit(limit)
    horizon = sa.bindparam("horizon", type_=sa.BigInteger)
    if role in ONE_VALUED:
        name, param = ONE_VALUED[role]
        column, value = E.c[name], sa.bindparam(param)
        # (v, txid, id) > (v, a, b) and (v, txid) < (v, horizon): the scope is v, in between.
        query = feed_select().where(
            sa.tuple_(column, E.c.txid, E.c.id) > sa.tuple_(value, txid, event_id),
            sa.tuple_(column, E.c.txid) < sa.tuple_(value, horizon))
        return query.order_by(column, E.c.txid, E.c.id).limit(limit)
    query = feed_select().where(bound_scope(role, E),
                                sa.tuple_(E.c.txid, E.c.id) > sa.tuple_(txid, event_id),
                                E.c.txid < horizon)
    return query.order_by(E.c.txid, E.c.id).limit(limit)


def feed_select() -> Any:
    """Events with what a feed item shows of their parcel (feed pages, webhook payloads)."""
    return (sa.select(E, P.c.public_id, P.c.tracking_number, P.c.house_waybill, P.c.estimate_status,
                      P.c.estimate_amount, P.c.estimate_currency, T.c.name.label("marketplace"))
            .join(P, P.c.id == E.c.parcel_id).join(T, T.c.id == E.c.tenant_id))
