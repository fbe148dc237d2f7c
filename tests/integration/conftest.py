"""Fixtures of the ru-fts-express tests (test_ru_fts, test_ru_fts_corrections): the official
album (../shared), the simulated FTS, and the service in the profile (a marketplace key's
tenant on `tenant_id`). A module may define its own `sim` (test_simulator does)."""

from __future__ import annotations

import pytest

from customs.bootstrap import bootstrap
from customs.settings import Settings
from simulator.app import create_sim_app, make_state
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def album_path():  # type: ignore[no-untyped-def]
    path = shared_path("schemas", "ru-fts-5.23.0-express")
    assert (path / "ExpressCargoDeclaration.xsd").is_file(), f"{path}: FTS album missing"
    return path


@pytest.fixture
def sim(tmp_path, dev_signing_key, album_path):  # type: ignore[no-untyped-def]
    state = make_state(dev_signing_key[1], tmp_path / "sim", delay=0, album=album_path,
                       hold_share=0)
    return state, create_sim_app(state).test_client()


@pytest.fixture
def ru(database_url, clock, dev_signing_key, album_path, sim, tmp_path):  # type: ignore[no-untyped-def]
    key, cert = dev_signing_key
    app_core = bootstrap(Settings(
        database_url=database_url, signing_key=key, signing_cert=cert,
        ru_profile="ru-fts-express", ru_fts_album=album_path,
        authority_cert=tmp_path / "sim" / "cert.pem"), clock=clock)
    app_core.tenant_id = app_core.access.authenticate(
        app_core.access.create_api_key("acme", "marketplace")[1]).tenant_id
    yield app_core
    app_core.close()
