"""Hostile manifests cost what their size costs: for every shape (namespaces, attributes,
siblings, depth, long names, long text, mixed content, many bad parcels) at growing sizes, the
CPU time and the memory of reading and judging it (what intake and `customs validate` run) stay
under a valid manifest's per byte times a small factor, plus a fixed floor.

CPU is process time, not wall time, and the factors are generous, so a busy machine does not
fail the test; the figures measured are in docs/performance.md ("Hostile input"). Python memory
is measured with tracemalloc; the XML tree (libxml2, not seen by tracemalloc) by the peak
resident size of a fresh process for the largest shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import hostile

RSS_FACTOR = 4  # the process's peak, measured at most 2.0
# n for each shape: from about 100 KB to 1 MB of body (depth stops at libxml2's 256 levels)
RANGES = {"namespaces": (4_000, 30_000), "namespaces_in_parcel": (4_000, 30_000),
          "attributes": (20_000, 100_000), "attributes_spread": (3_000, 30_000),
          "elements": (25_000, 250_000), "depth": (20, 255),
          "long_name": (5_000, 49_000), "long_text": (100_000, 1_000_000),
          "long_attribute": (100_000, 1_000_000), "long_cdata": (100_000, 1_000_000),
          "mixed": (20_000, 200_000),
          "many_bad_parcels": (120, 1_200)}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def judge():  # type: ignore[no-untyped-def]
    yield from hostile.judge()


@st.composite
def shapes(draw):  # type: ignore[no-untyped-def]
    name = draw(st.sampled_from(sorted(RANGES)))
    low, high = RANGES[name]
    return name, draw(st.integers(low, high))


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=shapes())
def test_a_hostile_shape_costs_no_more_than_a_valid_manifest_of_its_size(judge, case):
    customs, cpu_per_byte, memory_per_byte = judge
    name, n = case
    body = hostile.SHAPES[name](n)
    cpu, peak = hostile.cost(customs, body)
    assert hostile.within_budget(cpu, peak, len(body), cpu_per_byte, memory_per_byte), (
        name, n, cpu, peak)


RSS_PROBE = r"""
import json, sys
from pathlib import Path
from customs.bootstrap import bootstrap
from customs.domain.errors import ManifestRefused
from customs.settings import Settings
from tests import hostile

def kib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])

customs = bootstrap(Settings(database_url="sqlite://"))
customs.intake.validate_offline(hostile.manifest(hostile.parcel()))
body = Path(sys.argv[1]).read_bytes()
with open("/proc/self/clear_refs", "w") as reset:
    reset.write("5")  # the peak (VmHWM) starts again from the current size
before = kib("VmRSS")
try:
    customs.intake.validate_offline(body)
except ManifestRefused:
    pass
print(json.dumps({"bytes": len(body), "growth_kib": kib("VmHWM") - before}))
"""


def _rss(shape: str, n: int, folder: Path) -> dict:
    """Peak growth of a fresh process judging the body (made here: making it costs memory)."""
    path = folder / f"{shape}.xml"
    path.write_bytes(hostile.SHAPES[shape](n))
    result = subprocess.run([sys.executable, "-c", RSS_PROBE, str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_largest_shapes_grow_the_process_like_a_valid_manifest(tmp_path):
    valid = _rss("valid", 2_000, tmp_path)  # about 2.5 MB
    per_byte = valid["growth_kib"] / valid["bytes"]
    assert per_byte > 0, valid  # the peak was measured from the current size
    for shape, n in [("attributes", 500_000), ("attributes_spread", 30_000),
                     ("elements", 250_000), ("namespaces", 30_000), ("mixed", 250_000),
                     ("long_text", 1_000_000), ("long_cdata", 1_000_000)]:
        found = _rss(shape, n, tmp_path)
        budget = RSS_FACTOR * per_byte * found["bytes"] + 4 * 1024
        assert found["growth_kib"] <= budget, (shape, found, per_byte)


@pytest.mark.parametrize("shape,n", [("attributes", 200_000), ("namespaces", 20_000),
                                     ("many_bad_parcels", 1_000)])
def test_customs_validate_answers_hostile_files_briefly(shape, n, tmp_path, database_url):
    path = tmp_path / f"{shape}.xml"
    path.write_bytes(hostile.SHAPES[shape](n))
    result = subprocess.run([sys.executable, "-m", "api", "validate", str(path), "--format",
                             "json"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**_env(), "CUSTOMS_DATABASE_URL": database_url})
    assert result.returncode in (1, 2), result.stderr[-500:]
    assert "Traceback" not in result.stderr
    # At most about the file's own size: many_bad_parcels' report has three violations a
    # parcel, one of them libxml2's "Expected is ( OrderRef )" since the manifest gained that
    # optional last element (issue 20): 7 % above the file's size, hence the 1.25.
    assert len(result.stdout) < 64 * 1024 + 1.25 * path.stat().st_size


def _env() -> dict[str, str]:
    return dict(os.environ)
