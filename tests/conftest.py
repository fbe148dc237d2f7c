"""Shared fixtures: a migrated database per test (SQLite file copy or PostgreSQL truncate),
the app factory, the Flask test client and API keys.

CUSTOMS_TEST_DATABASE_URL picks the engine (default: SQLite). `.ci/run` runs the suite on both.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from api import create_app
from customs.adapters.database.migrate import upgrade, wipe_postgres
from customs.bootstrap import bootstrap
from customs.settings import Settings
from customs.usecases import Application

if TYPE_CHECKING:
    from customs.adapters.documents.profiles.cn_ceb_config import CebConfig
    from schemas.cn_ceb import CebSchemas

# Webhook secrets are encrypted at rest: every Settings of the session (and every worker
# process it starts) gets this key unless a test says otherwise (tests/api/test_secrets_at_rest).
TEST_SECRETS_KEY = os.environ.setdefault("CUSTOMS_SECRETS_KEY", Fernet.generate_key().decode())
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEST_DB = os.environ.get("CUSTOMS_TEST_DATABASE_URL", "")
# The session's development key: valid from before the fixed test clock until long after today.
DEV_KEY_NOT_BEFORE = datetime(2026, 1, 1, tzinfo=UTC)
DEV_KEY_DAYS = 3650
METRICS_TOKEN = "test-metrics-token-0123456789"
METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}
TENANT = Path(__file__).resolve().parents[1] / "examples" / "cn-ceb-tenant.toml"


def shared_path(*parts: str) -> Path:
    """A file under ../shared (reference data); fail loudly if the folder is missing."""
    path = SHARED.joinpath(*parts)
    if not SHARED.is_dir():
        pytest.fail(f"reference data folder {SHARED} is absent: these tests need ../shared "
                    "beside the repository (CI provides it)")
    return path


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


def dev_key_days_left() -> float:
    """Days left on the session's development key at the fixed test clock's time."""
    left = DEV_KEY_NOT_BEFORE + timedelta(days=DEV_KEY_DAYS) - FixedClock().now()
    return left.total_seconds() / 86400


def pytest_report_header() -> str:
    return f"customs test database: {'PostgreSQL ' + TEST_DB if TEST_DB else 'SQLite'}"


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per session: a template SQLite file, or the PostgreSQL test database."""
    if TEST_DB:
        engine = sa.create_engine(TEST_DB)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
        upgrade(TEST_DB)
        return TEST_DB
    template = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{template}")
    return str(template)


@pytest.fixture
def database_url(migrated: str, tmp_path: Path) -> str:
    if TEST_DB:
        wipe_postgres(TEST_DB)
        return TEST_DB
    target = tmp_path / "customs.db"
    shutil.copyfile(migrated, target)
    return f"sqlite:///{target}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def customs(database_url: str, clock: FixedClock) -> Iterator[Application]:
    app_core = bootstrap(Settings(database_url=database_url), clock=clock)
    yield app_core
    app_core.close()


@pytest.fixture(scope="session")
def dev_signing_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A development key and certificate generated for this test session (never committed)."""
    from signing import generate_dev_key

    return generate_dev_key("ecdsa-p256", tmp_path_factory.mktemp("signer"), days=DEV_KEY_DAYS,
                            not_before=DEV_KEY_NOT_BEFORE,
                            common_name="customs test signer")


@pytest.fixture
def signed_customs(database_url: str, clock: FixedClock,
                   dev_signing_key: tuple[Path, Path]) -> Iterator[Application]:
    """The application with a signing key: accepted parcels are declared at intake."""
    key, cert = dev_signing_key
    app_core = bootstrap(Settings(database_url=database_url, signing_key=key, signing_cert=cert,
                                  metrics_token=METRICS_TOKEN), clock=clock)
    yield app_core
    app_core.close()


@pytest.fixture
def signed_client(signed_customs: Application):  # type: ignore[no-untyped-def]
    return create_app(customs=signed_customs).test_client()


@pytest.fixture
def app(customs: Application):  # type: ignore[no-untyped-def]
    flask_app = create_app(customs=customs)
    flask_app.config.update(TESTING=True)
    return flask_app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def marketplace_key(customs: Application) -> str:
    return customs.access.create_api_key("acme", "marketplace")[1]


@pytest.fixture
def other_key(customs: Application) -> str:
    return customs.access.create_api_key("globex", "marketplace")[1]


@pytest.fixture
def auth(marketplace_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {marketplace_key}"}


# The official GACC CEB message definitions (../shared) and the example tenant (cn-ceb).
@pytest.fixture(scope="session")
def ceb_path() -> Path:
    path = shared_path("schemas", "cn-gacc-ceb-2022-05")
    assert (path / "xmldsig-core-schema.xsd").is_file(), f"{path}: GACC CEB schemas missing"
    return path


@pytest.fixture(scope="session")
def ceb_schemas(ceb_path: Path) -> CebSchemas:
    from schemas.cn_ceb import CebSchemas

    return CebSchemas.load(ceb_path)


@pytest.fixture(scope="session")
def tenant() -> CebConfig:
    from customs.adapters.documents.profiles.cn_ceb_config import load_config

    return load_config(TENANT)
@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    """A real webhook receiver (tests/webhook_receiver.py), stopped after the test."""
    from tests.webhook_receiver import Receiver

    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()


@pytest.fixture
def hooked(customs: Application) -> Application:
    """The application set to reach a local receiver, its retry jitter at the ceiling."""
    from tests.webhook_receiver import MaxRng

    customs.settings.webhook_allow_private_urls = True
    customs.webhooks.rng = MaxRng()  # type: ignore[assignment]
    return customs
