"""API keys: created once (the plaintext is shown once), stored as a hash, revocable, expiring."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from customs.services.ports import Clock, Principal
from customs.services.read_models.reference import ApiKeyView
from customs.services.unit_of_work import UnitOfWork

# An operator key manages reference data (exchange rates); it sees no parcel.
ROLES = ("marketplace", "courier", "officer", "operator")
KEY_PREFIX = "cus"


OFFICE = re.compile(r"^[A-Za-z0-9]{2,12}$")
COURIER = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
MAX_OFFICES = 200


class UnknownRole(ValueError):
    pass


class BadScope(ValueError):
    """A courier code or an officer's offices that cannot be used."""


def key_scope(tenant: str, role: str, courier: str | None,
              offices: list[str] | None) -> tuple[str | None, list[str] | None]:
    """A courier key sees the parcels whose Courier is its code (by default the tenant's
    name); an officer key sees the parcels of its customs offices (at least one)."""
    if role == "courier":
        code = courier or tenant
        if not COURIER.match(code):
            raise BadScope("a courier code is 1-32 of A-Z a-z 0-9 . _ - (as in Parcel/Courier)")
        return code, None
    if courier:
        raise BadScope("--courier is for courier keys only")
    if role == "officer":
        codes = sorted({o.strip() for o in offices or [] if o.strip()})
        if not codes or len(codes) > MAX_OFFICES or not all(OFFICE.match(o) for o in codes):
            raise BadScope(f"an officer key needs 1-{MAX_OFFICES} customs office codes "
                           "(2-12 letters or digits), e.g. --offices 10005020,10009100")
        return None, codes
    if offices:
        raise BadScope("--offices is for officer keys only")
    return None, None


def hash_key(token: str) -> str:
    """Keys carry 256 random bits, so a plain SHA-256 is enough (no password stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_key(
    tenant: str, role: str, *, uow: UnitOfWork, clock: Clock, days: int | None = None,
    label: str | None = None, courier: str | None = None, offices: list[str] | None = None,
    actor: str = "operator",
) -> tuple[str, str]:
    """Returns (key id, plaintext key). Creates the tenant on first use."""
    if role not in ROLES:
        raise UnknownRole(f"role must be one of {', '.join(ROLES)}")
    courier, office_list = key_scope(tenant, role, courier, offices)
    now = clock.now()
    key_id = secrets.token_hex(8)
    token = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    expires = None if days is None else now + timedelta(days=days)
    with uow:
        tenant_id = uow.keys.tenant_id(tenant, create_at=now)
        assert tenant_id is not None
        uow.keys.add(key_id, tenant_id, role, hash_key(token), now, expires, label,
                     courier=courier, offices=office_list)
        uow.audit.record(None, actor, "api_key.create", "api_key", key_id, None,
                         {"tenant": tenant, "role": role, "courier": courier,
                          "offices": office_list, "label": label,
                          "expires_at": None if expires is None else expires.isoformat()}, now)
        uow.commit()
    return key_id, token


class KeyCache:
    """Keys verified in the last few seconds, by hash, so that a request needs no database
    read to know its caller (it was a third of a status look-up's time).

    A key revoked through this process is forgotten at once; one revoked elsewhere (the CLI,
    another worker or machine) stops working within `seconds`. An entry never outlives the
    key's own expiry. Bounded: when `max_keys` are held it starts again empty.
    """

    def __init__(self, seconds: float, max_keys: int = 10_000) -> None:
        self.ttl = timedelta(seconds=seconds)
        self.max_keys = max_keys
        self._keys: dict[str, tuple[Principal, datetime]] = {}

    def get(self, key_hash: str, now: datetime) -> Principal | None:
        hit = self._keys.get(key_hash)
        if hit is None:
            return None
        if now >= hit[1]:
            self._keys.pop(key_hash, None)
            return None
        return hit[0]

    def put(self, key_hash: str, who: Principal, now: datetime) -> None:
        if not self.ttl:
            return
        until = now + self.ttl
        if who.expires_at is not None:
            until = min(until, who.expires_at)
        if len(self._keys) >= self.max_keys:
            self._keys.clear()
        self._keys[key_hash] = (who, until)

    def forget(self, key_id: str) -> None:
        for key_hash, (who, _) in list(self._keys.items()):
            if who.key_id == key_id:
                self._keys.pop(key_hash, None)


def authenticate(token: str, *, uow: UnitOfWork, clock: Clock,
                 cache: KeyCache | None = None) -> Principal | None:
    if not token.startswith(KEY_PREFIX + "_") or len(token) > 200:
        return None
    key_hash = hash_key(token)
    now = clock.now()
    if cache is not None and (known := cache.get(key_hash, now)) is not None:
        return known
    with uow:
        found = uow.keys.find(key_hash, now)
    if found is not None and cache is not None:
        cache.put(key_hash, found, now)
    return found


def list_api_keys(tenant: str | None, *, uow: UnitOfWork) -> list[ApiKeyView]:
    with uow:
        tenant_id = None if tenant is None else uow.keys.tenant_id(tenant)
        if tenant is not None and tenant_id is None:
            return []
        return uow.keys.list(tenant_id)


def revoke_api_key(key_id: str, *, uow: UnitOfWork, clock: Clock,
                   actor: str = "operator", cache: KeyCache | None = None) -> bool:
    with uow:
        now = clock.now()
        done = uow.keys.revoke(key_id, now)
        if done:
            uow.audit.record(None, actor, "api_key.revoke", "api_key", key_id,
                             {"revoked_at": None}, {"revoked_at": now.isoformat()}, now)
        uow.commit()
    if cache is not None:
        cache.forget(key_id)
    return done


class CursorKey:
    """The key that signs list cursors (customs.domain.cursors): CUSTOMS_CURSOR_KEY when set,
    else one generated once and kept in the database, the same for every process (a key per
    process would refuse a cursor another worker gave). Read once per process."""

    NAME = "cursor_key"

    def __init__(self, configured: str | None) -> None:
        self._key = None if configured is None else hashlib.sha256(
            configured.encode("utf-8")).digest()

    def get(self, *, uow: UnitOfWork, clock: Clock) -> bytes:
        if self._key is None:
            with uow:
                stored = uow.keys.server_secret(self.NAME, secrets.token_urlsafe(32),
                                                clock.now())
                uow.commit()
            self._key = hashlib.sha256(stored.encode("utf-8")).digest()
        return self._key
