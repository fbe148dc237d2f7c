"""decisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 04:52:08.499359
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('inbound_messages',
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied', sa.Integer(), nullable=False),
    sa.Column('ignored', sa.Integer(), nullable=False),
    sa.Column('orphaned', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('message_id')
    )
    op.create_table('poll_cursors',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('orphan_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('declaration_id', sa.String(length=64), nullable=True),
    sa.Column('tracking_number', sa.String(length=64), nullable=True),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('orphan_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orphan_decisions_message_id'), ['message_id'], unique=False)

    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duty_amount', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('duty_currency', sa.String(length=3), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_column('duty_currency')
        batch_op.drop_column('duty_amount')

    with op.batch_alter_table('orphan_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orphan_decisions_message_id'))

    op.drop_table('orphan_decisions')
    op.drop_table('poll_cursors')
    op.drop_table('inbound_messages')

