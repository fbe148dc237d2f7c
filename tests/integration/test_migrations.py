"""The migrations build exactly the tables the code declares, and go down again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from customs.adapters.database.migrate import alembic_config, upgrade, wipe_postgres
from customs.adapters.database.tables import include_object
from tests.conftest import TEST_DB


def test_migrated_schema_matches_the_models(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                    "include_object": include_object})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_downgrade_to_base_and_up_again(database_url):
    command.downgrade(alembic_config(database_url), "base")
    engine = sa.create_engine(database_url)
    tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()
    if database_url.startswith("postgresql"):
        wipe_postgres(database_url)  # nothing to empty: no statement with an empty table list
    upgrade(database_url)


LZ4_COLUMNS = {("declarations", "document"), ("manifest_documents", "content"),
               ("batches", "document"), ("messages", "document"), ("parcels", "data")}


def _compression(database_url: str) -> dict[tuple[str, str], str]:
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT attrelid::regclass::text, attname, attcompression FROM pg_attribute "
            "WHERE attrelid::regclass::text IN ('declarations', 'manifest_documents', "
            "'batches', 'messages', 'parcels') AND attnum > 0 AND NOT attisdropped").all()
    engine.dispose()
    return {(table, column): method for table, column, method in rows}


@pytest.mark.skipif(not TEST_DB.startswith("postgresql"), reason="TOAST: PostgreSQL")
def test_large_values_are_compressed_with_lz4_and_the_downgrade_resets_it(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        try:
            conn.exec_driver_sql("SET default_toast_compression = 'lz4'")
            lz4 = True
        except sa.exc.DBAPIError:
            lz4 = False
    engine.dispose()
    methods = _compression(database_url)
    assert {key for key, method in methods.items() if method} == (LZ4_COLUMNS if lz4 else set())
    assert all(methods[key] == "l" for key in LZ4_COLUMNS) or not lz4
    command.downgrade(alembic_config(database_url), "0006")
    assert not any(_compression(database_url).values())
    upgrade(database_url)
    assert _compression(database_url) == methods
