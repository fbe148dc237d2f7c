"""officers, couriers, feed, webhooks, audit

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:40:00

- API keys carry a scope: the courier code (courier role) or the customs offices (officer role).
- Parcels get search columns (waybills, amount, goods words, HS codes in parcel_goods) and
  released_at for clearance-time statistics.
- Events carry their parcel's scope (tenant, courier, office) so that a feed page is one index
  range, the writer's transaction id (PostgreSQL) so that the feed never skips a late commit,
  the actor's role and the duty of the change.
- parcel_events and audit_log are append-only: triggers refuse UPDATE and DELETE.
- Webhooks and their deliveries.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
APPEND_ONLY = ("parcel_events", "audit_log")


def _utc(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table('api_keys') as b:
        b.add_column(sa.Column('courier', sa.String(32), nullable=True))
        b.add_column(sa.Column('offices', JSON, nullable=True))

    with op.batch_alter_table('parcels') as b:
        b.add_column(sa.Column('house_waybill', sa.String(64), nullable=True))
        b.add_column(sa.Column('master_waybill', sa.String(32), nullable=True))
        b.add_column(sa.Column('declared_amount', sa.Numeric(20, 4), nullable=True))
        b.add_column(sa.Column('search_text', sa.Text, nullable=True))
        b.add_column(_utc('released_at'))
        b.create_index('ix_parcels_office_created', ['customs_office', 'created_at', 'id'])
        b.create_index('ix_parcels_office_status_created',
                       ['customs_office', 'status', 'created_at', 'id'])
        b.create_index('ix_parcels_office_amount', ['customs_office', 'declared_amount', 'id'])
        b.create_index('ix_parcels_office_status_amount',
                       ['customs_office', 'status', 'declared_amount', 'id'])
        b.create_index('ix_parcels_tenant_created', ['tenant_id', 'created_at', 'id'])
        b.create_index('ix_parcels_courier_created', ['courier', 'created_at', 'id'])
        b.create_index('ix_parcels_created', ['created_at', 'id'])
        b.create_index('ix_parcels_tracking', ['tracking_number'])
        b.create_index('ix_parcels_house_waybill', ['house_waybill'])
        b.create_index('ix_parcels_master_waybill', ['master_waybill'])
        b.create_index('ix_parcels_amount', ['declared_amount'])
        b.create_index('ix_parcels_released', ['released_at'])

    op.create_table(
        'parcel_goods',
        sa.Column('parcel_id', sa.Integer, sa.ForeignKey('parcels.id'), nullable=False),
        sa.Column('hs_code', sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint('parcel_id', 'hs_code'))
    op.create_index('ix_parcel_goods_hs', 'parcel_goods', ['hs_code', 'parcel_id'])
    if pg:
        op.execute("CREATE INDEX ix_parcels_search_text ON parcels "
                   "USING gin (to_tsvector('simple', coalesce(search_text, '')))")
    else:
        # Contentless full-text index: rowid is the parcel id.
        op.execute("CREATE VIRTUAL TABLE parcel_text USING fts5(words, content='', "
                   "tokenize='unicode61 remove_diacritics 2')")

    with op.batch_alter_table('parcel_events') as b:
        b.add_column(sa.Column('tenant_id', sa.Integer, nullable=True))
        b.add_column(sa.Column('courier', sa.String(32), nullable=True))
        b.add_column(sa.Column('customs_office', sa.String(12), nullable=True))
        b.add_column(sa.Column('txid', sa.BigInteger, nullable=False, server_default='0'))
        b.add_column(sa.Column('role', sa.String(20), nullable=True))
        b.add_column(sa.Column('duty_amount', sa.String(24), nullable=True))
        b.add_column(sa.Column('duty_currency', sa.String(3), nullable=True))
        b.create_index('ix_events_tenant_feed', ['tenant_id', 'txid', 'id'])
        b.create_index('ix_events_courier_feed', ['courier', 'txid', 'id'])
        b.create_index('ix_events_office_feed', ['customs_office', 'txid', 'id'])
        b.create_index('ix_events_feed', ['txid', 'id'])
    op.execute("UPDATE parcel_events SET "
               "tenant_id = (SELECT p.tenant_id FROM parcels p WHERE p.id = parcel_id), "
               "courier = (SELECT p.courier FROM parcels p WHERE p.id = parcel_id), "
               "customs_office = (SELECT p.customs_office FROM parcels p WHERE p.id = parcel_id)")
    if pg:
        # The writing transaction's id: the feed reads only below the oldest running one.
        op.execute("ALTER TABLE parcel_events ALTER COLUMN txid "
                   "SET DEFAULT (pg_current_xact_id()::text)::bigint")

    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer, primary_key=True),
        _utc('at', nullable=False),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.Column('role', sa.String(20), nullable=True),
        sa.Column('tenant_id', sa.Integer, nullable=True),
        sa.Column('action', sa.String(40), nullable=False),
        sa.Column('object_type', sa.String(30), nullable=False),
        sa.Column('object_id', sa.String(64), nullable=False),
        sa.Column('before', JSON, nullable=True),
        sa.Column('after', JSON, nullable=True))
    op.create_index('ix_audit_object', 'audit_log', ['object_type', 'object_id', 'id'])
    op.create_index('ix_audit_tenant', 'audit_log', ['tenant_id', 'id'])

    op.create_table(
        'webhooks',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('tenant_id', sa.Integer, sa.ForeignKey('tenants.id'), nullable=False),
        sa.Column('api_key_id', sa.String(32), sa.ForeignKey('api_keys.id'), nullable=False),
        sa.Column('scope_key', sa.String(400), nullable=False),
        sa.Column('role', sa.String(20), nullable=False),
        sa.Column('courier', sa.String(32), nullable=True),
        sa.Column('offices', JSON, nullable=True),
        sa.Column('url', sa.Text, nullable=False),
        sa.Column('secret', sa.String(100), nullable=False),
        sa.Column('previous_secret', sa.String(100), nullable=True),
        _utc('previous_secret_until'),
        sa.Column('cursor', sa.String(64), nullable=False),
        _utc('created_at', nullable=False),
        _utc('deleted_at'))
    op.create_index('ix_webhooks_tenant_id', 'webhooks', ['tenant_id'])
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('webhook_id', sa.String(36), sa.ForeignKey('webhooks.id'), nullable=False),
        sa.Column('event_id', sa.Integer, nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('attempts', sa.Integer, nullable=False, server_default='0'),
        _utc('created_at', nullable=False),
        _utc('first_attempt_at'),
        _utc('next_attempt_at'),
        _utc('lease_until'),
        sa.Column('lease_owner', sa.String(32), nullable=True),
        _utc('delivered_at'),
        sa.Column('last_status', sa.Integer, nullable=True),
        sa.Column('last_error', sa.Text, nullable=True),
        sa.UniqueConstraint('webhook_id', 'event_id', name='ux_delivery_event'))
    op.create_index('ix_deliveries_due', 'webhook_deliveries', ['status', 'next_attempt_at'])
    op.create_index('ix_deliveries_webhook', 'webhook_deliveries', ['webhook_id', 'status', 'id'])

    _append_only(pg)


def _append_only(pg: bool) -> None:
    if pg:
        op.execute("""
            CREATE FUNCTION customs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
            END $$""")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION customs_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION customs_append_only()")
        return
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); "
                       f"END")


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for table in APPEND_ONLY:
        if pg:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if pg:
        op.execute("DROP FUNCTION IF EXISTS customs_append_only()")
        op.execute("DROP INDEX IF EXISTS ix_parcels_search_text")
    else:
        op.execute("DROP TABLE IF EXISTS parcel_text")
    op.drop_table('webhook_deliveries')
    op.drop_table('webhooks')
    op.drop_table('audit_log')
    with op.batch_alter_table('parcel_events') as b:
        for name in ('ix_events_tenant_feed', 'ix_events_courier_feed', 'ix_events_office_feed',
                     'ix_events_feed'):
            b.drop_index(name)
        for col in ('tenant_id', 'courier', 'customs_office', 'txid', 'role', 'duty_amount',
                    'duty_currency'):
            b.drop_column(col)
    op.drop_table('parcel_goods')
    with op.batch_alter_table('parcels') as b:
        for name in ('ix_parcels_office_created', 'ix_parcels_office_status_created',
                     'ix_parcels_office_amount', 'ix_parcels_office_status_amount',
                     'ix_parcels_tenant_created',
                     'ix_parcels_courier_created', 'ix_parcels_created', 'ix_parcels_tracking',
                     'ix_parcels_house_waybill', 'ix_parcels_master_waybill', 'ix_parcels_amount',
                     'ix_parcels_released'):
            b.drop_index(name)
        for col in ('house_waybill', 'master_waybill', 'declared_amount', 'search_text',
                    'released_at'):
            b.drop_column(col)
    with op.batch_alter_table('api_keys') as b:
        b.drop_column('offices')
        b.drop_column('courier')
