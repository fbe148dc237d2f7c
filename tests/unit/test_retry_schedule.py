"""Submission retries span at least a day by default before a person is needed."""

from __future__ import annotations

import random
from datetime import timedelta

from customs.services.submission import RetryPolicy
from customs.settings import Settings


def _policy_from(settings: Settings) -> RetryPolicy:
    return RetryPolicy(max_attempts=settings.submit_max_attempts,
                       base=timedelta(seconds=settings.submit_backoff_seconds),
                       cap=timedelta(seconds=settings.submit_backoff_max_seconds))


def test_the_default_schedule_spans_a_day_at_least():
    shortest, longest = _policy_from(Settings()).span()
    assert _policy_from(Settings()) == RetryPolicy()
    assert timedelta(hours=24) <= shortest <= longest <= timedelta(hours=60)


def test_each_delay_is_between_half_and_all_of_its_ceiling():
    policy, rng = RetryPolicy(), random.Random(1)
    for attempt in range(1, 70):
        ceiling = min(timedelta(hours=1), timedelta(seconds=5) * 2 ** min(attempt - 1, 20))
        for _ in range(20):
            assert ceiling / 2 <= policy.backoff(attempt, rng) <= ceiling


def test_the_schedule_is_configurable():
    short = _policy_from(Settings(submit_max_attempts=8, submit_backoff_max_seconds=1800))
    assert short.span()[1] < timedelta(minutes=30)
