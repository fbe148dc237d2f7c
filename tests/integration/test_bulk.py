"""Bulk inserts (driver executemany on SQLite, COPY on PostgreSQL) store exactly what a Core
INSERT of the same row stores: dates, decimals, JSON and NULLs compare equal as stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database import bulk
from customs.adapters.database.tables import ParcelEvent, ParcelRow
from customs.adapters.database.unit_of_work import SqlUnitOfWork
from customs.services.intake import SubmitManifest
from tests.manifests import manifest, parcel

P = ParcelRow.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]


def insert_with_ids(session: Session, table: sa.Table, rows: list[dict]) -> list[int]:  # type: ignore[type-arg]
    """As intake writes parcels: ids allocated under the lock, rows staged keyed by index."""
    ids = bulk.allocate_ids(session, table, len(rows))
    bulk.write(session, bulk.stage(session.get_bind().dialect, table,
                                   [{**r, "id": n} for n, r in enumerate(rows)], key="id"), ids)
    return ids


def stored(session: Session, table: sa.Table, row_id: int) -> dict:  # type: ignore[type-arg]
    """The row as the database holds it (no SQLAlchemy result processing)."""
    found = session.connection().exec_driver_sql(
        f"SELECT * FROM {table.name} WHERE id = {int(row_id)}")
    return dict(zip(found.keys(), found.one(), strict=True))


@pytest.fixture
def a_parcel_row(customs):  # type: ignore[no-untyped-def]
    tenant = customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])
    customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", manifest(parcel()), "t"))
    with Session(customs.resources.engine) as session:
        row = dict(session.execute(sa.select(P)).mappings().one())
    return row


def test_bulk_rows_are_stored_like_core_rows(customs, a_parcel_row):  # type: ignore[no-untyped-def]
    many = [{**a_parcel_row, "position": 100 + n, "tracking_number": f"BULK-{n}",
             "public_id": f"pcl_bulk{n:012d}",
             "created_at": datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC),  # no microseconds
             "declared_value": "12.50", "house_waybill": None} for n in range(60)]
    for row in many:
        row.pop("id")
    core = {**many[0], "position": 99, "tracking_number": "CORE", "public_id": "pcl_core"}
    event = {"status": "HELD", "previous_status": "DECLARED", "actor": "officer:x",
             "source": "OFFICER:moscow", "reason": "x-ray", "tenant_id": 1, "courier": "CDEK",
             "customs_office": "10005020", "role": "officer", "duty_amount": "15.00",
             "duty_currency": "EUR",
             "at": datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)}
    with Session(customs.resources.engine) as session:
        ids = insert_with_ids(session, P, many)
        core_id = session.execute(sa.insert(P).returning(P.c.id), [core]).scalar_one()
        assert len(ids) == 60 and ids == sorted(ids) and len(set(ids)) == 60
        assert core_id > ids[-1]  # the numbering continues where bulk left it
        bulk.insert_rows(session, E, [{**event, "parcel_id": ids[0]}] * 60)
        session.execute(sa.insert(E), [{**event, "parcel_id": core_id}])
        session.commit()
        ours, theirs = stored(session, P, ids[0]), stored(session, P, core_id)
        for key in ("id", "position", "tracking_number", "public_id"):
            ours.pop(key), theirs.pop(key)
        assert ours == theirs
        assert isinstance(ours["data"], str | dict) and ours["created_at"] is not None
        event_ids = session.execute(sa.select(E.c.id).where(
            E.c.parcel_id.in_([ids[0], core_id])).order_by(E.c.id)).scalars().all()
        ours, theirs = stored(session, E, event_ids[0]), stored(session, E, event_ids[-1])
        for key in ("id", "parcel_id", "txid"):
            ours.pop(key), theirs.pop(key)
        assert ours == theirs


def test_a_bulk_insert_that_breaks_a_constraint_raises_integrity_error(customs, a_parcel_row):  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import IntegrityError

    row = {k: v for k, v in a_parcel_row.items() if k not in ("id", "public_id")}  # same
    row["public_id"] = "pcl_other"  # manifest and position
    with Session(customs.resources.engine) as session, pytest.raises(IntegrityError):
        insert_with_ids(session, P, [row])


def test_a_column_with_a_python_default_must_be_given() -> None:
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("n", sa.Integer, default=3))
    engine = sa.create_engine("sqlite://")
    table.create(engine)
    with Session(engine) as session, pytest.raises(ValueError, match="Python-side default"):
        bulk.insert_rows(session, table, [{"id": 1}])


def test_staging_a_manifest_takes_no_lock(customs):  # type: ignore[no-untyped-def]
    """Intake prepares its rows before its first statement: on SQLite the write lock is taken
    at BEGIN IMMEDIATE, so no transaction may have begun while the rows are staged."""
    from customs.adapters.documents.manifest_reader import XmlManifestReader
    from customs.services.ports import NewManifest

    stream = XmlManifestReader().open(manifest(parcel(), parcel("RR123456799CN")))
    outcomes = list(stream.parcels())
    new = NewManifest("m-1", 1, stream.header, datetime(2026, 11, 23, tzinfo=UTC), b"", "0", 2, 0)
    uow = SqlUnitOfWork(customs.resources.engine)
    with uow:
        staged = uow.parcels.stage(new, outcomes, "t")
        assert not uow.session.in_transaction()
        [(count, blocks)] = list(staged.chunks)
    assert count == 2
    assert {b.table for b in blocks} >= {"parcels", "parcel_events", "parcel_goods"}
