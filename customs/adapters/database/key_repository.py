"""Tenants and their API keys (stored hashed; revoked or expired keys never authenticate)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.columns import iso, utc
from customs.adapters.database.tables import ApiKey, ServerSecret, Tenant
from customs.services.ports import Principal
from customs.services.read_models.reference import ApiKeyView


class SqlKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def server_secret(self, name: str, candidate: str, at: datetime) -> str:
        """The server's secret `name`: stored once (`candidate` when none is), then the same
        for every process. Two first callers race on the primary key; both read the winner."""
        table = ServerSecret.__table__  # type: ignore[attr-defined]
        query = sa.select(table.c.value).where(table.c.name == name)
        found = self.session.execute(query).scalar()
        if found is not None:
            return str(found)
        try:
            self.session.execute(sa.insert(table).values(name=name, value=candidate,
                                                         created_at=at))
        except sa.exc.IntegrityError:
            self.session.rollback()  # another process stored it first: read theirs
            return str(self.session.execute(query).scalar_one())
        return candidate

    def tenant_id(self, name: str, create_at: datetime | None = None) -> int | None:
        found = self.session.execute(
            sa.select(Tenant.id).where(Tenant.name == name)).scalar()  # type: ignore[arg-type]
        if found is not None or create_at is None:
            return found
        result = self.session.execute(sa.insert(Tenant.__table__).values(  # type: ignore[attr-defined]
            name=name, created_at=create_at))
        return int(result.inserted_primary_key[0])

    def add(self, key_id: str, tenant_id: int, role: str, key_hash: str, at: datetime,
            expires_at: datetime | None, label: str | None, *, courier: str | None = None,
            offices: list[str] | None = None) -> None:
        self.session.execute(sa.insert(ApiKey.__table__).values(  # type: ignore[attr-defined]
            id=key_id, tenant_id=tenant_id, role=role, key_hash=key_hash, created_at=at,
            expires_at=expires_at, label=label, courier=courier, offices=offices))

    def find(self, key_hash: str, at: datetime) -> Principal | None:
        query = sa.select(ApiKey, Tenant.name).join(Tenant).where(ApiKey.key_hash == key_hash)
        row = self.session.execute(query).first()
        if row is None:
            return None
        key, tenant = row
        expires = utc(key.expires_at)
        if key.revoked_at is not None or (expires is not None and expires <= at):
            return None
        return Principal(key.id, key.tenant_id, tenant, key.role, key.courier,
                         tuple(key.offices or ()), expires)

    def list(self, tenant_id: int | None) -> list[ApiKeyView]:
        query = sa.select(ApiKey, Tenant.name).join(Tenant).order_by(ApiKey.created_at)
        if tenant_id is not None:
            query = query.where(ApiKey.tenant_id == tenant_id)
        return [ApiKeyView(k.id, name, k.role, k.label, k.courier, k.offices,
                           iso(k.created_at), iso(k.expires_at), iso(k.revoked_at))
                for k, name in self.session.execute(query)]

    def revoke(self, key_id: str, at: datetime) -> bool:
        result = self.session.execute(
            sa.update(ApiKey.__table__).where(  # type: ignore[attr-defined]
                ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=at))  # type: ignore[union-attr]
        return bool(result.rowcount)
