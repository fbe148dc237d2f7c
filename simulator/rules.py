"""How the simulated authority decides, deterministically for a seed."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Rough rates to EUR for the simulator's duty threshold (the service loads real dated rates).
TO_EUR = {"EUR": Decimal(1), "USD": Decimal("0.93"), "CNY": Decimal("0.13"),
          "RUB": Decimal("0.0105"), "GBP": Decimal("1.17")}


@dataclass(frozen=True)
class Rules:
    seed: int = 7
    hold_share: float = 0.05
    hold_chapters: frozenset[str] = frozenset({"30"})  # pharmaceuticals: inspection
    refuse_chapters: frozenset[str] = frozenset({"93"})  # arms: prohibited
    duty_threshold_eur: dict[str, Decimal] = field(
        default_factory=lambda: {"RU": Decimal(200), "*": Decimal(150)})
    duty_rate: Decimal = Decimal("0.15")


@dataclass(frozen=True)
class Outcome:
    code: str
    duty: Decimal | None = None
    reason: str | None = None


def decide(rules: Rules, declaration_id: str, country: str, amount: Decimal, currency: str,
           chapters: set[str]) -> Outcome:
    digest = hashlib.sha256(f"{rules.seed}:{declaration_id}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311  (simulation)
    if chapters & rules.refuse_chapters:
        return Outcome("REFUSED", reason="prohibited goods (HS chapter "
                       f"{', '.join(sorted(chapters & rules.refuse_chapters))})")
    if chapters & rules.hold_chapters or rng.random() < rules.hold_share:
        return Outcome("HELD", reason="selected for inspection")
    threshold = rules.duty_threshold_eur.get(country, rules.duty_threshold_eur["*"])
    value_eur = amount * TO_EUR.get(currency, Decimal(1))
    if value_eur > threshold:
        duty = ((value_eur - threshold) * rules.duty_rate).quantize(Decimal("0.01"),
                                                                     ROUND_HALF_UP)
        return Outcome("DUTY_DUE", duty=max(duty, Decimal("0.01")),
                       reason=f"value {value_eur:.2f} EUR over {threshold} EUR")
    return Outcome("RELEASED")


# The currency each destination's authority charges duty in (EUR elsewhere).
SETTLEMENT = {"RU": "RUB", "US": "USD", "CN": "CNY", "GB": "GBP"}


def charged(duty_eur: Decimal | None, country: str) -> tuple[Decimal, str] | None:
    """The duty decided in EUR, as the destination's authority charges it: (amount, currency)."""
    if duty_eur is None:
        return None
    currency = SETTLEMENT.get(country, "EUR")
    amount = (duty_eur / TO_EUR[currency]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return amount, currency
