"""`customs bench seed`: a large database of realistic parcels, fast.

Tenants (marketplaces), manifests of 1,000 parcels, parcels spread over couriers, destination
countries and customs offices, in every lifecycle status with the events that led there.
Parcel data are the generator's realistic parcels (adapters.documents.samples), each with its own
S10 tracking number. Batches and declarations are not seeded (status lookups, feeds and searches
do not read them).

Rows are built from the SQLModel tables' metadata: only the columns named here are written, so a
new nullable column needs nothing; a new NOT NULL column without a default stops the seeder with
its name. PostgreSQL: COPY; SQLite: executemany; one transaction per chunk.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from customs.adapters.database.engine import make_engine
from customs.adapters.database.migrate import upgrade
from customs.adapters.database.tables import Manifest, ParcelEvent, ParcelGoods, ParcelRow, Tenant
from customs.domain.public_ids import RANDOM_BYTES, parcel_id
from customs.domain.tracking import s10_check_digit

CHUNK = 50_000
PER_MANIFEST = 1_000
OFFICES = {"RU": ("10005020", "10005030", "10216100"), "DE": ("DE004851",),
           "FR": ("FR000730",), "CN": ("2244",), "US": ("4701",)}
DESTINATIONS = ("RU", "RU", "RU", "DE", "FR")
# status: share of parcels and the path of statuses that led there
PATHS: dict[str, tuple[float, tuple[str, ...]]] = {
    "VALIDATED": (0.03, ("RECEIVED", "VALIDATED")),
    "REJECTED": (0.03, ("RECEIVED", "REJECTED")),
    "DECLARED": (0.06, ("RECEIVED", "VALIDATED", "DECLARED")),
    "BATCHED": (0.03, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED")),
    "SUBMITTED": (0.05, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED", "SUBMITTED")),
    "ACKNOWLEDGED": (0.10, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED", "SUBMITTED",
                            "ACKNOWLEDGED")),
    "HELD": (0.03, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED", "SUBMITTED",
                    "ACKNOWLEDGED", "HELD")),
    "DUTY_DUE": (0.04, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED", "SUBMITTED",
                        "ACKNOWLEDGED", "DUTY_DUE")),
    "PAID": (0.02, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED", "SUBMITTED",
                    "ACKNOWLEDGED", "DUTY_DUE", "PAID")),
    "RELEASED": (0.58, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED", "SUBMITTED",
                        "ACKNOWLEDGED", "RELEASED")),
    "REFUSED": (0.02, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED", "SUBMITTED",
                       "ACKNOWLEDGED", "REFUSED")),
    "TRANSMISSION_FAILED": (0.01, ("RECEIVED", "VALIDATED", "DECLARED", "BATCHED",
                                   "TRANSMISSION_FAILED")),
}


def _templates(seed: int) -> list[dict[str, Any]]:
    """Realistic parcel documents from the sample generator, read by our own reader."""
    from customs.adapters.documents.manifest_reader import XmlManifestReader
    from customs.adapters.documents.samples import generate_manifest

    stream = XmlManifestReader().open(generate_manifest(300, seed).xml)
    return [o.parcel.to_document() for o in stream.parcels() if o.parcel is not None]


def tracking_number(serial: int) -> str:
    digits = f"{serial % 100_000_000:08d}"
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    prefix = letters[(serial // 100_000_000) % 26] + "R"
    return f"{prefix}{digits}{s10_check_digit(digits)}CN"


def _check_columns(table: sa.Table, names: list[str]) -> None:
    for column in table.columns:
        if column.name in names or column.nullable or column.default is not None or \
                column.server_default is not None or column.autoincrement is True or \
                (column.primary_key and isinstance(column.type, sa.Integer)):
            continue
        raise SystemExit(f"seed: {table.name}.{column.name} is NOT NULL without a default: "
                         "teach bench/seed.py a value for it")


class _Writer:
    """COPY (PostgreSQL) or executemany (SQLite) of tuples in a table's named columns."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"

    def value(self, v: Any) -> Any:
        if self.sqlite and isinstance(v, datetime):
            return v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return v

    def write(self, raw: Any, table: sa.Table, names: list[str], rows: list[tuple]) -> None:
        _check_columns(table, names)
        cursor = raw.cursor()
        if self.sqlite:
            cursor.executemany(
                f"INSERT INTO {table.name} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' * len(names))})",
                [tuple(self.value(v) for v in row) for row in rows])
        else:
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        cursor.close()


def seed_database(url: str, parcels: int, *, tenants: int = 3, seed: int = 1,
                  say: Callable[[str], None] = print) -> dict[str, Any]:
    say("migrating (customs db upgrade)")
    upgrade(url)
    engine = make_engine(url)
    writer = _Writer(engine)
    rng = random.Random(seed)
    templates = [(doc, json.dumps(doc, ensure_ascii=False)) for doc in _templates(seed)]
    now = datetime.now(UTC).replace(microsecond=0)
    tenant_ids = _tenants(engine, tenants, now)
    with engine.connect() as conn:
        first_parcel = int(conn.execute(sa.select(sa.func.max(ParcelRow.id))).scalar() or 0) + 1
        first_event = int(conn.execute(sa.select(sa.func.max(ParcelEvent.id))).scalar() or 0) + 1
    statuses = list(PATHS)
    weights = [PATHS[s][0] for s in statuses]
    started = time.perf_counter()
    counts = {"parcels": 0, "events": 0, "manifests": 0}
    ids = {"parcel": first_parcel, "event": first_event}
    for start in range(0, parcels, CHUNK):
        size = min(CHUNK, parcels - start)
        batch = _chunk(start, size, rng, templates, tenant_ids, statuses, weights, now, ids)
        raw = engine.raw_connection()
        try:
            if writer.sqlite:
                raw.cursor().execute("BEGIN")
            writer.write(raw, Manifest.__table__, *batch["manifests"])  # type: ignore[attr-defined]
            writer.write(raw, ParcelRow.__table__, *batch["parcels"])  # type: ignore[attr-defined]
            writer.write(raw, ParcelEvent.__table__, *batch["events"])  # type: ignore[attr-defined]
            writer.write(raw, ParcelGoods.__table__, *batch["goods"])  # type: ignore[attr-defined]
            if writer.sqlite:  # the full-text index (PostgreSQL's is an expression index)
                raw.cursor().executemany(
                    "INSERT INTO parcel_text(rowid, words) VALUES (?, ?)",
                    [(row[0], row[-1]) for row in batch["parcels"][1]])
                raw.cursor().execute("COMMIT")
            else:
                raw.commit()
        finally:
            raw.close()
        for key in counts:
            counts[key] += len(batch[key][1])
        say(f"{start + size:,} parcels, {counts['events']:,} events "
            f"({time.perf_counter() - started:.0f} s)")
    _finish(engine)
    engine.dispose()
    seconds = time.perf_counter() - started
    return counts | {"tenants": len(tenant_ids), "seconds": round(seconds, 1),
                     "parcels_per_second": round(counts["parcels"] / seconds, 1),
                     "database": engine.dialect.name}


def _tenants(engine: sa.Engine, count: int, now: datetime) -> list[int]:
    table = Tenant.__table__  # type: ignore[attr-defined]
    found = []
    with engine.begin() as conn:
        for n in range(1, count + 1):
            name = f"seed-marketplace-{n}"
            tenant_id = conn.execute(sa.select(table.c.id).where(table.c.name == name)).scalar()
            if tenant_id is None:
                tenant_id = conn.execute(sa.insert(table).values(name=name, created_at=now)
                                         ).inserted_primary_key[0]
            found.append(int(tenant_id))
    return found


def _chunk(start: int, size: int, rng: random.Random, templates: list, tenant_ids: list[int],
           statuses: list[str], weights: list[float], now: datetime,
           ids: dict[str, int]) -> dict[str, tuple[list[str], list[tuple]]]:
    manifests, parcels, events, goods = [], [], [], []
    for m_start in range(start, start + size, PER_MANIFEST):
        m_size = min(PER_MANIFEST, start + size - m_start)
        manifest_id = str(uuid.uuid4())  # new on every run: seeding again appends
        tenant = rng.choice(tenant_ids)
        country = rng.choice(DESTINATIONS)
        office = rng.choice(OFFICES[country])
        received = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
        manifests.append((manifest_id, tenant, f"SEED-{m_start // PER_MANIFEST}", received,
                          received, country, office,
                          hashlib.sha256(manifest_id.encode()).hexdigest(), m_size * 1500,
                          m_size, m_size, 0))
        chosen = rng.choices(statuses, weights, k=m_size)
        for position, status in enumerate(chosen, start=1):
            pid = ids["parcel"]
            ids["parcel"] += 1
            doc, text = templates[rng.randrange(len(templates))]
            number = tracking_number(pid)
            updated = received + timedelta(minutes=10 * len(PATHS[status][1]))
            parcels.append((
                pid, parcel_id(rng.randbytes(RANDOM_BYTES)), manifest_id, tenant, position,
                number, doc.get("courier"), country, office,
                status, doc["declared_value"]["amount"], doc["declared_value"]["currency"],
                doc["gross_weight"], text.replace(doc["tracking_number"], number),
                json.dumps([{"code": "HS_CODE_FORMAT", "message": "seeded rejection"}])
                if status == "REJECTED" else None, received, updated,
                doc["declared_value"]["amount"], doc.get("house_waybill"),
                " ".join(i["description"] for i in doc["items"]).lower()))
            goods += [(pid, code) for code in sorted({i["hs_code"] for i in doc["items"]})]
            previous = None
            for step, state in enumerate(PATHS[status][1]):
                events.append((ids["event"], pid, state, previous,
                               received + timedelta(minutes=10 * step), "system:seed", "SEED",
                               None, tenant, doc.get("courier"), office, "system"))
                ids["event"] += 1
                previous = state
    return {
        "manifests": (["id", "tenant_id", "ref", "issued_at", "received_at",
                       "destination_country", "customs_office", "document_sha256",
                       "document_size", "parcel_count", "accepted_count", "rejected_count"],
                      manifests),
        "parcels": (["id", "public_id", "manifest_id", "tenant_id", "position",
                     "tracking_number", "courier",
                     "destination_country", "customs_office", "status", "declared_value",
                     "currency", "gross_weight", "data", "violations", "created_at",
                     "updated_at", "declared_amount", "house_waybill", "search_text"], parcels),
        "goods": (["parcel_id", "hs_code"], goods),
        "events": (["id", "parcel_id", "status", "previous_status", "at", "actor", "source",
                    "reason", "tenant_id", "courier", "customs_office", "role"], events),
    }


def _finish(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("parcels", "parcel_events", "tenants"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def sample_tracking_numbers(url: str, count: int, seed: int = 2) -> Iterator[tuple[str, str]]:
    """(tenant name, tracking number) of `count` random seeded parcels."""
    engine = make_engine(url)
    with engine.connect() as conn:
        top = int(conn.execute(sa.select(sa.func.max(ParcelRow.id))).scalar() or 0)
        rng = random.Random(seed)
        picks = sorted({rng.randrange(1, top + 1) for _ in range(count)})
        rows = conn.execute(
            sa.select(Tenant.name, ParcelRow.tracking_number)
            .join(Tenant, Tenant.id == ParcelRow.tenant_id)
            .where(ParcelRow.id.in_(picks))).all()  # type: ignore[union-attr]
    engine.dispose()
    yield from ((name, number) for name, number in rows)
