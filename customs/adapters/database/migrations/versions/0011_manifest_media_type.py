"""A manifest document records the media type it was received as (XML or JSON, issue 18)

Existing documents were all XML: the column's default says so.

Revision ID: 0011
Revises: 0009
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('manifest_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('media_type', sa.String(64), nullable=False,
                                      server_default='application/xml'))


def downgrade() -> None:
    with op.batch_alter_table('manifest_documents', schema=None) as batch_op:
        batch_op.drop_column('media_type')
