"""Reference data operators load: the HS nomenclature and exchange rates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from customs.domain.duty import Rate
from customs.services import rates, reference
from customs.services.ports import Clock
from customs.services.read_models.reference import RateView
from customs.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReferenceFiles:
    """The file readers (customs.adapters' reference files), handed in by the composition root."""

    nomenclature: Callable[[Path], Iterable[tuple[str, str]]]
    rates_file: Callable[[Path], Sequence[Rate]]
    rates_text: Callable[[str, str], Sequence[Rate]]  # (text, where it came from)


@dataclass(frozen=True)
class Reference:
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    files: ReferenceFiles
    rates_loaded: Callable[[], None] = lambda: None  # what keeps rate tables drops them
    def load_nomenclature(self, path: Path) -> int:
        rows = list(self.files.nomenclature(path))
        return reference.load_nomenclature(rows, uow=self.uow_factory())

    def load_rates_file(self, path: Path, actor: str = "operator:cli") -> int:
        """Load a rates CSV (date,currency,base,rate); all rows or none."""
        count = rates.load_rates(self.files.rates_file(path), uow=self.uow_factory(),
                                 clock=self.clock, actor=actor)
        self.rates_loaded()
        return count

    def load_rates_text(self, text: str, actor: str) -> int:
        count = rates.load_rates(self.files.rates_text(text, "body"), uow=self.uow_factory(),
                                 clock=self.clock, actor=actor)
        self.rates_loaded()
        return count

    def list_rates(self, first: date, last: date) -> list[RateView]:
        return rates.list_rates(first, last, uow=self.uow_factory())
