"""declarations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:03:56.273913
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('declarations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('signer_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('signature_algorithm', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declarations_parcel_id'), ['parcel_id'], unique=False)

    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declaration_error', sa.Text(), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_column('declaration_error')

    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declarations_parcel_id'))

    op.drop_table('declarations')

