"""Webhook secrets are stored sealed (encrypted at rest): room for the longer values

A sealed secret is `enc1:` + a Fernet token, about 170 characters; the columns held 100. The
secrets themselves are sealed by `customs db upgrade` right after the migrations when
CUSTOMS_SECRETS_KEY is set (or later by `customs webhooks reencrypt`): a migration has no key.
Sealed values do not fit the old width, so the downgrade refuses while any is stored.

Revision ID: 0009
Revises: 0007
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.alter_column('secret', type_=sa.String(400), existing_type=sa.String(100),
                              existing_nullable=False)
        batch_op.alter_column('previous_secret', type_=sa.String(400),
                              existing_type=sa.String(100), existing_nullable=True)


def downgrade() -> None:
    sealed = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM webhooks WHERE secret LIKE :sealed "
        "OR previous_secret LIKE :sealed"), {"sealed": "enc1:%"}).scalar()
    if sealed:
        raise RuntimeError(f"{sealed} webhooks hold sealed secrets, longer than the old "
                           "columns: delete them (or their webhooks) before downgrading")
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.alter_column('secret', type_=sa.String(100), existing_type=sa.String(400),
                              existing_nullable=False)
        batch_op.alter_column('previous_secret', type_=sa.String(100),
                              existing_type=sa.String(400), existing_nullable=True)
