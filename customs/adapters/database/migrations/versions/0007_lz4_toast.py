"""PostgreSQL: lz4 instead of pglz for the large values (signed documents, manifests, parcel data)

TOAST compresses every value over ~2 KB. With pglz, storing a 10,000-parcel manifest's signed
declarations took 81-84 µs a parcel in COPY; with lz4 53-57 µs (docs/performance.md), and the
whole intake on PostgreSQL ~7 % less. Only new values are written with lz4; older ones stay
pglz and read as before. Needs PostgreSQL 14+ built with lz4 (Debian's and PGDG's packages
are); elsewhere nothing changes (a NOTICE says so). SQLite: nothing to do.

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("declarations", "document"), ("manifest_documents", "content"),
           ("batches", "document"), ("messages", "document"), ("parcels", "data"))


def _set_compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return
    statements = " ".join(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method};"
                          for table, column in COLUMNS)
    op.execute(f"""DO $$ BEGIN {statements}
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'this server has no lz4: large values stay compressed with pglz';
END $$""")


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("default")
