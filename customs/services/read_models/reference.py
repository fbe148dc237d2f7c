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
