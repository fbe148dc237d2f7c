"""PostgreSQL connections are pinged before use only when they may have died (idle for a while,
or the server spoke on them while idle), and a request after the server killed every
connection still succeeds, as it did with a ping on every checkout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from customs.adapters.database import engine as database
from customs.adapters.database.engine import make_engine
from tests.conftest import TEST_DB
from tests.manifests import manifest, parcel

pytestmark = pytest.mark.skipif(not TEST_DB, reason="pooled server connections: PostgreSQL")


def _server_now(url: str) -> Any:
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        now = conn.exec_driver_sql("SELECT clock_timestamp()").scalar()
    admin.dispose()
    return now


@pytest.fixture
def since(database_url: str) -> Any:
    """When the test began, on the server's clock: only connections opened since are killed,
    never another session's (customs_test is shared)."""
    return _server_now(database_url)


def _terminate_others(url: str, since: Any) -> int:
    """pg_terminate_backend on the test database's connections opened since `since`."""
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_start >= %s", (since,)).scalar()
    admin.dispose()
    time.sleep(0.3)  # the backends' FATAL message and FIN reach the pooled sockets
    return int(killed or 0)


@pytest.fixture(params=[False, True], ids=["writer", "reader"])
def engine(request: pytest.FixtureRequest, since: Any,
           database_url: str) -> Iterator[sa.engine.Engine]:
    made = make_engine(database_url, read_only=request.param)
    yield made
    made.dispose()


@pytest.fixture
def pings(engine: sa.engine.Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted: list[int] = []
    real = engine.dialect.do_ping

    def counting(dbapi_connection):  # type: ignore[no-untyped-def]
        counted.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return counted


def _backend(engine: sa.engine.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())  # type: ignore[arg-type]


def test_a_connection_in_use_is_not_pinged(engine, pings):
    first = _backend(engine)
    for _ in range(20):
        assert _backend(engine) == first  # the same pooled connection each time
    assert pings == []


def test_a_connection_idle_past_the_threshold_is_pinged(engine, pings, monkeypatch):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.05)
    _backend(engine)
    time.sleep(0.1)
    _backend(engine)
    assert pings == [1]


def test_a_terminated_connection_is_replaced_before_use(since, engine, pings, database_url):
    before = _backend(engine)
    assert _terminate_others(database_url, since) >= 1
    after = _backend(engine)  # well within the idle second: the socket told
    assert after != before
    assert pings == [1]


def test_requests_succeed_after_the_server_killed_every_connection(since, client, customs,
                                                                   marketplace_key,
                                                                   database_url):
    from customs.services.intake import SubmitManifest

    who = customs.access.authenticate(marketplace_key)
    customs.intake.submit_manifest(SubmitManifest(who.tenant_id, "m-1", manifest(parcel()), "t"))
    auth = {"Authorization": f"Bearer {marketplace_key}"}
    number = "RR123456785CN"
    assert client.get(f"/v1/parcels/{number}", headers=auth).status_code == 200
    assert client.get("/v1/feed", headers=auth).status_code == 200
    assert client.get("/health").status_code == 200  # the writer engine
    assert _terminate_others(database_url, since) >= 2
    for _ in range(2):
        reply = client.get(f"/v1/parcels/{number}", headers=auth)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        assert reply.get_json()["tracking_number"] == number
        assert client.get("/v1/feed", headers=auth).status_code == 200
        assert client.get("/health").json["database"] == "ok"
