"""Engines for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import json
import select
import time
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from customs.domain.errors import DatabaseNotMigrated

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A PostgreSQL connection back in the pool for longer than this is pinged before it is used.
PING_AFTER_IDLE_SECONDS = 1.0


def json_text(value: Any) -> str:
    """How JSON columns are written: compact UTF-8 by orjson (a parcel's data in 6 µs instead
    of json.dumps' 20, a tenth of intake's staging); what orjson refuses (integers past 64
    bits, keys that are not strings, lone surrogates) goes to json.dumps as before. Both read
    back the same values; JSONB on PostgreSQL stores its own form either way."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """`read_only`: an engine for reads alone. On SQLite its transactions begin DEFERRED (a
    reader under WAL takes no lock), so readers in several processes do not queue behind one
    another on the write lock that BEGIN IMMEDIATE takes. On PostgreSQL see _postgres_reader."""
    kwargs.setdefault("json_serializer", json_text)
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url, read_only=read_only, **kwargs)
    elif read_only:
        engine = _postgres_reader(url, **kwargs)
    else:
        engine = _ping_when_stale(sa.create_engine(url, **kwargs))
    event.listen(engine, "handle_error", _schema_behind)
    return engine


# A table or column this release uses is missing: the schema is older than the code.
_MISSING_SQLSTATES = {"42P01", "42703"}  # PostgreSQL undefined_table, undefined_column
_MISSING_SQLITE = ("no such table", "no such column", "has no column named")


def _schema_behind(context: Any) -> None:
    """A query on a table or column the schema lacks is told as DatabaseNotMigrated (HTTP
    503 DATABASE_NOT_MIGRATED, the CLI's "run `customs db upgrade`"), not as a driver error
    and a traceback."""
    original = context.original_exception
    missing = getattr(original, "sqlstate", None) in _MISSING_SQLSTATES or (
        type(original).__name__ == "OperationalError"
        and str(original).startswith(_MISSING_SQLITE))
    if missing:
        raise DatabaseNotMigrated(
            "the database schema is older than this release (a table or column is missing): "
            "run `customs db upgrade`") from original


def _ping_when_stale(engine: Engine) -> Engine:
    """Ping a pooled PostgreSQL connection before use only when it may have died: when it sat
    idle for more than PING_AFTER_IDLE_SECONDS, or when the server sent something on it while
    it was idle (a terminated backend or a server shutting down sends its FATAL error and
    closes the socket; one poll() tells). pool_pre_ping did the ping on every checkout: a
    round trip of every request, to a server that has nothing to say under load. HikariCP
    skips its check for a connection used in the last 500 ms, PgBouncer for 30 s
    (server_check_delay).

    A failed ping is handled as pool_pre_ping handles it: on a disconnect the pool is
    invalidated and the checkout gets a new connection; any other error is raised. What this
    does not see: a connection cut silently (no FIN, no error) within the idle second; its
    request fails, and the disconnect invalidates the pool for the next ones."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")  # cleared when the connection is replaced
        if idle_since is None or (time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS
                                  and not _readable(dbapi_connection)):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise sa.exc.InvalidatePoolError(f"ping failed: {exc}") from exc
            raise

    return engine


def _readable(dbapi_connection: Any) -> bool:
    """True when the server sent something (or closed) while the connection was idle."""
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def _postgres_reader(url: str, **kwargs: Any) -> Engine:
    """Reads in autocommit: each statement sees its own snapshot, as it did in a READ
    COMMITTED transaction, without the BEGIN and ROLLBACK round trips around it (a status
    look-up made five round trips, pre-ping included; now its two queries, see
    _ping_when_stale). Its sessions are read-only (default_transaction_read_only, set at
    connection start), so a write through this engine fails instead of being committed at
    once.

    psycopg prepares a statement run five times on a connection, and without the rollback at
    the end of every request (which dropped them) prepared statements now last: PostgreSQL
    would then switch some to a generic plan, one that ignores the values (an officer's HS
    search went from 50 to 100 ms). force_custom_plan plans every execution with its values,
    as before, and keeps what preparing saves (parsing)."""
    connect_args = dict(kwargs.pop("connect_args", {}))
    options = connect_args.get("options", "")
    connect_args["options"] = (f"{options} -c default_transaction_read_only=on"
                               " -c plan_cache_mode=force_custom_plan").strip()
    return _ping_when_stale(sa.create_engine(url, isolation_level="AUTOCOMMIT",
                                             connect_args=connect_args, **kwargs))


def _sqlite_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """WAL, foreign keys on, and writers that wait (BEGIN IMMEDIATE + busy timeout).

    Deferred transactions fail at once with "database is locked" when two processes write;
    taking the write lock at BEGIN and waiting for it makes concurrent writers queue instead.
    """
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # On the driver's connection: the same statement without SQLAlchemy's execution
        # machinery, a tenth of a status look-up's time when it went through it.
        connection.connection.driver_connection.execute(begin)

    return engine
