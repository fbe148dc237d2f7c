"""API keys: created once (the plaintext is shown once), stored as a hash, revocable, expiring."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from customs.services.ports import Clock, Principal, UnitOfWork

ROLES = ("marketplace", "courier", "officer")
KEY_PREFIX = "cus"


class UnknownRole(ValueError):
    pass


def hash_key(token: str) -> str:
    """Keys carry 256 random bits, so a plain SHA-256 is enough (no password stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_key(
    tenant: str, role: str, *, uow: UnitOfWork, clock: Clock, days: int | None = None,
    label: str | None = None,
) -> tuple[str, str]:
    """Returns (key id, plaintext key). Creates the tenant on first use."""
    if role not in ROLES:
        raise UnknownRole(f"role must be one of {', '.join(ROLES)}")
    now = clock.now()
    key_id = secrets.token_hex(8)
    token = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    expires = None if days is None else now + timedelta(days=days)
    with uow:
        tenant_id = uow.keys.tenant_id(tenant, create_at=now)
        assert tenant_id is not None
        uow.keys.add(key_id, tenant_id, role, hash_key(token), now, expires, label)
        uow.commit()
    return key_id, token


def authenticate(token: str, *, uow: UnitOfWork, clock: Clock) -> Principal | None:
    if not token.startswith(KEY_PREFIX + "_") or len(token) > 200:
        return None
    with uow:
        return uow.keys.find(hash_key(token), clock.now())


def list_api_keys(tenant: str | None, *, uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow:
        tenant_id = None if tenant is None else uow.keys.tenant_id(tenant)
        if tenant is not None and tenant_id is None:
            return []
        return uow.keys.list(tenant_id)


def revoke_api_key(key_id: str, *, uow: UnitOfWork, clock: Clock) -> bool:
    with uow:
        done = uow.keys.revoke(key_id, clock.now())
        uow.commit()
    return done
