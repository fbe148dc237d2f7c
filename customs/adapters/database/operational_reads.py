"""The OperationalReads port in SQL: health, readiness, /metrics' batch figures, the message log.

Read on the read engine where there is one: a scrape or a probe never holds a writer's
connection.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from customs.adapters.database import batch_queries, migrate
from customs.services.operations_ports import BatchSummary, ExchangedMessage


class SqlOperationalReads:
    def __init__(self, engine: Engine, read_engine: Engine | None = None) -> None:
        self.engine, self.read_engine = engine, read_engine or engine

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception:  # any failure means "not reachable", which is the answer
            return False
        return True

    def schema_revision(self) -> str | None:
        return migrate.revision(self.engine)

    def schema_head(self) -> str | None:
        return migrate.head()

    def batches(self) -> dict[str, tuple[int, int]]:
        with self.read_engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT status, count(*), coalesce(sum(attempts), 0) FROM batches "
                "GROUP BY status").all()
        return {status: (int(n), int(tries)) for status, n, tries in rows}

    def unbatched(self) -> tuple[int, datetime | None]:
        # DECLARED parcels are in no batch (sealing moves them to BATCHED). count(*) keeps
        # the plan an index-only scan of the DECLARED entries; the first in line (lowest
        # id, as the sealer takes them) is then read by its key: no heap read per parcel.
        with self.read_engine.connect() as conn:
            count, oldest = conn.exec_driver_sql(
                "SELECT waiting.n, (SELECT updated_at FROM parcels WHERE id = waiting.first) "
                "FROM (SELECT count(*) AS n, min(id) AS first FROM parcels "
                "WHERE status = 'DECLARED') AS waiting").one()
        if isinstance(oldest, str):  # SQLite keeps the UTC text
            oldest = datetime.fromisoformat(oldest)
        return int(count), oldest

    def list_batches(self, statuses: tuple[str, ...], limit: int) -> list[BatchSummary]:
        return batch_queries.list_batches(self.engine, statuses, limit)

    def exchanged_messages(self) -> list[ExchangedMessage]:
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT id, direction, kind, coalesce(message_id, ''), document FROM messages "
                "WHERE document IS NOT NULL ORDER BY id").all()
        return [ExchangedMessage(int(r[0]), r[1], r[2], r[3], bytes(r[4])) for r in rows]
