"""Parcels validated many to one libxml2 call, with the results of one parcel validated alone.

As each parcel ends it is moved out of the parse tree into a chunk: a Manifest element that
declares the same namespaces as the document's root, so every name and prefix in a parcel
means what it meant in the document. A full chunk is validated as one document (the schema's
Manifest holding only Parcels). When the chunk is valid, so is each of its parcels; when it is
not, each parcel an error points at is validated again alone, and its errors are exactly the
ones a parcel validated alone always gets (messages, paths, lines, values). A parcel no error
points at is valid. An error that points at no single parcel makes the whole chunk suspect.

A parcel's elements are counted against their cap (a setting) after its chunk's validation: a
valid parcel's count comes from reading it (every element is touched then), a suspect's from
one call into C before it is validated alone, which a parcel over the cap never is. Either way
a parcel over the cap gets only the PARCEL_LIMIT_EXCEEDED violation.

Memory holds one chunk: its tree is freed when the next chunk starts. A chunk is flushed at
CHUNK_PARCELS parcels or once CHUNK_BYTES of the body have been fed since its first parcel,
whichever comes first, so a chunk of large parcels holds no more tree than a small body would.
"""

from __future__ import annotations

from lxml import etree

from customs.adapters.documents.manifest_fields import parcel_from_element
from customs.adapters.documents.xml_limits import element_count, elements_over, over_limit
from customs.domain.model import ParcelOutcome, Violation
from schemas import MANIFEST_NS, ManifestSchema

_MANIFEST = f"{{{MANIFEST_NS}}}Manifest"
_TRACKING = f"{{{MANIFEST_NS}}}TrackingNumber"
CHUNK_PARCELS = 200
CHUNK_BYTES = 256 * 1024


class ParcelChunk:
    """Parcels waiting for their outcome, in document order; `flush` returns the outcomes."""

    def __init__(self, schema: ManifestSchema, root: etree._Element,
                 size: int = CHUNK_PARCELS, *, elements_per_parcel: int = 3_000) -> None:
        self._schema = schema
        self._elements = elements_per_parcel
        self._nsmap = root.nsmap
        self._size = size
        self._wrapper = self._new_wrapper()
        self._waiting: list[ParcelOutcome | tuple[etree._Element, int]] = []
        self._first_fed = self._last_fed = 0

    def _new_wrapper(self) -> etree._Element:
        return etree.Element(_MANIFEST, nsmap=self._nsmap)

    def validate_later(self, element: etree._Element, position: int, fed: int) -> None:
        """Move a parcel that has ended out of the parse tree into this chunk (`fed`: the
        bytes of the body fed to the parser so far)."""
        self._wrapper.append(element)
        self._add((element, position), fed)

    def decided(self, outcome: ParcelOutcome, fed: int) -> None:
        """A parcel whose outcome is known without validation (e.g. over a limit)."""
        self._add(outcome, fed)

    def _add(self, entry: ParcelOutcome | tuple[etree._Element, int], fed: int) -> None:
        if not self._waiting:
            self._first_fed = fed
        self._last_fed = fed
        self._waiting.append(entry)

    @property
    def full(self) -> bool:
        return (len(self._waiting) >= self._size
                or self._last_fed - self._first_fed >= CHUNK_BYTES)

    def flush(self) -> list[ParcelOutcome]:
        waiting, wrapper = self._waiting, self._wrapper
        self._waiting, self._wrapper = [], self._new_wrapper()
        failed = self._schema.chunk_failures(wrapper) if len(wrapper) else set()
        place = 0
        outcomes = []
        for entry in waiting:
            if isinstance(entry, ParcelOutcome):
                outcomes.append(entry)
                continue
            suspect = failed is None or place in failed
            outcomes.append(self._outcome(*entry, suspect=suspect))
            place += 1
        return outcomes

    def _outcome(self, element: etree._Element, position: int, *,
                 suspect: bool) -> ParcelOutcome:
        base = f"/Manifest/Parcel[{position}]"
        if suspect:
            over = elements_over(element_count(element), self._elements)
            if over is not None:
                return rejected(element, position, over_limit(over, base, element.sourceline))
            errors = self._schema.parcel_errors(element, base)
            if errors:
                outcome = ParcelOutcome(position, element.findtext(_TRACKING),
                                        element.sourceline)
                outcome.violations.extend(Violation("SCHEMA_VIOLATION", e.message, e.path,
                                                    e.line, e.value) for e in errors)
                return outcome
        parcel, elements = parcel_from_element(element)
        over = elements_over(elements, self._elements)
        if over is not None:
            return rejected(element, position, over_limit(over, base, element.sourceline))
        # valid, so its TrackingNumber is a bare token: the same text findtext would give
        return ParcelOutcome(position, parcel.tracking_number, element.sourceline, parcel)


def rejected(element: etree._Element, position: int, violation: Violation) -> ParcelOutcome:
    """The outcome of a parcel rejected unvalidated (over a limit)."""
    outcome = ParcelOutcome(position, tracking_text(element), element.sourceline)
    outcome.violations.append(violation)
    return outcome


def tracking_text(element: etree._Element) -> str | None:
    """The tracking number of a parcel rejected unvalidated, if it is a short plain text."""
    text = element.findtext(_TRACKING)
    return text.strip() if text and len(text) <= 64 else None
