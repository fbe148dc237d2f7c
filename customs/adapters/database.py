"""Engines for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """`read_only`: an engine for reads alone. On SQLite its transactions begin DEFERRED (a
    reader under WAL takes no lock), so readers in several processes do not queue behind one
    another on the write lock that BEGIN IMMEDIATE takes."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, read_only=read_only, **kwargs)
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


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
