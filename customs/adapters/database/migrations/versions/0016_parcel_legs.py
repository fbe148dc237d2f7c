"""Parcel legs (issue 20): a parcel exported at its origin before its import names its current
leg (parcels.leg: 'export', then 'import'; NULL for a parcel with the one import leg), and every
status event names the leg it belongs to (parcel_events.leg), so the history, the feed and the
webhooks tell the export clearance from the import one.

Revision ID: 0016
Revises: 0014
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): parcel_events keeps its append-only triggers.
    op.add_column('parcels', sa.Column('leg', sa.String(8), nullable=True))
    op.add_column('parcel_events', sa.Column('leg', sa.String(8), nullable=True))


def downgrade() -> None:
    # DROP COLUMN on both engines (SQLite >= 3.35): a batch copy would drop the triggers
    for table in ('parcel_events', 'parcels'):
        op.execute(f'ALTER TABLE {table} DROP COLUMN leg')
