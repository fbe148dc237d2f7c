"""One pass of `customs worker`, stage by stage, surviving faults.

A stage that raises (the database dropped the connection or restarted, the authority or a
network is unreachable, anything else) logs ONE line, is skipped until its own backoff has
passed (exponential with jitter, so several workers do not reconnect in step) and the other
stages go on. The pool replaces a dead connection on the next use, so a retry is a reconnect.
A worker never exits on such a fault: a supervisor (docs/deployment.md) restarts it after a
crash or a deploy, not after a database restart.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from customs.services.batching import SealReport
from customs.services.declare import DeclareReport
from customs.services.manifest_jobs import JobReport
from customs.services.submission import SubmitReport
from customs.services.webhook_delivery import DeliveryReport

log = logging.getLogger("customs.worker")
MAX_REASON = 200


@dataclass
class Backoff:
    """When a failing stage may run again: base × 2^(failures-1), capped, × [0.5, 1)."""

    base: float
    cap: float
    rng: random.Random
    failures: int = 0
    not_before: float = 0.0

    def due(self, now: float) -> bool:
        return now >= self.not_before

    def failed(self, now: float) -> float:
        self.failures += 1
        delay = min(self.cap, self.base * 2 ** min(self.failures - 1, 30))
        delay *= 0.5 + self.rng.random() / 2
        self.not_before = now + delay
        return delay

    def succeeded(self) -> int:
        """Resets the backoff; returns how many failures came before."""
        failures, self.failures, self.not_before = self.failures, 0, 0.0
        return failures


@dataclass
class PassResult:
    manifests: JobReport = field(default_factory=JobReport)
    declared: DeclareReport = field(default_factory=DeclareReport)
    sealed: SealReport = field(default_factory=SealReport)
    sent: SubmitReport = field(default_factory=SubmitReport)
    polled: int = 0
    hooks: DeliveryReport = field(default_factory=DeliveryReport)
    purged: int = 0  # idempotent replies past their lifetime
    failed: list[str] = field(default_factory=list)  # stages that raised in this pass


def reason(exc: BaseException) -> str:
    """One short line: the driver's message for a database error, never the SQL and its
    parameters (they may hold personal data)."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {text}"[:MAX_REASON]


class WorkerPass:
    """The stages of a pass, each with its own backoff (a dead poll URL does not stop the
    webhooks, nor slow the declarations)."""

    def __init__(self, customs: Any, *, force_seal: bool, backoff_base: float,
                 backoff_cap: float, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)
        self.clock = clock
        self.stages: dict[str, Callable[[PassResult], None]] = {
            # manifests stored for later (large, or Prefer: respond-async), exactly once each
            "manifests": lambda r: setattr(r, "manifests",
                                           customs.intake.process_manifest_jobs()),
            "declare": lambda r: setattr(r, "declared", customs.outbound.declare_pending()),
            "seal": lambda r: setattr(r, "sealed", customs.outbound.seal_batches(force=force_seal)),
            "submit": lambda r: setattr(r, "sent", customs.outbound.submit_batches()),
            "poll": lambda r: setattr(r, "polled", customs.authority.poll_decisions()),
            # decisions that arrived before their batch's evidence, applied in their turn
            "pending": lambda r: customs.authority.apply_pending_decisions(),
            "webhooks": lambda r: setattr(r, "hooks", customs.webhooks.deliver_webhooks()),
            "purge": lambda r: setattr(r, "purged", customs.replies.purge_expired()),
        }
        self.backoff = {name: Backoff(backoff_base, backoff_cap, rng) for name in self.stages}

    def run(self) -> PassResult:
        result = PassResult()
        for name, stage in self.stages.items():
            backoff = self.backoff[name]
            if not backoff.due(self.clock()):
                continue
            try:
                stage(result)
            except Exception as exc:  # a worker outlives any one fault
                delay = backoff.failed(self.clock())
                result.failed.append(name)
                log.warning("worker stage %s failed (%s); retrying in %.1f s", name,
                            reason(exc), delay)
                continue
            if failures := backoff.succeeded():
                log.warning("worker stage %s recovered after %d failures", name, failures)
        return result
