"""Decisions never dropped: decisions kept until they can apply, quarantined authority
messages, and why an orphan decision matched no parcel.

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'pending_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=64), nullable=False),
        sa.Column('parcel_id', sa.Integer(), nullable=False),
        sa.Column('declaration_id', sa.String(length=64), nullable=False),
        sa.Column('tracking_number', sa.String(length=64), nullable=False),
        sa.Column('code', sa.String(length=24), nullable=False),
        sa.Column('duty_amount', sa.String(length=24), nullable=True),
        sa.Column('duty_currency', sa.String(length=3), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('envelope_id', sa.String(length=64), nullable=True),
        _utc('received_at'),
        sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_pending_decisions_parcel_id', 'pending_decisions', ['parcel_id'])
    op.create_table(
        'quarantined_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        _utc('received_at'),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('origin', sa.String(length=200), nullable=True),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('document', sa.LargeBinary(), nullable=False),
        sa.Column('document_sha256', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        _utc('resolved_at', nullable=True),
        sa.Column('result', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_quarantined_messages_document_sha256', 'quarantined_messages',
                    ['document_sha256'])
    op.create_index('ix_quarantined_messages_status', 'quarantined_messages', ['status'])
    with op.batch_alter_table('orphan_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('why', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orphan_decisions', schema=None) as batch_op:
        batch_op.drop_column('why')
    op.drop_index('ix_quarantined_messages_status', table_name='quarantined_messages')
    op.drop_index('ix_quarantined_messages_document_sha256', table_name='quarantined_messages')
    op.drop_table('quarantined_messages')
    op.drop_index('ix_pending_decisions_parcel_id', table_name='pending_decisions')
    op.drop_table('pending_decisions')
