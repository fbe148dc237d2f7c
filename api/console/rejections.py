"""A manifest's rejections as rows (one per violation: parcel, line, path, code, message),
read page by page from the intake use case, filtered, and written out as CSV.

The CSV is streamed (every matching row, not one page); a cell that a spreadsheet would take
for a formula (=, +, -, @, tab, CR) is prefixed with a quote, since the text comes from the
uploaded file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import current_app

from api.console.codes import explain

READ_PAGE = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Rejection:
    position: int
    tracking_number: str
    line: int | None
    path: str
    code: str
    message: str

    def matches(self, code: str, text: str) -> bool:
        if code and self.code != code:
            return False
        if not text:
            return True
        needle = text.casefold()
        return any(needle in value.casefold()
                   for value in (self.tracking_number, self.path, self.message))


@dataclass(slots=True)
class RejectionPage:
    """One page of the rows matching a filter, read in one pass (memory: one page and the
    set of codes, whatever the manifest holds), with the counts the page shows."""

    start: int
    size: int
    rows: list[Rejection] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    total: int = 0
    matching: int = 0

    def read(self, found: Iterator[Rejection], code: str, text: str) -> None:
        for row in found:
            self.total += 1
            self.codes.add(row.code)
            if row.matches(code, text):
                if self.start <= self.matching < self.start + self.size:
                    self.rows.append(row)
                self.matching += 1


def rejections(tenant_id: int, manifest_id: str) -> Iterator[Rejection]:
    """Every violation of the manifest's rejected parcels, in manifest order."""
    intake = current_app.extensions["customs"].intake
    after = 0
    while True:
        page = intake.manifest_rejections(tenant_id, manifest_id, after=after, limit=READ_PAGE)
        for parcel in page:
            for v in parcel.violations or [{}]:
                yield Rejection(parcel.position, parcel.tracking_number or "", v.get("line"),
                                v.get("path") or "", v.get("code") or "",
                                v.get("message") or "")
        if len(page) < READ_PAGE:
            return
        after = page[-1].position


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_lines(rows: Iterator[Rejection], header: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in (row.position, row.tracking_number, row.line,
                                               row.path, row.code, row.message,
                                               explain(row.code))])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
