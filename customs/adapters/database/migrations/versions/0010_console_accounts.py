"""console accounts and sessions

Revision ID: 0010
Revises: 0009

People who sign in to the web console (issue 17), apart from API keys: their password hash,
second factor, lockout counters and scope; their sessions, server-side (the cookie holds a
random token, the row its SHA-256).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def _utc(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'console_users',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('email', sa.String(90), nullable=False, unique=True),
        sa.Column('role', sa.String(20), nullable=False),
        sa.Column('tenant_id', sa.Integer, sa.ForeignKey('tenants.id'), nullable=True),
        sa.Column('offices', JSON, nullable=True),
        sa.Column('locale', sa.String(5), nullable=False),
        sa.Column('password_hash', sa.String(200), nullable=False),
        sa.Column('must_change_password', sa.Boolean, nullable=False),
        sa.Column('totp_secret', sa.String(64), nullable=True),
        sa.Column('totp_last_step', sa.BigInteger, nullable=True),
        sa.Column('failed_attempts', sa.Integer, nullable=False, server_default='0'),
        _utc('locked_until'),
        _utc('created_at', nullable=False),
        _utc('disabled_at'),
    )
    op.create_table(
        'console_sessions',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('user_id', sa.Integer, sa.ForeignKey('console_users.id'), nullable=False),
        sa.Column('stage', sa.String(12), nullable=False),
        _utc('created_at', nullable=False),
        _utc('last_seen_at', nullable=False),
        _utc('ended_at'),
        sa.Column('ended_reason', sa.String(24), nullable=True),
    )
    op.create_index('ix_console_sessions_user_id', 'console_sessions', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_console_sessions_user_id', table_name='console_sessions')
    op.drop_table('console_sessions')
    op.drop_table('console_users')
