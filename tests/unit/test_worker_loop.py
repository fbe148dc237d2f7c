"""The worker's pass: a failing stage logs one line and waits its own backoff; the others run."""

from __future__ import annotations

import logging
import random
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import OperationalError

from api.worker_loop import Backoff, WorkerPass, reason
from customs.services.declare import DeclareReport


class FlakyCustoms:
    """Stages that raise a database error for their first `fail` calls (poll: always)."""

    def __init__(self, fail: int) -> None:
        self.fail, self.calls = fail, {"declare": 0, "poll": 0, "webhooks": 0}

    def _maybe_fail(self, stage: str) -> None:
        self.calls[stage] += 1
        if stage == "poll" or self.calls[stage] <= self.fail:
            raise OperationalError("SELECT * FROM parcels WHERE recipient = %(name)s",
                                   {"name": "Ivan Petrov"}, Exception("server closed the "
                                                                      "connection\nmore"))

    def declare_pending(self) -> DeclareReport:
        self._maybe_fail("declare")
        return DeclareReport(declared=3)

    def seal_batches(self, force: bool = False):  # type: ignore[no-untyped-def]
        from customs.services.batching import SealReport
        return SealReport()

    def submit_batches(self):  # type: ignore[no-untyped-def]
        from customs.services.submission import SubmitReport
        return SubmitReport()

    def apply_pending_decisions(self) -> int:
        return 0

    def poll_decisions(self) -> int:
        self._maybe_fail("poll")
        return 0

    def process_manifest_jobs(self):  # type: ignore[no-untyped-def]
        from customs.services.manifest_jobs import JobReport
        return JobReport()

    def deliver_webhooks(self):  # type: ignore[no-untyped-def]
        from customs.services.webhook_delivery import DeliveryReport
        self.calls["webhooks"] += 1
        return DeliveryReport(delivered=1)

    def purge_expired(self) -> int:
        return 2


def test_a_failing_stage_backs_off_alone_and_recovers(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    customs = FlakyCustoms(fail=2)
    app = SimpleNamespace(outbound=customs, authority=customs, webhooks=customs,
                          intake=customs, replies=customs)
    stages = WorkerPass(app, force_seal=False, backoff_base=1, backoff_cap=4,
                        clock=lambda: now[0], rng=random.Random(1))
    caplog.set_level(logging.INFO, "customs.worker")
    first = stages.run()
    assert first.failed == ["declare", "poll"]
    assert first.hooks.delivered == 1  # the stages after a failed one still ran
    assert first.purged == 2
    stages.run()  # at the same instant: declare and poll wait for their backoff
    assert customs.calls == {"declare": 1, "poll": 1, "webhooks": 2}
    for _ in range(6):
        now[0] += 4
        done = stages.run()
    assert done.declared.declared == 3 and done.failed == ["poll"]
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("stage declare failed" in line for line in lines) == 2
    assert "worker stage declare recovered after 2 failures" in lines
    assert not any("Ivan" in line or "SELECT" in line for line in lines)  # no SQL, no data
    assert max(stages.backoff["poll"].not_before - now[0], 0) <= 4  # capped


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(base=1, cap=8, rng=random.Random(7))
    delays = [backoff.failed(0) for _ in range(6)]
    for n, delay in enumerate(delays):
        assert min(8, 2 ** n) / 2 <= delay <= min(8, 2 ** n)
    assert backoff.succeeded() == 6 and backoff.due(0)


def test_reason_is_one_short_line_without_the_statement() -> None:
    error = OperationalError("UPDATE parcels SET x = 1", {}, Exception("boom\nline two"))
    assert reason(error) == "Exception: boom"
    assert reason(ValueError("x" * 500)).startswith("ValueError: ")
    assert len(reason(ValueError("x" * 500))) == 200
