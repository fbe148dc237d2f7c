"""Corrections: what the authority's correction requests say (kept with the HELD event), and
the marketplace's corrections, each a new version of its parcel with the earlier one kept;
a declaration replaced by a correction's is kept, marked replaced.

Revision ID: 0014
Revises: 0009
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0014'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def _utc(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'correction_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('parcel_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=64), nullable=False),
        sa.Column('declaration_id', sa.String(length=64), nullable=False),
        sa.Column('registration_number', sa.String(length=40), nullable=False),
        sa.Column('correct_doc_type', sa.String(length=1), nullable=False),
        sa.Column('doc_kind', sa.String(length=1), nullable=False),
        _utc('limit_at', nullable=True),
        sa.Column('violations', JSON, nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('changes', JSON, nullable=True),
        _utc('received_at'),
        _utc('corrected_at', nullable=True),
        sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id', 'parcel_id', name='ux_correction_request_message'))
    op.create_index('ix_correction_requests_parcel_id', 'correction_requests', ['parcel_id'])
    op.create_table(
        'parcel_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('parcel_id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=255), nullable=False),
        sa.Column('request_sha256', sa.String(length=64), nullable=False),
        sa.Column('document', sa.LargeBinary(), nullable=False),
        sa.Column('previous_data', JSON, nullable=False),
        sa.Column('data', JSON, nullable=False),
        sa.Column('declaration_id', sa.String(length=36), nullable=False),
        sa.Column('registration_number', sa.String(length=40), nullable=False),
        sa.Column('ordinal', sa.Integer(), nullable=False),
        sa.Column('changes', sa.String(length=7), nullable=False),
        sa.Column('response', JSON, nullable=False),
        _utc('created_at'),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id']),
        sa.ForeignKeyConstraint(['request_id'], ['correction_requests.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('parcel_id', 'version', name='ux_parcel_correction_version'),
        sa.UniqueConstraint('tenant_id', 'idempotency_key', name='ux_parcel_correction_key'))
    op.create_index('ix_parcel_corrections_registration', 'parcel_corrections',
                    ['registration_number', 'ordinal'])
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.add_column(_utc('replaced_at', nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_column('replaced_at')
    op.drop_index('ix_parcel_corrections_registration', table_name='parcel_corrections')
    op.drop_table('parcel_corrections')
    op.drop_index('ix_correction_requests_parcel_id', table_name='correction_requests')
    op.drop_table('correction_requests')
