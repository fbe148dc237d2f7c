"""intake: tenants, keys, manifests, parcels, events, idempotency, hs codes

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 03:46:36.096308
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('hs_codes',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('tenants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('manifests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('destination_country', sa.String(length=2), nullable=False),
    sa.Column('customs_office', sa.String(length=12), nullable=False),
    sa.Column('transport', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('document_size', sa.Integer(), nullable=False),
    sa.Column('parcel_count', sa.Integer(), nullable=False),
    sa.Column('accepted_count', sa.Integer(), nullable=False),
    sa.Column('rejected_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('manifests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manifests_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_sha256', sa.String(length=64), nullable=False),
    sa.Column('manifest_id', sa.String(length=36), nullable=False),
    sa.Column('response', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'key')
    )
    op.create_table('manifest_documents',
    sa.Column('manifest_id', sa.String(length=36), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], ),
    sa.PrimaryKeyConstraint('manifest_id')
    )
    op.create_table('parcels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manifest_id', sa.String(length=36), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sa.String(length=64), nullable=True),
    sa.Column('courier', sa.String(length=32), nullable=True),
    sa.Column('destination_country', sa.String(length=2), nullable=False),
    sa.Column('customs_office', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('declared_value', sa.String(length=24), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('gross_weight', sa.String(length=16), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('violations', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.create_index('ix_parcels_manifest_position', ['manifest_id', 'position'], unique=True)
        batch_op.create_index('ix_parcels_manifest_status', ['manifest_id', 'status', 'position'], unique=False)
        batch_op.create_index('ix_parcels_tenant_tracking', ['tenant_id', 'tracking_number'], unique=False)
        batch_op.create_index('ux_parcels_open_tracking', ['tenant_id', 'tracking_number'], unique=True, sqlite_where=sa.text("status NOT IN ('REJECTED', 'RELEASED', 'RETURNED', 'CANCELLED')"), postgresql_where=sa.text("status NOT IN ('REJECTED', 'RELEASED', 'RETURNED', 'CANCELLED')"))

    op.create_table('parcel_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('previous_status', sa.String(length=24), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('parcel_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parcel_events_parcel_id'), ['parcel_id'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('parcel_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcel_events_parcel_id'))

    op.drop_table('parcel_events')
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_index('ux_parcels_open_tracking', sqlite_where=sa.text("status NOT IN ('REJECTED', 'RELEASED', 'RETURNED', 'CANCELLED')"), postgresql_where=sa.text("status NOT IN ('REJECTED', 'RELEASED', 'RETURNED', 'CANCELLED')"))
        batch_op.drop_index('ix_parcels_tenant_tracking')
        batch_op.drop_index('ix_parcels_manifest_status')
        batch_op.drop_index('ix_parcels_manifest_position')

    op.drop_table('parcels')
    op.drop_table('manifest_documents')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('manifests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manifests_tenant_id'))

    op.drop_table('manifests')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_tenant_id'))

    op.drop_table('api_keys')
    op.drop_table('tenants')
    op.drop_table('hs_codes')

