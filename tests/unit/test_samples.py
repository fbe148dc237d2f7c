"""The sample generator: valid parcels are valid, designed defects hit their code."""

from __future__ import annotations

import pytest
from lxml import etree

from customs.adapters.documents.samples import generate_manifest
from customs.bootstrap import bootstrap
from customs.settings import Settings
from customs.usecases import Application
from schemas import manifest_xsd_path
from tests.unit.fakes import FakeUnitOfWork


@pytest.fixture(scope="module")
def offline() -> Application:
    return bootstrap(Settings(database_url="sqlite://"), uow_factory=FakeUnitOfWork)


def test_same_seed_same_manifest():
    assert generate_manifest(50, 7, invalid_rate=0.2).xml == \
        generate_manifest(50, 7, invalid_rate=0.2).xml
    assert generate_manifest(50, 7).xml != generate_manifest(50, 8).xml


def test_all_valid_manifest_validates_against_the_whole_schema():
    schema = etree.XMLSchema(etree.parse(str(manifest_xsd_path())))
    for destination in ("RU", "DE", "US", "CN"):
        doc = etree.fromstring(generate_manifest(40, 3, destination=destination).xml)
        assert schema.validate(doc), (destination, schema.error_log)


# Checked at intake only, with the service's rates and the buyer's earlier parcels: the
# offline check (`customs validate`) has neither (tests/integration/test_cn_ceb_flow.py).
AT_INTAKE = {"BUYER_TRANSACTION_LIMIT"}


@pytest.mark.parametrize("destination", ["RU", "DE", "FR", "US", "CN", "GB"])
@pytest.mark.parametrize("seed", [1, 2])
def test_each_parcel_gets_its_designed_outcome(offline, destination, seed):
    sample = generate_manifest(220, seed, invalid_rate=0.25, destination=destination)
    _, outcomes = offline.intake.validate_offline(sample.xml)
    assert len(outcomes) == len(sample.expected) == 220
    designed = {code for code in sample.expected if code}
    assert len(designed) >= 8  # a variety of defects
    for outcome, code in zip(outcomes, sample.expected, strict=True):
        found = {v.code for v in outcome.violations}
        if code is None or code in AT_INTAKE:
            assert not found, (outcome.position, found)
        else:
            assert code in found, (outcome.position, code, found)


def test_parcels_are_about_a_kilobyte_and_a_half():
    sample = generate_manifest(1000, 5)
    assert 900 < len(sample.xml) / 1000 < 2500
