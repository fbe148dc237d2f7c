"""API keys: authenticate a request, create, list and revoke keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from customs.services import access
from customs.services.ports import Clock, Principal
from customs.services.read_models.reference import ApiKeyView
from customs.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Access:
    uow_factory: Callable[[], UnitOfWork]
    read_uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    key_cache: access.KeyCache
    cursor_keys: access.CursorKey

    def cursor_key(self) -> bytes:
        """The key that signs list cursors (customs.domain.cursors)."""
        return self.cursor_keys.get(uow=self.uow_factory(), clock=self.clock)

    def authenticate(self, token: str) -> Principal | None:
        return access.authenticate(token, uow=self.read_uow_factory(), clock=self.clock,
                                   cache=self.key_cache)

    def create_api_key(self, tenant: str, role: str, days: int | None = None,
                       label: str | None = None, courier: str | None = None,
                       offices: list[str] | None = None) -> tuple[str, str]:
        return access.create_api_key(tenant, role, uow=self.uow_factory(), clock=self.clock,
                                     days=days, label=label, courier=courier, offices=offices)

    def list_api_keys(self, tenant: str | None) -> list[ApiKeyView]:
        return access.list_api_keys(tenant, uow=self.uow_factory())

    def revoke_api_key(self, key_id: str) -> bool:
        return access.revoke_api_key(key_id, uow=self.uow_factory(), clock=self.clock,
                                     cache=self.key_cache)
