"""The composition root wires fakes as it wires the database: no engine is built, and the use
cases run against the fakes; polling the authority goes through the DecisionSource port."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from customs.bootstrap import bootstrap
from customs.domain.errors import SecretsUnavailable
from customs.services import decisions
from customs.services.operations import NoDatabase
from customs.services.submission import SubmitReport
from customs.settings import Settings
from tests.unit.fakes import FakeState, FakeUnitOfWork

NOW = datetime(2026, 3, 1, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


def test_bootstrap_on_fakes_builds_no_engine_and_runs_the_use_cases() -> None:
    state = FakeState()
    app = bootstrap(Settings(database_url="sqlite://"), uow_factory=lambda: FakeUnitOfWork(state),
                    clock=Clock())
    assert (app.resources.engine, app.resources.read_engine) == (None, None)
    assert isinstance(app.operations.reads, NoDatabase) and not app.operations.database_ok()
    loaded = app.reference.load_rates_text("date,currency,base,rate\n2026-03-01,EUR,RUB,98.5\n",
                                           actor="operator:test")
    assert loaded == 1 and len(app.reference.list_rates(NOW.date(), NOW.date())) == 1
    assert not app.outbound.can_sign  # no key configured: nothing unsigned leaves
    assert app.outbound.seal_batches().errors == ["no signing key: batches cannot be signed"]
    assert app.outbound.submit_batches() == SubmitReport()  # no authority configured: batches wait
    assert app.authority.poll_decisions() == 0  # no poll URL
    assert app.operations.signing_status().to_json() == {"configured": False}
    app.close()


def test_resealing_webhook_secrets_needs_the_key() -> None:
    app = bootstrap(Settings(database_url="sqlite://", secrets_key=None),
                    uow_factory=FakeUnitOfWork)
    with pytest.raises(SecretsUnavailable) as refused:
        app.webhooks.reseal_webhook_secrets()
    assert refused.value.code == "SECRETS_KEY_MISSING"


class Cursors:
    """The decision repository's cursor, as a unit of work would hold it."""

    def __init__(self) -> None:
        self.decisions, self.saved = self, {"https://fts.example/poll": "7"}

    def __enter__(self) -> Cursors:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def commit(self) -> None:
        pass

    def cursor(self, key: str) -> str | None:
        return self.saved.get(key)

    def save_cursor(self, key: str, value: str, at: datetime) -> None:
        self.saved[key] = value


class Source:
    key = "https://fts.example/poll"

    def __init__(self, messages: dict[str, tuple[bytes, str]]) -> None:
        self.messages, self.asked = messages, []

    def fetch(self, after: str) -> tuple[bytes, str] | None:
        self.asked.append(after)
        return self.messages.get(after)

    def origin(self, after: str) -> str:
        return f"{self.key}?after={after}"


def test_poll_applies_in_order_and_moves_the_cursor_after_each() -> None:
    cursors, received = Cursors(), []
    source = Source({"7": (b"<a/>", "9"), "9": (b"<b/>", "10")})
    fetched = decisions.poll(source, lambda doc, origin: received.append((doc, origin)),
                             uow_factory=lambda: cursors, clock=Clock(), max_messages=5)
    assert fetched == 2 and source.asked == ["7", "9", "10"]  # "10": none yet, stop
    assert received == [(b"<a/>", "https://fts.example/poll?after=7"),
                        (b"<b/>", "https://fts.example/poll?after=9")]
    assert cursors.saved[source.key] == "10"


def test_poll_stops_at_its_bound() -> None:
    cursors = Cursors()
    source = Source({str(n): (b"<m/>", str(n + 1)) for n in range(7, 100)})
    assert decisions.poll(source, lambda doc, origin: None, uow_factory=lambda: cursors,
                          clock=Clock(), max_messages=3) == 3
    assert cursors.saved[source.key] == "10"
