"""Reference data that operators load: the HS nomenclature."""

from __future__ import annotations

from collections.abc import Iterable

from customs.services.unit_of_work import UnitOfWork


def load_nomenclature(rows: Iterable[tuple[str, str]], *, uow: UnitOfWork) -> int:
    """Replace the loaded 6-digit HS subheadings; returns how many were loaded."""
    with uow:
        count = uow.nomenclature.replace(rows)
        uow.commit()
    return count
