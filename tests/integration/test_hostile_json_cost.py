"""Hostile JSON manifests cost what their size costs, as XML ones do (test_hostile_cost.py): for
every shape (keys, values, duplicate keys, nesting, long strings and keys, escapes, big
numbers, many bad parcels) at growing sizes, the CPU time and the Python memory of judging it
stay under a valid JSON manifest's per byte times the same small factors, plus the same floor.
Parcels too small to hold anything (`{}`) cost no more per parcel than valid ones; their number
is capped (CUSTOMS_MAX_PARCELS). Figures in docs/performance.md ("Hostile input")."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import hostile, hostile_json

JSON = "application/json"

# n for each shape: from about 100 KB to 1 MB of body
RANGES = {"keys": (10_000, 100_000), "values": (50_000, 500_000),
          "duplicate_keys": (7_000, 70_000), "nested": (3_000, 30_000),
          "long_string": (100_000, 1_000_000), "long_key": (100_000, 1_000_000),
          "escapes": (20_000, 160_000), "big_numbers": (100, 1_000),
          "many_bad_parcels": (150, 1_500)}


@pytest.fixture(scope="module")
def judge():  # type: ignore[no-untyped-def]
    from customs.bootstrap import bootstrap
    from customs.settings import Settings

    customs = bootstrap(Settings(database_url="sqlite://"))
    yardstick = hostile_json.valid(800)  # about 0.9 MB
    hostile.cost(customs, yardstick, JSON)  # warm: schema compiled, rules loaded
    cpu, peak = hostile.cost(customs, yardstick, JSON)
    yield customs, cpu / len(yardstick), peak / len(yardstick), cpu / 800, peak / 800
    customs.close()


@st.composite
def shapes(draw):  # type: ignore[no-untyped-def]
    name = draw(st.sampled_from(sorted(RANGES)))
    low, high = RANGES[name]
    return name, draw(st.integers(low, high))


@pytest.mark.slow
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=shapes())
def test_a_hostile_json_shape_costs_no_more_than_a_valid_manifest_of_its_size(judge, case):
    customs, cpu_per_byte, memory_per_byte, _, _ = judge
    name, n = case
    body = hostile_json.SHAPES[name](n)
    cpu, peak = hostile.cost(customs, body, JSON)
    assert hostile.within_budget(cpu, peak, len(body), cpu_per_byte, memory_per_byte), (
        name, n, cpu, peak)


def test_empty_parcels_cost_no_more_per_parcel_than_valid_ones(judge):
    customs, _, _, cpu_per_parcel, memory_per_parcel = judge
    cpu, peak = hostile.cost(customs, hostile_json.empty_parcels(5_000), JSON)
    assert cpu <= cpu_per_parcel * 5_000 + hostile.CPU_FLOOR_S, cpu
    assert peak <= memory_per_parcel * 5_000 + hostile.MEMORY_FLOOR, peak
