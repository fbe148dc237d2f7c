"""console saved views

Revision ID: 0018
Revises: 0017

A console person's saved filters of the queue or the search page (issue 17): one row per
person, page and name (unique), the filters as a query string.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'console_saved_views',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('user_id', sa.Integer, sa.ForeignKey('console_users.id'), nullable=False),
        sa.Column('page', sa.String(12), nullable=False),
        sa.Column('name', sa.String(60), nullable=False),
        sa.Column('query', sa.String(2000), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ux_console_saved_views_user_page_name', 'console_saved_views',
                    ['user_id', 'page', 'name'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_console_saved_views_user_page_name', table_name='console_saved_views')
    op.drop_table('console_saved_views')
