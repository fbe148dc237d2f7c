"""Indexes for the supervisor's dashboard (web console), so that its figures are read from
indexes of the offices in scope, not from the parcels' rows:

- parcels per office and status over a period: ix_parcels_office_created carries the status
  (PostgreSQL INCLUDE; SQLite has no INCLUDE and keeps the index as it was);
- clearance time per day: released parcels by (office, released_at, created_at), partial
  (only released parcels: intake, which inserts none, pays nothing for it);
- held parcels by age: HELD parcels by (office, updated_at), partial.

Revision ID: 0017
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RELEASED = sa.text("released_at IS NOT NULL")
HELD = sa.text("status = 'HELD'")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.drop_index('ix_parcels_office_created', table_name='parcels')
        op.create_index('ix_parcels_office_created', 'parcels',
                        ['customs_office', 'created_at', 'id'], postgresql_include=['status'])
    op.create_index('ix_parcels_office_released', 'parcels',
                    ['customs_office', 'released_at', 'created_at'],
                    postgresql_where=RELEASED, sqlite_where=RELEASED)
    op.create_index('ix_parcels_held_office_updated', 'parcels',
                    ['customs_office', 'updated_at'], postgresql_where=HELD, sqlite_where=HELD)


def downgrade() -> None:
    op.drop_index('ix_parcels_held_office_updated', table_name='parcels')
    op.drop_index('ix_parcels_office_released', table_name='parcels')
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_parcels_office_created', table_name='parcels')
        op.create_index('ix_parcels_office_created', 'parcels',
                        ['customs_office', 'created_at', 'id'])
