"""Reference data as operators read it back: exchange rates and API keys (never secrets)."""

from __future__ import annotations

from dataclasses import dataclass

from customs.services.read_models import JsonObject


@dataclass(frozen=True, slots=True)
class RateView:
    """One day's rate of a currency against a base, the rate as exact decimal text."""

    date: str
    currency: str
    base: str
    rate: str

    def to_json(self) -> JsonObject:
        return {"date": self.date, "currency": self.currency, "base": self.base,
                "rate": self.rate}


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    """A key as an operator lists it: who and what it may see, never its secret or hash."""

    id: str
    tenant: str
    role: str
    label: str | None
    courier: str | None
    offices: list[str] | None
    created_at: str | None
    expires_at: str | None
    revoked_at: str | None

    def to_json(self) -> JsonObject:
        return {"id": self.id, "tenant": self.tenant, "role": self.role, "label": self.label,
                "courier": self.courier, "offices": self.offices,
                "created_at": self.created_at, "expires_at": self.expires_at,
                "revoked_at": self.revoked_at}
