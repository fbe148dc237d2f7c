"""`customs validate` on odd input (empty, binary, standard input), and progress on a terminal
only: the same output as before when piped or with --format json."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from tests.manifests import item, manifest, parcel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(database_url):  # type: ignore[no-untyped-def]
    def invoke(*args: str, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, list(args), input=stdin,
                                  env={"CUSTOMS_DATABASE_URL": database_url},
                                  catch_exceptions=False)

    return invoke


@pytest.mark.parametrize(("content", "said"), [
    (b"", "the file is empty"),
    (b"  \n\t\n", "the file is empty"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)),
     "not a manifest (the file holds binary data)"),
], ids=["empty", "blank", "binary"])
def test_an_empty_or_binary_file_is_one_clean_message(run, tmp_path, content, said):
    path = tmp_path / "m.xml"
    path.write_bytes(content)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: MANIFEST_NOT_WELL_FORMED: {path}: {said}"]
    assert "None" not in result.output


def test_not_well_formed_xml_is_said_once_without_none(run, tmp_path):
    path = tmp_path / "m.xml"
    path.write_bytes(b"not xml at all")
    result = run("validate", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: MANIFEST_NOT_WELL_FORMED: {path}: ")
    assert "None" not in result.output


def test_a_refused_header_names_its_line_and_path(run, tmp_path):
    path = tmp_path / "m.xml"
    path.write_bytes(manifest(parcel(), issued="yesterday"))
    lines = run("validate", str(path)).stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: MANIFEST_ENVELOPE_INVALID")
    assert lines[1].startswith("  line ") and lines[1].endswith("[/Manifest/IssuedAt]")


def test_dash_reads_standard_input(run):
    document = manifest(parcel(), parcel("RR123456799CN", items=[item(hs="12")]))
    text = run("validate", "-", stdin=document)
    assert text.exit_code == 1
    assert text.stdout.splitlines()[-1] == "<stdin>: 2 parcels, 1 valid, 1 invalid"
    report = json.loads(run("validate", "-", "--format", "json", stdin=document).stdout)
    assert (report["file"], report["accepted"], report["rejected"]) == ("<stdin>", 1, 1)
    empty = run("validate", "-", stdin=b"")
    assert empty.stderr.splitlines() == ["error: MANIFEST_NOT_WELL_FORMED: <stdin>: the file is "
                                         "empty"]


def _run_with_stderr_on_a_terminal(args: list[str], database_url: str) -> tuple[int, bytes,
                                                                                  bytes]:
    """The real command with stderr on a pseudo-terminal (stdout piped): its exit status,
    stdout, and what the terminal showed."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
    env |= {"PYTHONPATH": str(ROOT), "CUSTOMS_DATABASE_URL": database_url}
    process = subprocess.Popen([sys.executable, "-m", "api.cli", *args], stdout=subprocess.PIPE,
                               stderr=follower, env=env)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the command ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    assert process.stdout is not None
    with process.stdout:  # small: the pipe's buffer holds it while the terminal is read
        stdout = process.stdout.read()
    os.close(leader)
    return process.wait(timeout=120), stdout, shown


def _run_piped(args: list[str], database_url: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
    env |= {"PYTHONPATH": str(ROOT), "CUSTOMS_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True,
                          env=env, timeout=120, check=False)


def test_validate_shows_progress_on_a_terminal_only(tmp_path, database_url):
    path = tmp_path / "m.xml"
    path.write_bytes(manifest(parcel(), parcel("RR123456799CN")))
    status, stdout, shown = _run_with_stderr_on_a_terminal(["validate", str(path)],
                                                           database_url)
    assert status == 0
    assert b"\rvalidated 1 parcels" in shown  # drawn in place, then erased
    assert shown.endswith(b"\r")
    piped = _run_piped(["validate", str(path)], database_url)
    assert (piped.returncode, piped.stderr) == (0, b"")
    assert piped.stdout == stdout == f"{path}: 2 parcels, 2 valid, 0 invalid\n".encode()
    status, json_out, shown = _run_with_stderr_on_a_terminal(
        ["validate", str(path), "--format", "json"], database_url)
    assert status == 0 and shown == b"" and json.loads(json_out)["accepted"] == 2


def test_sample_manifest_shows_progress_on_a_terminal_only(tmp_path, database_url):
    out = tmp_path / "s.xml"
    args = ["sample-manifest", "--parcels", "20", "--out", str(out)]
    status, _, shown = _run_with_stderr_on_a_terminal(args, database_url)
    assert status == 0 and b"\rgenerated 1/20 parcels" in shown
    assert shown.endswith(b"wrote " + str(out).encode() + b": 20 parcels, 0 designed invalid\r\n")
    piped = _run_piped(args, database_url)
    assert piped.stderr == f"wrote {out}: 20 parcels, 0 designed invalid\n".encode()
    to_stdout = _run_piped(["sample-manifest", "--parcels", "20"], database_url)
    assert to_stdout.stdout == out.read_bytes() and to_stdout.stderr == b""
