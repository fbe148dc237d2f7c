"""batches

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:44:21.472871
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('batches',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('customs_office', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('parcel_count', sa.Integer(), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batches_status'), ['status'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('document', sa.LargeBinary(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_messages_message_id', 'messages', ['message_id'], unique=False)
    op.create_index('ix_messages_batch_id', 'messages', ['batch_id'], unique=False)

    # Not batch mode: on SQLite the column is added in place with its REFERENCES clause, so the
    # parcels table (and its partial unique index) is never copied and recreated.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE parcels ADD COLUMN batch_id VARCHAR(36) REFERENCES batches (id)')
    else:
        op.add_column('parcels', sa.Column('batch_id', sa.String(length=36), nullable=True))
        op.create_foreign_key('fk_parcels_batch_id', 'parcels', 'batches', ['batch_id'], ['id'])
    op.create_index('ix_parcels_batch_id', 'parcels', ['batch_id'], unique=False)
    op.create_index('ix_parcels_status_office', 'parcels', ['status', 'customs_office', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_messages_batch_id', table_name='messages')
    op.drop_index('ix_messages_message_id', table_name='messages')
    op.drop_table('messages')

    op.drop_index('ix_parcels_status_office', table_name='parcels')
    op.drop_index('ix_parcels_batch_id', table_name='parcels')
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_column('batch_id')

    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batches_status'))

    op.drop_table('batches')

