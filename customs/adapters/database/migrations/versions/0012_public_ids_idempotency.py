"""Public parcel ids, idempotent replies for every POST, the server's own secrets (issue 18)

- `parcels.public_id`: `pcl_` + 16 base32 characters (80 random bits), unique; existing rows
  get one here. Nullable in the schema only because SQLite cannot add a NOT NULL column
  without rebuilding the table: every writer sets it (parcel_row), and this backfill leaves none.
- `idempotency_keys`: a stored reply for any POST, not only a manifest's receipt
  (`manifest_id` and `response` nullable: a reply in progress has no response yet), with its
  HTTP status and headers; `created_at` indexed for the purge of expired replies.
- `server_secrets`: keys the service generates for itself when none is configured (the cursor
  signing key), shared by every process on the database.

Revision ID: 0012
Revises: 0009
"""
import base64
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5000
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _public_id() -> str:
    """As customs.domain.public_ids.parcel_id (a migration does not import the application)."""
    return "pcl_" + base64.b32encode(os.urandom(10)).decode().lower()


def _backfill(conn: sa.Connection) -> None:
    parcels = sa.table('parcels', sa.column('id', sa.Integer),
                       sa.column('public_id', sa.String))
    update = (sa.update(parcels).where(parcels.c.id == sa.bindparam('pid'))
              .values(public_id=sa.bindparam('value')))
    last = -1
    while True:
        ids = conn.execute(sa.select(parcels.c.id).where(parcels.c.id > last)
                           .order_by(parcels.c.id).limit(CHUNK)).scalars().all()
        if not ids:
            return
        conn.execute(update, [{'pid': pid, 'value': _public_id()} for pid in ids])
        last = ids[-1]


def upgrade() -> None:
    op.add_column('parcels', sa.Column('public_id', sa.String(length=24), nullable=True))
    _backfill(op.get_bind())
    op.create_index('ux_parcels_public_id', 'parcels', ['public_id'], unique=True)
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('manifest_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.alter_column('response', existing_type=JSON, nullable=True)
        batch_op.add_column(sa.Column('status_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('headers', JSON, nullable=True))
        batch_op.create_index('ix_idempotency_keys_created_at', ['created_at'], unique=False)
    op.create_table(
        'server_secrets',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'))


def downgrade() -> None:
    op.drop_table('server_secrets')
    op.execute("DELETE FROM idempotency_keys WHERE manifest_id IS NULL OR response IS NULL")
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_keys_created_at')
        batch_op.drop_column('headers')
        batch_op.drop_column('status_code')
        batch_op.alter_column('response', existing_type=JSON, nullable=False)
        batch_op.alter_column('manifest_id', existing_type=sa.String(length=36),
                              nullable=False)
    op.drop_index('ux_parcels_public_id', table_name='parcels')
    op.drop_column('parcels', 'public_id')  # SQLite 3.35+: no rebuild of the table
