"""Progress of a long command on standard error, for a person watching a terminal.

One line, redrawn in place at most every REDRAW_SECONDS and erased at the end: "validating
12,000 parcels (3,400/s)". Nothing at all when standard error is not a terminal (a pipe, a
file, CI), so scripts and logs see exactly what they saw before; commands also leave it off
for machine-readable output (--format json). Use: `with progress("validating", "parcels") as
tick: ... tick(done)`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

REDRAW_SECONDS = 0.2


class _Line:
    def __init__(self, stream: TextIO, verb: str, unit: str, total: int | None) -> None:
        self.stream, self.verb, self.unit, self.total = stream, verb, unit, total
        self.started = time.monotonic()
        self.drawn_at = float("-inf")  # the first tick draws: the person sees it started
        self.width = 0

    def tick(self, done: int) -> None:
        now = time.monotonic()
        if now - self.drawn_at < REDRAW_SECONDS:
            return
        self.drawn_at = now
        rate = done / max(now - self.started, 1e-9)
        of = f"/{self.total:,}" if self.total else ""
        text = f"{self.verb} {done:,}{of} {self.unit} ({rate:,.0f}/s)"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def erase(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


@contextmanager
def progress(verb: str, unit: str, *, total: int | None = None, enabled: bool = True,
             stream: TextIO | None = None) -> Iterator[Callable[[int], None] | None]:
    """A `tick(done)` callback, or None when no progress is shown (not a terminal, or
    `enabled` is false), so callers pass it on as an optional argument."""
    stream = stream or sys.stderr
    if not (enabled and stream.isatty()):
        yield None
        return
    line = _Line(stream, verb, unit, total)
    try:
        yield line.tick
    finally:
        line.erase()
