"""Every file of ../shared/xml-attacks is answered within the linear budget of
tests/hostile.py (CPU and memory per byte no worse than a valid manifest's times a small
factor, plus a floor) and over HTTP with a 4xx problem, never a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import hostile
from tests.conftest import SHARED, shared_path

ATTACKS = sorted(SHARED.joinpath("xml-attacks").glob("*.x[ms]l")) if SHARED.is_dir() else []


@pytest.fixture(scope="module")
def judge():  # type: ignore[no-untyped-def]
    yield from hostile.judge()


def test_the_attack_corpus_is_there():
    assert len(list(shared_path("xml-attacks").glob("*.xml"))) >= 25


@pytest.mark.parametrize("payload", ATTACKS, ids=lambda p: p.name)
def test_attack_is_answered_within_the_linear_budget(payload: Path, judge, client, auth):
    customs, cpu_per_byte, memory_per_byte = judge
    body = payload.read_bytes()
    cpu, peak = hostile.cost(customs, body)
    assert hostile.within_budget(cpu, peak, len(body), cpu_per_byte, memory_per_byte), (
        payload.name, len(body), cpu, peak)
    reply = client.post("/v1/manifests", data=body, headers={
        **auth, "Content-Type": "application/xml", "Idempotency-Key": payload.name})
    assert 400 <= reply.status_code < 500, (payload.name, reply.status_code)
    assert reply.mimetype == "application/problem+json"
