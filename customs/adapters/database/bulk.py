"""Bulk inserts inside the session's transaction, with the least work per row, in two steps.

`stage` converts rows for the driver without touching the database, so it can run before the
transaction takes any lock (on SQLite a writer holds the whole database from its first
statement: preparing 10,000 parcels' rows there kept every other writer waiting). `write`
then sends them: PostgreSQL with COPY, SQLite with the driver's `executemany`. On SQLite the
values are converted by the columns' own SQLAlchemy bind processors, so the stored text is
exactly what a Core INSERT writes (dates, decimals, JSON), at a fraction of its cost per row.
Rows staged with a `key` column carry there an index into the ids given to `write`: parcels
and their children, whose ids are only known under the write lock.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customs.adapters.database import pg_copy
from customs.adapters.database.engine import json_text

COPY_FROM = 50  # rows: below this a multi-row INSERT is as quick as a COPY
_Converter = Callable[[Any], Any] | None
_PROCESSORS: dict[tuple[str, str, str], _Converter] = {}


@dataclass(slots=True)
class Staged:
    """Rows of one table, converted for the driver, with the same columns."""

    table: str
    names: tuple[str, ...]
    params: list[tuple[Any, ...]]
    keyed: bool = False  # the first value is an index into the ids given to `write`


def stage(dialect: Dialect, table: sa.Table, rows: Sequence[dict[str, Any]], *,
          key: str | None = None) -> list[Staged]:
    """Convert `rows` (dicts; those with the same keys go together); no statement runs.
    `key`: the column whose value is an index into the ids given to `write`."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    last: Any = None  # the keys of the previous row: rows of a table mostly share them
    same: list[dict[str, Any]] = []
    for row in rows:
        if last is None or row.keys() != last:
            last = row.keys()
            names = tuple(row) if key is None else (key, *(n for n in row if n != key))
            same = groups.setdefault(names, [])
        same.append(row)
    staged = []
    for names, grouped in groups.items():
        for column in table.c:
            if column.name not in names and column.default is not None:
                raise ValueError(
                    f"{table.name}.{column.name} has a Python-side default: give it")
        convert = [_converter(dialect, table, name) for name in names]  # KeyError: no column
        if key is not None:
            convert[0] = None
        staged.append(Staged(table.name, names, _params(grouped, names, convert),
                             key is not None))
    return staged


def _params(rows: list[dict[str, Any]], names: tuple[str, ...],
            convert: list[_Converter]) -> list[tuple[Any, ...]]:
    """Each row's values in the order of `names` (taken in C by itemgetter), converted where a
    column needs it; a datetime object shared by many rows is converted once."""
    get = operator.itemgetter(*names)
    plain = [get(row) if len(names) > 1 else (get(row),) for row in rows]
    converted = [(i, f) for i, f in enumerate(convert) if f is not None]
    if not converted:
        return plain
    memo: dict[int, tuple[Any, Any]] = {}
    params = []
    for values in plain:
        out = list(values)
        for i, f in converted:
            value = out[i]
            if isinstance(value, datetime):
                known = memo.get(id(value))
                if known is None or known[0] is not value:
                    known = memo[id(value)] = (value, f(value))
                out[i] = known[1]
            else:
                out[i] = f(value)
        params.append(tuple(out))
    return params


def write(session: Session, staged: Sequence[Staged], ids: Sequence[int] = ()) -> None:
    """Send staged rows in the session's transaction (IntegrityError as from an INSERT)."""
    for block in staged:
        params = block.params
        if block.keyed:
            params = [(ids[p[0]], *p[1:]) for p in params]
        if not params:
            continue
        if pg_copy.is_postgresql(session):
            pg_copy.copy_tuples(session, block.table, block.names, params)
        else:
            _executemany(session, block.table, block.names, params)


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` now (a few rows on PostgreSQL: a plain INSERT, quicker than a COPY)."""
    if not rows:
        return
    if pg_copy.is_postgresql(session) and len(rows) < COPY_FROM:
        session.execute(sa.insert(table), list(rows))
        return
    write(session, stage(session.get_bind().dialect, table, rows))


def allocate_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """`count` new ids for `table`, in order. PostgreSQL takes them from the sequence; SQLite
    numbers them after the highest id, which is safe because writers hold the database's write
    lock from BEGIN IMMEDIATE (customs.adapters.database.engine), and is what SQLite itself does for
    an INTEGER PRIMARY KEY without AUTOINCREMENT."""
    if count == 0:
        return []
    if pg_copy.is_postgresql(session):
        return pg_copy.next_ids(session, table, count)
    top = session.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
    return list(range(top + 1, top + 1 + count))


def _executemany(session: Session, table: str, names: tuple[str, ...],
                 params: list[tuple[Any, ...]]) -> None:
    connection = session.connection()
    # names are our tables' columns (checked when staged), never caller input
    sql = (f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608
           f"VALUES ({', '.join('?' * len(names))})")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, params)
    except connection.dialect.dbapi.IntegrityError as exc:  # type: ignore[union-attr]
        raise IntegrityError(sql, None, exc) from exc
    finally:
        cursor.close()


def _converter(dialect: Dialect, table: sa.Table, name: str) -> _Converter:
    """SQLite: the column's bind processor. PostgreSQL (COPY): JSON columns encoded."""
    key = (dialect.name, table.name, name)
    if key not in _PROCESSORS:
        column_type = table.c[name].type
        if dialect.name == "postgresql":
            _PROCESSORS[key] = _json_text if isinstance(column_type, sa.JSON) else None
        else:
            _PROCESSORS[key] = column_type.dialect_impl(dialect).bind_processor(dialect)
    return _PROCESSORS[key]


def _json_text(value: Any) -> str | None:
    return None if value is None else json_text(value)
