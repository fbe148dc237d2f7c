"""Run Alembic migrations programmatically (`customs db upgrade`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from customs.adapters.database.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
    engine.dispose()
    return rev


@cache
def head() -> str | None:
    """The newest revision this release knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def revision(engine: Any) -> str | None:
    """The revision a database is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()  # type: ignore[no-any-return]


APPEND_ONLY = ("parcel_events", "audit_log")


def wipe_postgres(url: str) -> None:
    """Empty every table (tests and benchmarks only, run as the tables' owner): the histories
    refuse TRUNCATE, so their no_truncate triggers are lifted for that one statement."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        names = conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename <> 'alembic_version'").scalars().all()
        guarded = [t for t in APPEND_ONLY if t in names]
        for table in guarded:
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_truncate")
        if names:  # a database not migrated yet has nothing to empty
            conn.exec_driver_sql(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
        for table in guarded:
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_truncate")
    engine.dispose()
