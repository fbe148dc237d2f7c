"""`customs demo --profile ru-fts-express --album PATH`: the whole flow in the FTS formats, and
every registry it sent validates against the official album (../shared)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lxml import etree

from schemas.ru_fts import Album
from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parents[2]
ENV = "{urn:customs:ru-fts-envelope:1}"


def test_demo_in_the_russian_profile_clears_its_parcels(tmp_path):
    album = shared_path("schemas", "ru-fts-5.23.0-express")
    assert (album / "ExpressCargoDeclaration.xsd").is_file(), f"{album}: FTS album missing"
    keep = tmp_path / "exchanged"
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--workdir", str(tmp_path / "demo"),
         "--parcels", "30", "--keep", str(keep), "--profile", "ru-fts-express",
         "--album", str(album)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "every parcel reached the state it should" in result.stdout
    ru_rows = result.stdout.split("RU manifest", 1)[1].split(" manifest ", 1)[0]
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
