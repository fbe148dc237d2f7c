"""/metrics figures, readiness and the signing status, computed by services.operations from a
fake OperationalReads port and fake parcels: the arithmetic without a database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from customs.services import operations
from customs.services.operations_ports import BatchSummary, ExchangedMessage

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


class FakeReads:
    def __init__(self, *, ok: bool = True, revision: str | None = "0009",
                 head: str | None = "0009") -> None:
        self.ok, self.revision, self.head = ok, revision, head

    def database_ok(self) -> bool:
        return self.ok

    def schema_revision(self) -> str | None:
        return self.revision

    def schema_head(self) -> str | None:
        return self.head

    def batches(self) -> dict[str, tuple[int, int]]:
        return {"SEALED": (2, 0), "RETRY": (1, 3), "ACKNOWLEDGED": (5, 5)}

    def unbatched(self) -> tuple[int, datetime | None]:
        return 4, (NOW - timedelta(seconds=90)).replace(tzinfo=None)  # SQLite: naive UTC

    def list_batches(self, statuses: tuple[str, ...], limit: int) -> list[BatchSummary]:
        return []

    def exchanged_messages(self) -> list[ExchangedMessage]:
        return []


class ParcelCounts:
    """Only what parcel_counts reads: counts_by_status over a list of statuses."""

    def __init__(self, statuses: list[str]) -> None:
        self.parcels, self.statuses = self, statuses

    def __enter__(self) -> ParcelCounts:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def counts_by_status(self, only: Collection[str] | None = None) -> dict[str, int]:
        return dict(Counter(s for s in self.statuses if only is None or s in only))


def test_figures_count_parcels_batches_and_the_backlog() -> None:
    parcels = ParcelCounts(["VALIDATED", "VALIDATED", "DECLARED", "RELEASED"])
    figures = operations.figures(reads=FakeReads(), read_uow=lambda: parcels,
                                 final_counts=operations.FinalCounts(), clock=Clock())
    assert figures.parcels == {"RELEASED": 1, "VALIDATED": 2, "DECLARED": 1}
    assert figures.batches["RETRY"] == (1, 3)
    assert figures.backlog == {"declare": 2, "batch": 4, "submit_batches": 3}
    assert figures.oldest_unbatched_seconds == 90.0


def test_final_counts_are_reread_only_after_their_interval() -> None:
    parcels, ticks = ParcelCounts(["RELEASED", "VALIDATED"]), [0.0]
    cache = operations.FinalCounts(seconds=300, monotonic=lambda: ticks[0])
    assert cache.read(parcels) == {"RELEASED": 1}
    parcels.statuses.append("RELEASED")
    ticks[0] = 300.0
    assert cache.read(parcels) == {"RELEASED": 1}  # still within the interval
    ticks[0] = 300.5
    assert cache.read(parcels) == {"RELEASED": 2}


def test_readiness_needs_the_database_the_head_and_a_valid_certificate() -> None:
    fine = operations.SigningStatus(configured=False)
    assert operations.readiness(FakeReads(), fine).ready
    behind = operations.readiness(FakeReads(revision="0008"), fine)
    assert not behind.ready and behind.to_json() == {
        "database": True, "schema": False, "schema_revision": "0008", "signing": True}
    down = operations.readiness(FakeReads(ok=False), fine)
    assert (down.database, down.schema_revision) == (False, None)
    expired = operations.SigningStatus(configured=True, expired=True)
    assert not operations.readiness(FakeReads(), expired).signing


def test_signing_status_keeps_its_json_shape() -> None:
    assert operations.SigningStatus(configured=False).to_json() == {"configured": False}
    status = operations.SigningStatus(True, "ab", "CN=x", "2027-01-01T00:00:00+00:00", 30.5,
                                      True, False)
    assert list(status.to_json()) == ["configured", "fingerprint", "subject", "not_after",
                                      "days_left", "expiring", "expired"]
