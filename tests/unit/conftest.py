"""The application as production builds it (customs.bootstrap), over in-memory fakes: every
use case call gets a fresh unit of work on one shared FakeState, as a request would get a new
transaction on the same database (cosmicpython's handler tests, `bootstrap_test_app`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from customs.bootstrap import bootstrap
from customs.services.ports import TransportResult
from customs.settings import Settings
from customs.usecases import Application
from tests.unit.fakes import FakeState, FakeUnitOfWork

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class FixedClock:
    """Time stands still unless a test moves it (expiry, retry backoff)."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> None:
        self.at += by


@dataclass
class FakeTransport:
    """The authority's endpoint: answers from a script (then accepts), and keeps what it got."""

    script: list[TransportResult] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def send(self, message_id: str, document: bytes) -> TransportResult:
        self.sent.append(message_id)
        if self.script:
            return self.script.pop(0)
        return TransportResult(True, 200, None, False, None)


@dataclass
class Harness:
    app: Application
    state: FakeState
    clock: FixedClock
    transport: FakeTransport


def _harness(settings: Settings) -> Harness:
    state, clock, transport = FakeState(), FixedClock(), FakeTransport()
    ids = itertools.count(1)
    app = bootstrap(settings,
                    uow_factory=lambda: FakeUnitOfWork(state),
                    read_uow_factory=lambda: FakeUnitOfWork(state),
                    clock=clock, new_id=lambda: f"id-{next(ids)}", transport=transport)
    return Harness(app, state, clock, transport)


@pytest.fixture
def harness() -> Iterator[Harness]:
    made = _harness(Settings(database_url="sqlite://"))
    yield made
    made.app.close()


@pytest.fixture
def signed_harness(dev_signing_key: tuple[Path, Path]) -> Iterator[Callable[..., Harness]]:
    """Makes harnesses with the session's development key (tests/conftest.py), so intake
    declares inline; keyword arguments are further settings."""
    key, cert = dev_signing_key
    made: list[Harness] = []

    def make(**settings: Any) -> Harness:
        made.append(_harness(Settings(database_url="sqlite://", signing_key=key,
                                      signing_cert=cert, **settings)))
        return made[-1]

    yield make
    for harness in made:
        harness.app.close()


@pytest.fixture
def app(harness: Harness) -> Application:
    return harness.app
