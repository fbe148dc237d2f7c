"""duty estimates, exchange rates, declaration group keys (issue 7)

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exchange_rates',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('base', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.String(length=32), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('loaded_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('day', 'currency', 'base')
    )
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimate_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('estimate_amount', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('estimate_currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('estimate_rule', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('estimate', sa.JSON().with_variant(
            postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_key', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_column('group_key')
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_column('estimate')
        batch_op.drop_column('estimate_rule')
        batch_op.drop_column('estimate_currency')
        batch_op.drop_column('estimate_amount')
        batch_op.drop_column('estimate_status')
    op.drop_table('exchange_rates')
