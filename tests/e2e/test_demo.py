"""The README's main command, run as a user would: manifest to the authority's decision."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_end_to_end_and_every_parcel_gets_its_outcome(tmp_path):
    keep = tmp_path / "exchanged"
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--workdir", str(tmp_path / "demo"),
         "--parcels", "30", "--keep", str(keep)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "every parcel reached the state it should" in result.stdout
    assert "\rdecided " not in result.stderr  # progress is for a terminal only
    assert "idempotent resend: same reply, one manifest" in result.stdout
    for code in ("SCHEMA_VIOLATION", "TRACKING_S10_CHECK_DIGIT", "VALUE_MISMATCH"):
        assert code in result.stdout
    assert "signature valid" in result.stdout
    assert "xmlsec1 says OK" in result.stdout
    # the other users: an officer decides, the courier pulls (feed) and is pushed (webhook)
    assert "officer release: 200 RELEASED" in result.stdout
    assert "courier webhook: HELD (signature valid), RELEASED (signature valid)" in result.stdout
    assert (tmp_path / "demo" / "customs.db").exists()
    assert sorted(p.name for p in keep.iterdir()) == [
        "authority-messages", "declarations", "manifest-DE.xml", "manifest-RU.xml",
        "manifest-US.xml",
        "receipt-DE.json", "receipt-RU.json", "receipt-US.json"]
    rows = [line.split() for line in result.stdout.splitlines()
            if line.strip()[:1].isdigit() and len(line.split()) >= 3]
    decided = sum(1 for row in rows if row[2] in ("RELEASED", "HELD", "DUTY_DUE", "REFUSED"))
    assert len(rows) == 90 and decided + sum(1 for r in rows if r[2] == "REJECTED") == 90
    assert decided >= 60  # 3 manifests x 30 parcels, a fifth invalid by design
    assert " DUTY_DUE " in result.stdout and "duty " in result.stdout
    _check_the_tables_read_well(result.stdout)
    assert len(list((keep / "declarations").glob("*.xml"))) == decided
    assert "batches registered" in result.stdout and "0 resends" in result.stdout
    kinds = {p.name.split("-")[2] for p in (keep / "authority-messages").iterdir()}
    assert kinds == {"batch", "ack", "decisions"}


def _check_the_tables_read_well(stdout: str) -> None:
    """Headed columns, explained once; amounts as the service stored them, in the currency the
    destination's authority charges; codes in words; the courier matching the parcel."""
    assert stdout.count("tracking number     status    courier      duty assessed   "
                        "duty estimated  why") == 3
    assert "columns: status = the parcel's state now" in stdout
    assert "duty assessed = the duty the authority decided" in stdout
    charged = {"RU": "RUB", "DE": "EUR", "US": "USD"}
    for destination, currency in charged.items():
        table = stdout.split(f"{destination} manifest ", 1)[1].split("\n\n", 1)[0]
        for line in table.splitlines()[2:]:
            number, status, courier = line.split()[1:4]
            if status == "DUTY_DUE":
                assert f" {currency}  " in line, line  # the assessed amount, e.g. 2118.10 RUB
            if status == "REJECTED":
                assert re.search(r"  [A-Z]\w* [^[]+ \[[A-Z0-9_]+\]", line), line  # words [CODE]
            elif number.startswith("CDEK-"):
                assert courier == "CDEK", line
            elif number.startswith("YT"):
                assert courier == "YUNEXPRESS", line
    assert "NOT_ESTIMABLE" not in stdout and "est. " not in stdout


def test_the_demo_shows_its_wait_for_decisions_on_a_terminal_only(tmp_path, database_url):
    """The wait for the authority's decisions is the demo's long silent step: on a terminal
    it is one line redrawn in place ("decided N parcels"), piped (as above) it is not there."""
    from tests.api.test_cli_validate_progress import _run_with_stderr_on_a_terminal

    status, stdout, shown = _run_with_stderr_on_a_terminal(
        ["demo", "--workdir", str(tmp_path / "demo"), "--parcels", "5"], database_url)
    assert status == 0, stdout[-2000:]
    assert b"\rdecided " in shown and b" parcels (" in shown
    assert b"\rdecided " not in stdout  # the tables on stdout stay as they were
