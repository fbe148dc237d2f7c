"""`customs bench` runs end to end on a tiny size and writes the documented JSON keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_DB

ROOT = Path(__file__).resolve().parents[2]


def test_bench_quick_tiny_writes_documented_json(tmp_path, migrated):
    output = tmp_path / "bench.json"
    args = [sys.executable, "-m", "api", "bench", "--quick", "--parcels", "40",
            "--alternative-parcels", "10", "--http-workers", "1", "--http-parcels", "40",
            "--rounds", "2", "--output", str(output)]
    if TEST_DB:  # exercise COPY on PostgreSQL (the bench wipes and migrates the database)
        args += ["--database", TEST_DB]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PIPELINE" in done.stdout
    result = json.loads(output.read_text())
    assert result["ratio_to_limit"] > 0
    assert result["ratio_to_alternative"] > 0
    assert result["database"] == ("postgresql" if TEST_DB else "sqlite")
    for stage in ("parse_validate", "rules", "declare_sign", "store", "batch_build_sign"):
        assert result["stages"][stage]["ours"]["per_second"] > 0
    for stage in ("parse_validate", "declare_sign", "store"):
        assert result["stages"][stage]["limit"]["per_second"] > 0
        assert result["stages"][stage]["alternative"]["per_second"] > 0
    assert result["pipeline"]["ours"]["declared"] == 40
    assert result["pipeline"]["ours"]["per_second"] < result["stages"]["rules"]["ours"][
        "per_second"]  # the whole is slower than one of its parts (no replay is timed)
    assert result["http"]["runs"]["1"]["accepted"] == 40
    assert {"cpu", "cores", "python", "lxml", "database"} <= set(result["environment"])


def test_bench_console_times_every_page_on_a_small_seeded_database(tmp_path):
    """`customs bench console` seeds, signs in, and prints each page's figures (SQLite)."""
    output = tmp_path / "console.json"
    database = f"sqlite:///{tmp_path / 'console.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "api", "bench", "console", "--database", database, "--seed",
         "3000", "--runs", "5", "--manifest-parcels", "30", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(output.read_text())
    assert result["parcels"] == 3000 and result["manifest"]["parcels"] == 30
    assert len(result["pages"]) == 15  # 7 officers' pages, 2 dashboards, 6 marketplace's
    assert "bulk confirmation, 3 parcels (POST)" in result["pages"]
    for name, figures in result["pages"].items():
        assert 0 < figures["p50_ms"] <= figures["p99_ms"], name
        assert name in done.stdout


def test_bench_forms_tiny_compares_the_same_manifest_in_both_forms(tmp_path, migrated):
    output = tmp_path / "forms.json"
    args = [sys.executable, "-m", "api", "bench-forms", "--parcels", "60", "--rounds", "1",
            "--output", str(output)]
    if TEST_DB:
        args += ["--database", TEST_DB]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "JSON/XML" in done.stdout
    result = json.loads(output.read_text())
    assert result["same_receipts"] is True
    for form in ("xml", "json"):
        found = result["forms"][form]
        assert found["accepted"] + found["rejected"] == 60 and found["rejected"] > 0
        assert found["peak_growth_mib"]["parcels"] == 60
        for stage in ("read", "check", "intake"):
            assert found[stage]["per_second"] > 0
    assert result["forms"]["json"]["gzip_bytes"] < result["forms"]["json"]["bytes"]


def test_bench_officer_runs_every_query_on_a_small_seeded_database(tmp_path):
    """bench/bench_officer.py seeds and times each query kind, the courier's look-up too."""
    output = tmp_path / "officer.json"
    database = f"sqlite:///{tmp_path / 'officer.db'}"
    done = subprocess.run(
        [sys.executable, "bench/bench_officer.py", "--parcels", "2000", "--runs", "5",
         "--database", database, "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(output.read_text())
    assert result["parcels"] == 2000 and len(result["queries"]) == 11
    assert result["queries"]["parcel by tracking number (courier)"]["p50_ms"] > 0
