"""The hand-written examples behave as examples/README.md says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from customs.bootstrap import bootstrap
from customs.domain.errors import ManifestRefused
from customs.settings import Settings
from customs.usecases import Application
from tests.unit.fakes import FakeUnitOfWork

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def offline() -> Application:
    return bootstrap(Settings(database_url="sqlite://"), uow_factory=FakeUnitOfWork)


def test_small_ru_manifest_is_all_valid(offline):
    _, outcomes = offline.intake.validate_offline((EXAMPLES / "manifest-ru-small.xml").read_bytes())
    assert [o.accepted for o in outcomes] == [True, True, True]


def test_each_commented_parcel_gets_its_code(offline):
    document = (EXAMPLES / "manifest-eu-with-errors.xml").read_bytes()
    designed = re.findall(rb"<!-- ([A-Z_]+|valid):", document)
    _, outcomes = offline.intake.validate_offline(document)
    assert len(designed) == len(outcomes) == 4
    for outcome, code in zip(outcomes, designed, strict=True):
        found = {v.code for v in outcome.violations}
        assert found == (set() if code == b"valid" else {code.decode()}), outcome.position


def test_invalid_header_refuses_the_whole_manifest(offline):
    with pytest.raises(ManifestRefused) as refused:
        offline.intake.validate_offline((EXAMPLES / "manifest-envelope-invalid.xml").read_bytes())
    assert refused.value.code == "MANIFEST_ENVELOPE_INVALID"
    assert refused.value.violations[0].path == "/Manifest/IssuedAt"
