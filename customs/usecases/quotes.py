"""Duty quotes before a parcel exists (issue 18): the same rules and rounding as intake's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from customs.domain.duty_quote import Basket, Quote
from customs.services import quotes
from customs.services.intake import DutyContext
from customs.services.ports import Clock
from customs.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Quotes:
    read_uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    duty: DutyContext
    tables: quotes.RateTables

    def quote(self, basket: Basket) -> Quote:
        return quotes.quote_basket(basket, uow=self.read_uow_factory(), duty=self.duty,
                                   tables=self.tables)

    def today(self) -> object:
        """The day a quote is for when the basket names none (UTC, as intake's)."""
        return self.clock.now().date()
