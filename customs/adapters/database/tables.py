"""SQLModel table definitions. Rows are built only in repositories (SQLModel does not validate).

Money and weights are text (exact decimal strings): SQLite would round NUMERIC through float.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

# Statuses after which a tracking number may be used again (customs.domain.lifecycle).
_FINAL_SQL = "status NOT IN ('REJECTED', 'RELEASED', 'RETURNED', 'CANCELLED')"
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


# Full-text search lives outside the models: an FTS5 table on SQLite, an expression GIN index
# on PostgreSQL (migration 0005). Autogenerate and the schema test leave them alone.
FULL_TEXT_OBJECTS = ("parcel_text", "ix_parcels_search_text")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    return not (name or "").startswith(FULL_TEXT_OBJECTS)


def utc_column(nullable: bool = False) -> Any:
    return sa.Column(sa.DateTime(timezone=True), nullable=nullable)


class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False, unique=True))
    created_at: datetime = Field(sa_column=utc_column())


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"
    id: str = Field(sa_column=sa.Column(sa.String(32), primary_key=True))
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    role: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    key_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    label: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Scope: the courier code a courier key sees; the customs offices an officer key sees.
    courier: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    offices: list | None = Field(default=None, sa_column=sa.Column(JSONType))


class ConsoleUser(SQLModel, table=True):
    """A person who signs in to the web console (customs.domain.accounts); never an API key.
    Scope as the API's: an officer's or supervisor's offices, a marketplace user's tenant."""

    __tablename__ = "console_users"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=sa.Column(sa.String(90), nullable=False, unique=True))
    role: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    tenant_id: int | None = Field(default=None, foreign_key="tenants.id")
    offices: list | None = Field(default=None, sa_column=sa.Column(JSONType))
    locale: str = Field(sa_column=sa.Column(sa.String(5), nullable=False))
    password_hash: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    must_change_password: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    totp_secret: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    totp_last_step: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger))
    failed_attempts: int = Field(sa_column=sa.Column(sa.Integer, nullable=False,
                                                     server_default="0"))
    locked_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(sa_column=utc_column())
    disabled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class ConsoleSession(SQLModel, table=True):
    """A console session, server-side: the cookie holds a random token, this row its SHA-256."""

    __tablename__ = "console_sessions"
    id: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    user_id: int = Field(foreign_key="console_users.id", index=True)
    stage: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    last_seen_at: datetime = Field(sa_column=utc_column())
    ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    ended_reason: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))


class ConsoleSavedView(SQLModel, table=True):
    """A person's saved filters of a console list page (customs.domain.saved_views)."""

    __tablename__ = "console_saved_views"
    __table_args__ = (sa.Index("ux_console_saved_views_user_page_name", "user_id", "page",
                               "name", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="console_users.id")
    page: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    name: str = Field(sa_column=sa.Column(sa.String(60), nullable=False))
    query: str = Field(sa_column=sa.Column(sa.String(2000), nullable=False))
    created_at: datetime = Field(sa_column=utc_column())


class Manifest(SQLModel, table=True):
    __tablename__ = "manifests"
    id: str = Field(sa_column=sa.Column(sa.String(36), primary_key=True))
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    ref: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    issued_at: datetime = Field(sa_column=utc_column())
    received_at: datetime = Field(sa_column=utc_column())
    destination_country: str = Field(sa_column=sa.Column(sa.String(2), nullable=False))
    customs_office: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    transport: dict | None = Field(default=None, sa_column=sa.Column(JSONType))
    document_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    document_size: int
    parcel_count: int
    accepted_count: int
    rejected_count: int
    # The receipt as the submitter got it (async: once processed); null before migration 0013.
    receipt: dict | None = Field(default=None, sa_column=sa.Column(JSONType))


class ManifestJob(SQLModel, table=True):
    """A manifest accepted for processing later (large, or `Prefer: respond-async`): stored as
    received with its idempotency key, claimed by one worker at a time with a lease, finished
    in the transaction that writes its manifest and parcels. Its id is the manifest's id."""

    __tablename__ = "manifest_jobs"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="ux_manifest_jobs_key"),
        sa.Index("ix_manifest_jobs_due", "status", "lease_until"),
    )
    id: str = Field(sa_column=sa.Column(sa.String(36), primary_key=True))
    tenant_id: int = Field(foreign_key="tenants.id")
    idempotency_key: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    request_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    content_type: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    actor: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    # Emptied once processed (the manifest's document holds it then).
    document: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    document_size: int
    status: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False,
                                                         server_default="0"))
    received_at: datetime = Field(sa_column=utc_column())
    lease_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    lease_owner: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    problem: dict | None = Field(default=None, sa_column=sa.Column(JSONType))


class ManifestDocument(SQLModel, table=True):
    """The manifest exactly as received (customs practice: keep the original)."""

    __tablename__ = "manifest_documents"
    manifest_id: str = Field(
        sa_column=sa.Column(sa.String(36), sa.ForeignKey("manifests.id"), primary_key=True))
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    media_type: str = Field(default="application/xml", sa_column=sa.Column(
        sa.String(64), nullable=False, server_default="application/xml"))


class ParcelRow(SQLModel, table=True):
    __tablename__ = "parcels"
    __table_args__ = (
        sa.Index("ix_parcels_status_office", "status", "customs_office", "id"),
        sa.Index("ix_parcels_manifest_position", "manifest_id", "position", unique=True),
        sa.Index("ix_parcels_manifest_status", "manifest_id", "status", "position"),
        sa.Index("ix_parcels_tenant_tracking", "tenant_id", "tracking_number"),
        sa.Index("ux_parcels_open_tracking", "tenant_id", "tracking_number", unique=True,
                 sqlite_where=sa.text(_FINAL_SQL), postgresql_where=sa.text(_FINAL_SQL)),
        # The dashboard's (migration 0017): status carried for counts per office and status;
        # released and held parcels only, by office.
        sa.Index("ix_parcels_office_created", "customs_office", "created_at", "id",
                 postgresql_include=["status"]),
        sa.Index("ix_parcels_office_released", "customs_office", "released_at", "created_at",
                 sqlite_where=sa.text("released_at IS NOT NULL"),
                 postgresql_where=sa.text("released_at IS NOT NULL")),
        sa.Index("ix_parcels_held_office_updated", "customs_office", "updated_at",
                 sqlite_where=sa.text("status = 'HELD'"),
                 postgresql_where=sa.text("status = 'HELD'")),
        sa.Index("ix_parcels_office_status_created", "customs_office", "status", "created_at",
                 "id"),
        sa.Index("ix_parcels_office_amount", "customs_office", "declared_amount", "id"),
        sa.Index("ix_parcels_office_status_amount", "customs_office", "status",
                 "declared_amount", "id"),
        sa.Index("ix_parcels_tenant_created", "tenant_id", "created_at", "id"),
        sa.Index("ix_parcels_courier_created", "courier", "created_at", "id"),
        sa.Index("ix_parcels_created", "created_at", "id"),
        sa.Index("ix_parcels_tracking", "tracking_number"),
        sa.Index("ix_parcels_house_waybill", "house_waybill"),
        sa.Index("ix_parcels_master_waybill", "master_waybill"),
        sa.Index("ix_parcels_amount", "declared_amount"),
        sa.Index("ix_parcels_released", "released_at"),
        sa.Index("ux_parcels_public_id", "public_id", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    # The id the API shows (customs.domain.public_ids); nullable only for SQLite's ALTER
    # (migration 0012): every writer sets it.
    public_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))
    manifest_id: str = Field(sa_column=sa.Column(sa.String(36), sa.ForeignKey("manifests.id"),
                                                 nullable=False))
    tenant_id: int = Field(foreign_key="tenants.id")
    position: int
    tracking_number: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    courier: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    destination_country: str = Field(sa_column=sa.Column(sa.String(2), nullable=False))
    customs_office: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    status: str = Field(sa_column=sa.Column(sa.String(24), nullable=False))
    declared_value: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))
    currency: str | None = Field(default=None, sa_column=sa.Column(sa.String(3)))
    gross_weight: str | None = Field(default=None, sa_column=sa.Column(sa.String(16)))
    data: dict | None = Field(default=None, sa_column=sa.Column(JSONType))
    violations: list | None = Field(default=None, sa_column=sa.Column(JSONType))
    declaration_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    batch_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(36), sa.ForeignKey("batches.id"),
                                          index=True))
    duty_amount: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))
    duty_currency: str | None = Field(default=None, sa_column=sa.Column(sa.String(3)))
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # Search columns (officer search): waybills, the amount as a number, goods words.
    house_waybill: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    master_waybill: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    declared_amount: Any = Field(default=None, sa_column=sa.Column(sa.Numeric(20, 4)))
    search_text: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    released_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # The duty estimate made at intake (customs.domain.duty); status says when there is none.
    estimate_status: str | None = Field(default=None, sa_column=sa.Column(sa.String(16)))
    estimate_amount: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))
    estimate_currency: str | None = Field(default=None, sa_column=sa.Column(sa.String(3)))
    estimate_rule: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    estimate: dict | None = Field(default=None, sa_column=sa.Column(JSONType))
    # the current leg of a parcel with two (customs.domain.legs); NULL: the one import leg
    leg: str | None = Field(default=None, sa_column=sa.Column(sa.String(8)))


class ParcelGoods(SQLModel, table=True):
    """The distinct HS codes of a parcel's goods (search by chapter or code prefix)."""

    __tablename__ = "parcel_goods"
    __table_args__ = (sa.Index("ix_parcel_goods_hs", "hs_code", "parcel_id"),)
    parcel_id: int = Field(foreign_key="parcels.id", primary_key=True)
    hs_code: str = Field(sa_column=sa.Column(sa.String(10), primary_key=True))



class Batch(SQLModel, table=True):
    """An outbox row: one sealed, signed message to the authority, sent until acknowledged."""

    __tablename__ = "batches"
    id: str = Field(sa_column=sa.Column(sa.String(36), primary_key=True))
    message_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    profile: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    customs_office: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    status: str = Field(sa_column=sa.Column(sa.String(24), nullable=False, index=True))
    parcel_count: int
    document: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    document_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    sealed_at: datetime = Field(sa_column=utc_column())
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    lease_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    submitted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Message(SQLModel, table=True):
    """Every message in and out, verbatim, with its ids, direction and time (audit trail)."""

    __tablename__ = "messages"
    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(sa_column=sa.Column(sa.String(3), nullable=False))  # in / out
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    message_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), index=True))
    batch_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(36), sa.ForeignKey("batches.id"), index=True))
    http_status: int | None = None
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    document: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary))
    at: datetime = Field(sa_column=utc_column())


class Declaration(SQLModel, table=True):
    """A parcel's signed declaration, stored as signed (the bytes that verify)."""

    __tablename__ = "declarations"
    id: str = Field(sa_column=sa.Column(sa.String(36), primary_key=True))
    parcel_id: int = Field(foreign_key="parcels.id", index=True)
    profile: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    document: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    document_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    signer_fingerprint: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    signature_algorithm: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    # Parcels whose declarations share a group key go to the same batch (ru-fts-express: the
    # master waybill, one registry per master waybill and office); None for other profiles.
    group_key: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    # When a correction's declaration replaced this one (kept: it is what was sent then).
    replaced_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class ParcelEvent(SQLModel, table=True):
    """Append-only history of a parcel's statuses (triggers refuse UPDATE and DELETE).

    The parcel's scope (tenant, courier, office) is copied in so that a feed page is one index
    range; txid is the writing transaction's id on PostgreSQL (0 on SQLite), see feed_repository.
    """

    __tablename__ = "parcel_events"
    __table_args__ = (
        sa.Index("ix_events_tenant_feed", "tenant_id", "txid", "id"),
        sa.Index("ix_events_courier_feed", "courier", "txid", "id"),
        sa.Index("ix_events_office_feed", "customs_office", "txid", "id"),
        sa.Index("ix_events_feed", "txid", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    parcel_id: int = Field(foreign_key="parcels.id", index=True)
    status: str = Field(sa_column=sa.Column(sa.String(24), nullable=False))
    previous_status: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))
    at: datetime = Field(sa_column=utc_column())
    actor: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    source: str | None = Field(default=None, sa_column=sa.Column(sa.String(40)))
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    tenant_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    courier: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    customs_office: str | None = Field(default=None, sa_column=sa.Column(sa.String(12)))
    txid: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False,
                                                     server_default="0"))
    role: str | None = Field(default=None, sa_column=sa.Column(sa.String(20)))
    duty_amount: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))
    duty_currency: str | None = Field(default=None, sa_column=sa.Column(sa.String(3)))
    leg: str | None = Field(default=None, sa_column=sa.Column(sa.String(8)))  # of a two-leg parcel


class IdempotencyRecord(SQLModel, table=True):
    """A POST's stored reply per (tenant, Idempotency-Key): a manifest's receipt (written in the
    manifest's transaction), or any other POST's reply (claimed first: `response` is NULL
    while the request runs). Expired after CUSTOMS_IDEMPOTENCY_TTL_HOURS from `created_at`."""

    __tablename__ = "idempotency_keys"
    tenant_id: int = Field(foreign_key="tenants.id", primary_key=True)
    key: str = Field(sa_column=sa.Column(sa.String(255), primary_key=True))
    request_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    manifest_id: str | None = Field(default=None, sa_column=sa.Column(
        sa.String(36), sa.ForeignKey("manifests.id"), nullable=True))
    response: dict | None = Field(default=None, sa_column=sa.Column(JSONType, nullable=True))
    status_code: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    headers: dict | None = Field(default=None, sa_column=sa.Column(JSONType))
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False,
                                                     index=True))


class ServerSecret(SQLModel, table=True):
    """Keys the service made for itself when none is configured (the cursor signing key):
    one value for every process on the database."""

    __tablename__ = "server_secrets"
    name: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    value: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    created_at: datetime = Field(sa_column=utc_column())


class HsCode(SQLModel, table=True):
    """The loaded HS nomenclature (6-digit subheadings)."""

    __tablename__ = "hs_codes"
    code: str = Field(sa_column=sa.Column(sa.String(6), primary_key=True))
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))


class InboundMessage(SQLModel, table=True):
    """Authority messages applied once: the primary key is their message id."""

    __tablename__ = "inbound_messages"
    message_id: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    received_at: datetime = Field(sa_column=utc_column())
    applied: int = 0
    ignored: int = 0
    orphaned: int = 0


class OrphanDecision(SQLModel, table=True):
    """A decision for a parcel we do not know: kept aside and reported, never dropped."""

    __tablename__ = "orphan_decisions"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, index=True))
    declaration_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    tracking_number: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    code: str = Field(sa_column=sa.Column(sa.String(24), nullable=False))
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    received_at: datetime = Field(sa_column=utc_column())
    # Why it matched no parcel (unknown declaration, other tracking number, another batch's).
    why: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))


class PendingDecision(SQLModel, table=True):
    """A decision that cannot apply yet (it arrived before the one it follows): kept with its
    parcel and applied when the parcel gets there; dropped only once stale."""

    __tablename__ = "pending_decisions"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    parcel_id: int = Field(foreign_key="parcels.id", index=True)
    declaration_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    tracking_number: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    code: str = Field(sa_column=sa.Column(sa.String(24), nullable=False))
    duty_amount: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))
    duty_currency: str | None = Field(default=None, sa_column=sa.Column(sa.String(3)))
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    envelope_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    received_at: datetime = Field(sa_column=utc_column())


class QuarantinedMessage(SQLModel, table=True):
    """An authority message that could not be verified, read, matched or mapped: kept whole
    with the reason, out of the way of the messages after it, until an operator replays it."""

    __tablename__ = "quarantined_messages"
    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_column=utc_column())
    channel: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))  # push/poll
    origin: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))
    code: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    detail: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    document: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    document_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, index=True))
    status: str = Field(sa_column=sa.Column(sa.String(16), nullable=False, index=True))
    attempts: int = 1
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    result: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class PollCursor(SQLModel, table=True):
    """Where polling of an authority's decision feed has got to."""

    __tablename__ = "poll_cursors"
    name: str = Field(sa_column=sa.Column(sa.String(200), primary_key=True))
    position: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    updated_at: datetime = Field(sa_column=utc_column())


class AuditEntry(SQLModel, table=True):
    """Append-only audit history of changes other than parcel statuses (keys, webhooks...)."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_object", "object_type", "object_id", "id"),
                      sa.Index("ix_audit_tenant", "tenant_id", "id"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=utc_column())
    actor: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    role: str | None = Field(default=None, sa_column=sa.Column(sa.String(20)))
    tenant_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    action: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    object_type: str = Field(sa_column=sa.Column(sa.String(30), nullable=False))
    object_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    before: dict | None = Field(default=None, sa_column=sa.Column(JSONType))
    after: dict | None = Field(default=None, sa_column=sa.Column(JSONType))


class Webhook(SQLModel, table=True):
    __tablename__ = "webhooks"
    id: str = Field(sa_column=sa.Column(sa.String(36), primary_key=True))
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    # The key that registered it: its scope is what the webhook receives, and it stops when
    # that key is revoked or expires; keys of the same scope manage it.
    api_key_id: str = Field(sa_column=sa.Column(sa.String(32), sa.ForeignKey("api_keys.id"),
                                                nullable=False))
    scope_key: str = Field(sa_column=sa.Column(sa.String(400), nullable=False))
    role: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    courier: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    offices: list | None = Field(default=None, sa_column=sa.Column(JSONType))
    url: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # Sealed (encrypted at rest, customs.adapters.webhooks.secret_box), never the plain secret.
    secret: str = Field(sa_column=sa.Column(sa.String(400), nullable=False))
    previous_secret: str | None = Field(default=None, sa_column=sa.Column(sa.String(400)))
    previous_secret_until: datetime | None = Field(default=None,
                                                   sa_column=utc_column(nullable=True))
    cursor: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    events: list | None = Field(default=None, sa_column=sa.Column(JSONType))  # null: every type


class WebhookEvent(SQLModel, table=True):
    """An event other than a parcel's status change, for the webhooks of its audience: a
    marketplace tenant (`tenant_id`), an office's officers (`customs_office`), or one webhook
    (a ping: `webhook_id`). Its deliveries are queued in the transaction that stores it."""

    __tablename__ = "webhook_events"
    __table_args__ = (sa.Index("ix_webhook_events_tenant", "tenant_id", "id"),
                      sa.Index("ix_webhook_events_office", "customs_office", "id"))
    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    at: datetime = Field(sa_column=utc_column())
    audience: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    tenant_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    customs_office: str | None = Field(default=None, sa_column=sa.Column(sa.String(12)))
    webhook_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(36)))
    data: dict = Field(sa_column=sa.Column(JSONType, nullable=False))


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("webhook_id", "event_type", "event_id", name="ux_delivery_event"),
        sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_deliveries_webhook", "webhook_id", "status", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    webhook_id: str = Field(sa_column=sa.Column(sa.String(36), sa.ForeignKey("webhooks.id"),
                                                nullable=False))
    event_id: int
    # parcel.status_changed: event_id is a parcel_events id; any other: a webhook_events id.
    event_type: str = Field(default="parcel.status_changed", sa_column=sa.Column(
        sa.String(40), nullable=False, server_default="parcel.status_changed"))
    status: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False,
                                                         server_default="0"))
    created_at: datetime = Field(sa_column=utc_column())
    first_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    lease_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    lease_owner: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class WebhookAttempt(SQLModel, table=True):
    """One attempt to deliver: when, the receiver's status code, how long, what failed."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (sa.Index("ix_webhook_attempts_delivery", "delivery_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey(
        "webhook_deliveries.id"), nullable=False))
    at: datetime = Field(sa_column=utc_column())
    status_code: int | None = None
    duration_ms: int | None = None
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class ExchangeRate(SQLModel, table=True):
    """Dated exchange rates loaded by operators: on `day`, 1 `currency` = `rate` `base`."""

    __tablename__ = "exchange_rates"
    day: date = Field(sa_column=sa.Column(sa.Date, primary_key=True))
    currency: str = Field(sa_column=sa.Column(sa.String(3), primary_key=True))
    base: str = Field(sa_column=sa.Column(sa.String(3), primary_key=True))
    rate: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    loaded_at: datetime = Field(sa_column=utc_column())
    loaded_by: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))


class CorrectionRequestRow(SQLModel, table=True):
    """What the authority's correction request (FTS ExpressCargoReqCorrect) says about one
    parcel, kept with the HELD event it caused; open until a correction answers it."""

    __tablename__ = "correction_requests"
    __table_args__ = (sa.UniqueConstraint("message_id", "parcel_id",
                                          name="ux_correction_request_message"),)
    id: int | None = Field(default=None, primary_key=True)
    parcel_id: int = Field(foreign_key="parcels.id", index=True)
    message_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    declaration_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    registration_number: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    correct_doc_type: str = Field(sa_column=sa.Column(sa.String(1), nullable=False))
    doc_kind: str = Field(sa_column=sa.Column(sa.String(1), nullable=False))
    limit_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    violations: list | None = Field(default=None, sa_column=sa.Column(JSONType))
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    changes: list | None = Field(default=None, sa_column=sa.Column(JSONType))
    received_at: datetime = Field(sa_column=utc_column())
    corrected_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class ParcelCorrection(SQLModel, table=True):
    """A marketplace's correction: the parcel's new version (its data before and after), the
    document as received, the correction's declaration and the reply (idempotent replays)."""

    __tablename__ = "parcel_corrections"
    __table_args__ = (
        sa.UniqueConstraint("parcel_id", "version", name="ux_parcel_correction_version"),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="ux_parcel_correction_key"),
        sa.Index("ix_parcel_corrections_registration", "registration_number", "ordinal"),
    )
    id: int | None = Field(default=None, primary_key=True)
    parcel_id: int = Field(foreign_key="parcels.id")
    request_id: int = Field(foreign_key="correction_requests.id")
    version: int
    tenant_id: int
    idempotency_key: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    request_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    document: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    previous_data: dict = Field(sa_column=sa.Column(JSONType, nullable=False))
    data: dict = Field(sa_column=sa.Column(JSONType, nullable=False))
    declaration_id: str = Field(sa_column=sa.Column(sa.String(36), nullable=False))
    registration_number: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    ordinal: int
    changes: str = Field(sa_column=sa.Column(sa.String(7), nullable=False))
    response: dict = Field(sa_column=sa.Column(JSONType, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    actor: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
