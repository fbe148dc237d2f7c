"""Shared pieces of the benchmarks: timing, peak memory, fresh databases, environment facts."""

from __future__ import annotations

import gc
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


def _status_kib(pid: int | str, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def peak_mib(pid: int | str = "self") -> float:
    return _status_kib(pid, "VmHWM") / 1024


def _reset_peak() -> bool:
    """Linux resets VmHWM to the current RSS when 5 is written to clear_refs."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Measure:
    """Items per second and the growth of peak resident memory during one timed run."""

    items: int = 0
    seconds: float = 0.0
    peak_growth_mib: float = 0.0

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"items": self.items, "seconds": round(self.seconds, 4),
                "per_second": round(self.rate, 1),
                "peak_growth_mib": round(self.peak_growth_mib, 1)}


@contextmanager
def measure(items: int) -> Iterator[Measure]:
    gc.collect()
    result = Measure(items)
    exact = _reset_peak()
    before = _status_kib("self", "VmRSS" if exact else "VmHWM") / 1024
    start = time.perf_counter()
    yield result
    result.seconds = time.perf_counter() - start
    result.peak_growth_mib = max(0.0, peak_mib() - before)


ROUNDS = [1]  # set by the run: every measurement is the best of this many


def _better(best: Measure | None, m: Measure) -> Measure:
    """The faster run, carrying the larger peak memory growth of the two (conservative)."""
    if best is None:
        return m
    winner = m if m.rate > best.rate else best
    winner.peak_growth_mib = max(best.peak_growth_mib, m.peak_growth_mib)
    return winner


def timed(items: int, fn: Callable[[], Any]) -> tuple[Measure, Any]:
    best, value = None, None
    for _ in range(ROUNDS[0]):
        with measure(items) as m:
            value = fn()
        best = _better(best, m)
    assert best is not None
    return best, value


def best_of(run: Callable[[], tuple[Measure, Any]]) -> tuple[Measure, Any]:
    """For measurements that need a fresh database each time."""
    best, value = None, None
    for _ in range(ROUNDS[0]):
        m, value = run()
        best = _better(best, m)
    assert best is not None
    return best, value


def combined(*rates: float) -> float:
    """The rate of doing each step once per item, one after the other (costs add up)."""
    return 1.0 / sum(1.0 / r for r in rates) if all(rates) else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Databases:
    """Fresh, migrated databases for each measurement: SQLite files copied from a migrated
    template, or one PostgreSQL database truncated between runs (its name must contain
    'bench' or 'test': it is wiped)."""

    url: str | None
    folder: Path
    _count: int = 0
    _template: Path | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from customs.adapters.database.migrate import upgrade

        if self.url is None or self.url.startswith("sqlite"):
            self.url = None
            self._template = self.folder / "template.db"
            upgrade(f"sqlite:///{self._template}")
            return
        name = make_url(self.url).database or ""
        if "bench" not in name and "test" not in name:
            raise SystemExit(f"refusing to wipe database {name!r}: benchmarks need a database "
                             "whose name contains 'bench' or 'test'")
        ensure_database(self.url)
        engine = sa.create_engine(self.url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
        upgrade(self.url)

    @property
    def engine_name(self) -> str:
        return "sqlite" if self.url is None else "postgresql"

    def fresh(self) -> str:
        if self.url is None:
            assert self._template is not None
            self._count += 1
            target = self.folder / f"run-{self._count}.db"
            shutil.copyfile(self._template, target)
            return f"sqlite:///{target}"
        truncate_all(self.url)
        return self.url


def ensure_database(url: str) -> None:
    parsed = make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s",
                                    (parsed.database,)).scalar():
            conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def truncate_all(url: str) -> None:
    from customs.adapters.database.migrate import wipe_postgres

    wipe_postgres(url)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "-"


def database_version(url: str | None) -> str:
    if url is None:
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SHOW server_version").scalar()
    engine.dispose()
    return f"PostgreSQL {version}"


def environment(url: str | None) -> dict[str, Any]:
    from lxml import etree

    load = os.getloadavg()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in load],
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "database": database_version(url),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        **{name: _version(name) for name in (
            "lxml", "cryptography", "sqlalchemy", "sqlmodel", "psycopg", "xmlschema",
            "signxml", "flask", "gunicorn")},
    }


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
