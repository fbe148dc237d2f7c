"""Manifests processed asynchronously, webhook event types, delivery attempts

- manifest_jobs: a large manifest (or one sent with `Prefer: respond-async`) stored as received
  with its idempotency key, claimed by a worker with a lease, finished (receipt or problem) in
  the transaction that writes its parcels.
- manifests.receipt: the receipt of every manifest, served by GET /v1/manifests/{id}.
- webhook_events: events other than parcel status changes (manifest.processed,
  manifest.refused, batch.failed, webhook.ping), with their audience; their deliveries are
  queued in the transaction that stores them.
- webhooks.events: the types an endpoint receives (null: all).
- webhook_deliveries.event_type: a delivery names its event by type and id (the two id
  spaces), unique per webhook.
- webhook_attempts: every attempt of a delivery (time, status code, duration, error).

Revision ID: 0013
Revises: 0009
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0013'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PARCEL_EVENT = 'parcel.status_changed'


def _utc(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'manifest_jobs',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('tenant_id', sa.Integer, sa.ForeignKey('tenants.id'), nullable=False),
        sa.Column('idempotency_key', sa.String(255), nullable=False),
        sa.Column('request_sha256', sa.String(64), nullable=False),
        sa.Column('content_type', sa.String(100), nullable=False),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.Column('document', sa.LargeBinary, nullable=False),
        sa.Column('document_size', sa.Integer, nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('attempts', sa.Integer, nullable=False, server_default='0'),
        _utc('received_at', nullable=False),
        _utc('lease_until'),
        sa.Column('lease_owner', sa.String(32), nullable=True),
        _utc('finished_at'),
        sa.Column('problem', JSON, nullable=True),
        sa.UniqueConstraint('tenant_id', 'idempotency_key', name='ux_manifest_jobs_key'))
    op.create_index('ix_manifest_jobs_due', 'manifest_jobs', ['status', 'lease_until'])
    with op.batch_alter_table('manifests') as batch_op:
        batch_op.add_column(sa.Column('receipt', JSON, nullable=True))
    op.create_table(
        'webhook_events',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('type', sa.String(40), nullable=False),
        _utc('at', nullable=False),
        sa.Column('audience', sa.String(20), nullable=False),
        sa.Column('tenant_id', sa.Integer, nullable=True),
        sa.Column('customs_office', sa.String(12), nullable=True),
        sa.Column('webhook_id', sa.String(36), nullable=True),
        sa.Column('data', JSON, nullable=False))
    op.create_index('ix_webhook_events_tenant', 'webhook_events', ['tenant_id', 'id'])
    op.create_index('ix_webhook_events_office', 'webhook_events', ['customs_office', 'id'])
    with op.batch_alter_table('webhooks') as batch_op:
        batch_op.add_column(sa.Column('events', JSON, nullable=True))
    with op.batch_alter_table('webhook_deliveries') as batch_op:
        batch_op.add_column(sa.Column('event_type', sa.String(40), nullable=False,
                                      server_default=PARCEL_EVENT))
        batch_op.drop_constraint('ux_delivery_event', type_='unique')
        batch_op.create_unique_constraint('ux_delivery_event',
                                          ['webhook_id', 'event_type', 'event_id'])
    op.create_table(
        'webhook_attempts',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('delivery_id', sa.Integer, sa.ForeignKey('webhook_deliveries.id'),
                  nullable=False),
        _utc('at', nullable=False),
        sa.Column('status_code', sa.Integer, nullable=True),
        sa.Column('duration_ms', sa.Integer, nullable=True),
        sa.Column('error', sa.Text, nullable=True))
    op.create_index('ix_webhook_attempts_delivery', 'webhook_attempts', ['delivery_id', 'id'])


def downgrade() -> None:
    op.drop_table('webhook_attempts')
    op.execute(f"DELETE FROM webhook_deliveries WHERE event_type <> '{PARCEL_EVENT}'")
    with op.batch_alter_table('webhook_deliveries') as batch_op:
        batch_op.drop_constraint('ux_delivery_event', type_='unique')
        batch_op.create_unique_constraint('ux_delivery_event', ['webhook_id', 'event_id'])
        batch_op.drop_column('event_type')
    op.drop_column('webhooks', 'events')  # SQLite 3.35+: no rebuild (referenced tables)
    op.drop_table('webhook_events')
    op.drop_column('manifests', 'receipt')
    op.drop_table('manifest_jobs')
