"""`customs validate` reads the JSON form and gzip-compressed files too, with the same report
as for the XML form (paths as JSON Pointers); a gzip file is decoded within the manifest cap."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from api.cli import cli
from schemas.manifest_json import xml_to_json
from tests.manifests import item, manifest, parcel

MIXED = manifest(parcel(), parcel("RR123456799CN", items=[item(hs="12")]))


@pytest.fixture
def run(database_url):  # type: ignore[no-untyped-def]
    def invoke(*args: str, env: dict | None = None, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False,
                                  env={"CUSTOMS_DATABASE_URL": database_url, **(env or {})})

    return invoke


def _report(run, path) -> dict:  # type: ignore[no-untyped-def]
    result = run("validate", str(path), "--format", "json")
    assert result.exit_code == 1, result.output
    return json.loads(result.output)


def _codes(report: dict) -> list:
    return [(r["position"], r["tracking_number"], [v["code"] for v in r["violations"]])
            for r in report["rejections"]]


@pytest.mark.parametrize("name", ["m.json", "m.json.gz", "m.xml.gz", "no-suffix"])
def test_json_and_gzip_files_get_the_xml_files_report(run, tmp_path, name):
    xml = tmp_path / "m.xml"
    xml.write_bytes(MIXED)
    content = MIXED if "xml" in name else xml_to_json(MIXED)
    other = tmp_path / name
    other.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    expected, found = _report(run, xml), _report(run, other)
    assert _codes(found) == _codes(expected) == [(2, "RR123456799CN", ["SCHEMA_VIOLATION"])]
    path = found["rejections"][0]["violations"][0]["path"]
    assert path == ("/Manifest/Parcel[2]/Item/HSCode" if "xml" in name
                    else "/parcels/1/items/0/hs_code")


def test_json_on_standard_input(run):
    result = run("validate", "-", stdin=xml_to_json(manifest(parcel())))
    assert result.exit_code == 0, result.output
    assert "1 parcels, 1 valid, 0 invalid" in result.output


def test_a_gzip_bomb_is_refused_within_the_cap(run, tmp_path):
    path = tmp_path / "bomb.xml.gz"
    path.write_bytes(gzip.compress(b" " * 50_000_000))  # 50 MB of blanks in 50 KB
    result = run("validate", str(path), env={"CUSTOMS_MAX_MANIFEST_BYTES": "100000"})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: MANIFEST_TOO_LARGE: ")
    assert "more than 100000 bytes once decompressed" in result.stderr


@pytest.mark.parametrize("content", [gzip.compress(MIXED, mtime=0)[:-9], b"\x1f\x8b" + b"\0" * 30],
                         ids=["cut", "corrupt"])
def test_a_cut_or_corrupt_gzip_file_is_one_clean_error(run, tmp_path, content):
    path = tmp_path / "m.xml.gz"
    path.write_bytes(content)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: FILE_UNREADABLE: ") and "gzip" in result.stderr


def test_sample_manifest_writes_the_json_form_of_the_same_manifest(run, tmp_path):
    xml, twin = tmp_path / "s.xml", tmp_path / "s.json"
    assert run("sample-manifest", "--parcels", "20", "--seed", "3", "--invalid-rate", "0.2",
               "--out", str(xml)).exit_code == 0
    assert run("sample-manifest", "--parcels", "20", "--seed", "3", "--invalid-rate", "0.2",
               "--format", "json", "--out", str(twin)).exit_code == 0
    assert json.loads(twin.read_bytes())["parcels"][0]["tracking_number"]
    assert _codes(_report(run, twin)) == _codes(_report(run, xml))
