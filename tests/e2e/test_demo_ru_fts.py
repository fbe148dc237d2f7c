"""`customs demo --profile ru-fts-express --album PATH`: the whole flow in the FTS formats, a
correction round trip included; every FTS document it leaves, as stored and as served,
validates against the official album (../shared) with both validators, and every signature
verifies: ECDSA in xmlsec1 and signxml, GOST R 34.10-2012 in the OpenSSL GOST engine and
gostcrypto."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lxml import etree

from schemas.ru_fts import Album
from tests.conftest import shared_path
from tests.fts_documents import album_errors, served, signature_errors, stored
from tests.signing.conftest import require_gost_engine

ROOT = Path(__file__).resolve().parents[2]
ENV = "{urn:customs:ru-fts-envelope:1}"
ECD = "{urn:customs.ru:Information:CustomsDocuments:ExpressCargoDeclaration:5.23.0}"


def run_demo(tmp_path: Path, parcels: int, *options: str) -> tuple[Path, Path, str]:
    """(the album, the --keep folder, the output) of a demo that exited 0."""
    album = shared_path("schemas", "ru-fts-5.23.0-express")
    assert (album / "ExpressCargoDeclaration.xsd").is_file(), f"{album}: FTS album missing"
    keep = tmp_path / "exchanged"
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--workdir", str(tmp_path / "demo"),
         "--parcels", str(parcels), "--keep", str(keep), "--profile", "ru-fts-express",
         "--album", str(album), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return album, keep, result.stdout


def check_everything_left(tmp_path: Path, album_path: Path, keep: Path, keys: str) -> int:
    """Every FTS document valid as it stands, every signature verified; how many FTS
    documents there were."""
    album = Album.load(album_path)
    documents = stored(tmp_path / "demo" / "customs.db") + served(keep / "declarations")
    unique = list({d.content: d for d in documents}.values())  # served == stored, byte for byte
    certs = [tmp_path / "demo" / f"{folder}{keys}" / "cert.pem"
             for folder in ("keys", "authority-keys")]
    errors = [e for d in documents for e in album_errors(d, album)]
    errors += signature_errors(unique, certs, tmp_path)
    assert errors == [], "\n".join(errors[:20])
    return sum(b"urn:customs.ru:" in d.content for d in documents)


def corrected_round_trip(stdout: str, keep: Path, album_path: Path) -> None:
    """The demo's correction: asked, corrected, the correction registry (DocType 1) sent valid
    against the album, released, both versions listed."""
    said = stdout.split("correction round trip", 1)[1].split("\n\n", 1)[0]
    assert "HELD: correction requested: permit for medicinal products required" in said
    assert "marketplace correction: 202 version 2, correction 1 of registry 10005020/" in said
    assert "HELD (FTS:REQ-CORRECT) → DECLARED (CORRECTION) → BATCHED" in said
    assert said.rstrip().splitlines()[-2].endswith("RELEASED (FTS:10)")
    assert "versions: 1 from manifest" in said and "; 2 from correction:" in said
    corrections = []
    for path in sorted((keep / "authority-messages").glob("*-out-batch-*.xml")):
        root = etree.fromstring(path.read_bytes())
        registry = root.find(ENV + "Body")[0] if root.tag == ENV + "Envelope" else None
        if registry is not None and registry.findtext(ECD + "DocType") == "1":
            assert Album.load(album_path).validate(registry, thorough=True) == [], path.name
            assert registry.findtext(ECD + "NumPP") == "1"
            corrections.append(registry.find(ECD + "ExpressCargoDeclarationIdDetails"))
    assert len(corrections) == 1 and corrections[0] is not None


def test_demo_in_the_russian_profile_clears_its_parcels(tmp_path):
    album, keep, stdout = run_demo(tmp_path, 30)
    assert "every parcel reached the state it should" in stdout
    ru_rows = stdout.split("RU manifest", 1)[1].split(" manifest ", 1)[0]
    assert "FTS decision 10: released" in ru_rows and " RUB" in ru_rows
    assert "FTS decision 31: released once duty is paid" in ru_rows
    registries = 0
    for path in sorted((keep / "authority-messages").glob("*-out-batch-*.xml")):
        root = etree.fromstring(path.read_bytes())
        if root.tag != ENV + "Envelope":
            continue
        registry = root.find(ENV + "Body")[0]
        assert Album.load(album).validate(registry, thorough=True) == [], path.name
        registries += 1
    assert registries >= 1
    answers = [p.read_bytes() for p in (keep / "authority-messages").glob("*-in-decisions-*")]
    assert any(b"ExpressCargoDeclarationCustomMark" in a for a in answers)
    declarations = [p.read_bytes() for p in (keep / "declarations").glob("*.xml")]
    assert sum(b"ExpressCargoDeclaration" in d for d in declarations) >= 10
    corrected_round_trip(stdout, keep, album)
    assert check_everything_left(tmp_path, album, keep, "") > 10


def test_the_russian_demo_with_gost_keys(tmp_path):
    """The service signs its declarations and registries, and the simulated FTS its answers,
    with GOST R 34.10-2012 (256-bit) and Streebog; the stock references verify every one."""
    require_gost_engine()
    album, keep, stdout = run_demo(tmp_path, 10, "--key-algorithm", "gost2012-256")
    assert "every parcel reached the state it should" in stdout
    assert "xmlsec1 has no GOST" in stdout
    for path in (keep / "authority-messages").glob("*.xml"):
        assert b"gostr34102012-gostr34112012-256" in path.read_bytes(), path.name
    corrected_round_trip(stdout, keep, album)  # its registry among those verified below
    assert check_everything_left(tmp_path, album, keep, "-gost2012-256") > 10
