"""What officer search reads: waybills, the amount, goods words (full text) and HS codes.

Full text is an FTS5 table on SQLite (rowid = parcel id) and a GIN expression index over
`to_tsvector('simple', search_text)` on PostgreSQL (migration 0005). HS codes are rows of
parcel_goods, so a chapter or code prefix is a range on a B-tree index on both engines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from customs.adapters.database import bulk
from customs.adapters.database.tables import ParcelGoods, ParcelRow
from customs.domain.model import ManifestHeader, Parcel, ParcelOutcome

DENSE = 20_000  # goods rows: beyond this a prefix is probed in page order, not collected
P = ParcelRow.__table__  # type: ignore[attr-defined]
G = ParcelGoods.__table__  # type: ignore[attr-defined]


def search_columns(parcel: Parcel | None, header: ManifestHeader) -> dict[str, Any]:
    transport = header.transport
    if parcel is None:
        return {"house_waybill": None, "declared_amount": None, "search_text": None,
                "master_waybill": transport and transport.master_waybill}
    return {
        "house_waybill": parcel.house_waybill,
        "master_waybill": transport and transport.master_waybill,
        "declared_amount": parcel.declared_value.amount,
        "search_text": " ".join(item.description for item in parcel.items).lower(),
    }


# The SQLite FTS5 table (migration 0005), described for staging its rows (rowid = parcel id).
_TEXT = sa.Table("parcel_text", sa.MetaData(), sa.Column("rowid", sa.Integer),
                 sa.Column("words", sa.Text))


def stage_search_rows(dialect: Dialect, outcomes: Sequence[ParcelOutcome]) -> list[bulk.Staged]:
    """Goods (HS codes) and, on SQLite, full-text rows of a chunk of parcels, keyed by their
    index in the chunk (ids are given when they are written)."""
    goods = [{"parcel_id": n, "hs_code": code} for n, o in enumerate(outcomes)
             if o.parcel is not None for code in sorted({it.hs_code for it in o.parcel.items})]
    staged = bulk.stage(dialect, G, goods, key="parcel_id")
    if dialect.name == "sqlite":
        staged += bulk.stage(dialect, _TEXT, [
            {"rowid": n, "words": " ".join(it.description for it in o.parcel.items)}
            for n, o in enumerate(outcomes) if o.parcel is not None], key="rowid")
    return staged


def text_condition(dialect: str, words: list[str]) -> Any:
    """Parcels whose goods descriptions contain every word (whole words, case-insensitive)."""
    if dialect == "postgresql":
        return sa.func.to_tsvector("simple", sa.func.coalesce(P.c.search_text, "")).op("@@")(
            sa.func.to_tsquery("simple", " & ".join(words)))
    match = " AND ".join('"' + w.replace('"', '') + '"' for w in words)
    return P.c.id.in_(sa.text("SELECT rowid FROM parcel_text WHERE parcel_text MATCH :m")
                      .bindparams(m=match))


def hs_condition(session: Session, prefix: str) -> Any:
    """Parcels with a goods item whose HS code starts with `prefix` (digits only).

    Codes are 6-10 digits: every code with the prefix lies between the prefix and the prefix
    padded with nines, in any collation (digit strings compare digit by digit everywhere; an
    upper bound such as "39" -> "3:" holds only in byte order, not under ICU or glibc).
    Few matches (counted on the index, at most DENSE): collect them, then sort that handful.
    Many: probe each candidate through the (parcel_id, hs_code) key while the parcels are read
    in the page's order, instead of collecting and sorting a third of the table."""
    upper = prefix + "9" * (10 - len(prefix))
    in_range = (G.c.hs_code >= prefix, G.c.hs_code <= upper)
    matches = session.execute(sa.select(sa.func.count()).select_from(
        sa.select(G.c.parcel_id).where(*in_range).limit(DENSE + 1).subquery())).scalar_one()
    if matches > DENSE:
        return sa.exists().where(G.c.parcel_id == P.c.id, *in_range)
    ids = sa.select(G.c.parcel_id).where(*in_range)
    if session.get_bind().dialect.name == "postgresql":
        # = ANY(ARRAY(...)): the ids are computed once and fetched through the primary key
        # (an IN sub-select becomes a filter on the office's rows read in page order).
        return P.c.id == sa.func.any(sa.func.array(ids.scalar_subquery()))
    return P.c.id.in_(ids)
