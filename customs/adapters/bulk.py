"""Bulk inserts inside the session's transaction, with the least work per row.

PostgreSQL: COPY (`pg_copy`). SQLite: one prepared INSERT run by the driver's `executemany`,
the values converted by the columns' own SQLAlchemy bind processors, so the stored text is
exactly what a Core INSERT writes (dates, decimals, JSON), at a fraction of its cost per row
(a Core executemany builds and processes each parameter set through the statement cache,
insertmanyvalues batching and RETURNING).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customs.adapters import pg_copy

COPY_FROM = 50  # rows: below this a multi-row INSERT is as quick as a COPY
_Converter = Callable[[Any], Any] | None
_PROCESSORS: dict[tuple[str, str, str], _Converter] = {}


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts; rows with the same keys are sent together)."""
    if not rows:
        return
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    postgresql = pg_copy.is_postgresql(session)
    for names, same in groups.items():
        if postgresql and len(same) >= COPY_FROM:
            pg_copy.copy_rows(session, table, same)
        elif session.get_bind().dialect.name == "sqlite":
            _sqlite_executemany(session, table, names, same)
        else:
            session.execute(sa.insert(table), same)


def insert_with_ids(session: Session, table: sa.Table,
                    rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` and return their new ids, in order. PostgreSQL takes them from the
    sequence first; SQLite numbers them after the highest id, which is safe because writers
    hold the database's write lock from BEGIN IMMEDIATE (customs.adapters.database), and is
    what SQLite itself does for an INTEGER PRIMARY KEY without AUTOINCREMENT."""
    if not rows:
        return []
    if pg_copy.is_postgresql(session):
        ids = pg_copy.next_ids(session, table, len(rows))
    elif session.get_bind().dialect.name == "sqlite":
        top = session.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
        ids = list(range(top + 1, top + 1 + len(rows)))
    else:
        return list(session.execute(sa.insert(table).returning(
            table.c.id, sort_by_parameter_order=True), list(rows)).scalars())
    insert_rows(session, table, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
    return ids


def _sqlite_executemany(session: Session, table: sa.Table, names: tuple[str, ...],
                        rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    for column in table.c:
        if column.name not in names and column.default is not None:
            raise ValueError(f"{table.name}.{column.name} has a Python-side default: give it")
    convert = [_processor(connection.dialect, table, name) for name in names]  # KeyError: no
    params = [tuple(row[n] if f is None else f(row[n]) for n, f in zip(names, convert,
                                                                       strict=True))
              for row in rows]
    # names are our table's columns (checked by the processor lookup), never caller input
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608
           f"VALUES ({', '.join('?' * len(names))})")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, params)
    except connection.dialect.dbapi.IntegrityError as exc:  # type: ignore[union-attr]
        raise IntegrityError(sql, None, exc) from exc
    finally:
        cursor.close()


def _processor(dialect: Any, table: sa.Table, name: str) -> _Converter:
    key = (dialect.name, table.name, name)
    if key not in _PROCESSORS:
        _PROCESSORS[key] = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    return _PROCESSORS[key]
