"""The HS nomenclature: the codes that parcels' goods may use."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.tables import HsCode


class SqlNomenclatureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def codes(self) -> frozenset[str] | None:
        codes = frozenset(self.session.execute(sa.select(HsCode.code)).scalars())  # type: ignore[arg-type]
        return codes or None

    def replace(self, rows: Iterable[tuple[str, str]]) -> int:
        table = HsCode.__table__  # type: ignore[attr-defined]
        self.session.execute(sa.delete(table))
        values = [{"code": code, "description": text} for code, text in rows]
        if values:
            self.session.execute(sa.insert(table), values)
        return len(values)
