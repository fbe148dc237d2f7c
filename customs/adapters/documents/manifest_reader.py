"""Reads seller manifests (XML, urn:customs:manifest:1) safely, streaming, parcel by parcel.

Untrusted input: no DTD (any DOCTYPE is refused), no entity expansion, no network, no XInclude,
no schemaLocation hints (validation uses only our local schema). Each parcel, as it ends, is
moved out of the tree into a chunk of parcels validated as one (see manifest_chunk), so memory
holds the body plus one chunk's tree.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from lxml import etree

from customs.adapters.documents.manifest_chunk import CHUNK_PARCELS, ParcelChunk, rejected
from customs.adapters.documents.manifest_fields import header_from_element
from customs.adapters.documents.xml_limits import ShapeLimits, ShapeWatch, check_markup, release
from customs.domain.errors import ManifestRefused
from customs.domain.model import ManifestHeader, ParcelOutcome, Violation
from schemas import MANIFEST_NS, ManifestSchema

_MANIFEST = f"{{{MANIFEST_NS}}}Manifest"
_PARCEL = f"{{{MANIFEST_NS}}}Parcel"
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class ReaderLimits:
    max_parcels: int = 50_000
    max_elements_per_parcel: int = 3_000
    shape: ShapeLimits = field(default_factory=ShapeLimits)

    def shape_limits(self) -> ShapeLimits:
        return replace(self.shape, elements_per_parcel=self.max_elements_per_parcel)


def _parser_options() -> dict:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def check_prolog(data: bytes, root: str = _MANIFEST,
                 wrong_root: str = "MANIFEST_WRONG_ROOT") -> None:
    """Refuse a DOCTYPE and a root other than `root` before reading the body."""
    probe = etree.XMLPullParser(events=("start",), **_parser_options())
    try:
        for start in range(0, len(data), CHUNK):
            piece = data[start : start + CHUNK]
            check_markup(piece, CHUNK)
            probe.feed(piece)
            for _event, element in probe.read_events():
                _check_root(element, root, wrong_root)
                return
        probe.close()
    except etree.XMLSyntaxError as exc:
        raise _not_well_formed(exc) from None
    raise ManifestRefused("MANIFEST_NOT_WELL_FORMED", "the document has no root element")


def _check_root(element: etree._Element, root: str, wrong_root: str) -> None:
    if element.getroottree().docinfo.doctype:
        raise ManifestRefused("MANIFEST_DTD_FORBIDDEN",
                              "the document has a DOCTYPE; DTDs and entities are not accepted")
    if element.tag != root:
        raise ManifestRefused(
            wrong_root, f"the root element is {element.tag}, expected "
                        f"{etree.QName(root).localname} in {MANIFEST_NS}")


def _not_well_formed(exc: etree.XMLSyntaxError) -> ManifestRefused:
    line = exc.lineno if exc.lineno else None
    return ManifestRefused(
        "MANIFEST_NOT_WELL_FORMED", f"not well-formed XML: {exc.msg}",
        [Violation("MANIFEST_NOT_WELL_FORMED", str(exc.msg), None, line)])


class ManifestStream:
    """One pass over a manifest: `header` first, then `parcels()` yields each parcel's outcome."""

    def __init__(self, data: bytes, schema: ManifestSchema, limits: ReaderLimits, *,
                 chunk_parcels: int = CHUNK_PARCELS) -> None:
        self._data = data
        self._chunk_parcels = chunk_parcels
        self._schema = schema
        self._limits = limits
        self._watch = ShapeWatch(limits.shape_limits(), _PARCEL)
        self._parser = etree.XMLPullParser(
            events=("start", "end", "start-ns"), tag=(_MANIFEST, _PARCEL), **_parser_options())
        self._offset = 0
        self._root: etree._Element | None = None
        self._pending: list[tuple[str, etree._Element]] = []
        self.header: ManifestHeader = self._read_header()

    def _events(self) -> Iterator[tuple[str, etree._Element]]:
        try:
            while self._offset < len(self._data):
                piece = self._data[self._offset : self._offset + CHUNK]
                check_markup(piece, CHUNK)
                self._parser.feed(piece)
                self._offset += CHUNK
                yield from self._watched()
                self._watch.chunk_read()
            self._parser.close()
            yield from self._watched()
        except etree.XMLSyntaxError as exc:
            raise _not_well_formed(exc) from None

    def _watched(self) -> Iterator[tuple[str, etree._Element]]:
        for event, element in self._parser.read_events():
            if event == "start-ns":
                self._watch.namespace()
                continue
            self._watch.event(event, element)
            yield event, element

    def _read_header(self) -> ManifestHeader:
        self._stream = self._events()
        for event, element in self._stream:
            if event == "start" and element.tag == _MANIFEST:
                self._root = element
            elif element.tag == _PARCEL or event == "end":
                self._pending.append((event, element))
                return self._validate_header()
        raise ManifestRefused("MANIFEST_NOT_WELL_FORMED", "the document ended early")

    def _validate_header(self) -> ManifestHeader:
        assert self._root is not None
        header = etree.Element(self._root.tag, nsmap=self._root.nsmap)
        for child in self._root:
            if child.tag == _PARCEL:
                break
            header.append(copy.deepcopy(child))
        self._watch.check_document(header)
        self._refuse_if_invalid(header)
        return header_from_element(header)

    def _refuse_if_invalid(self, header: etree._Element) -> None:
        errors = self._schema.envelope_errors(header)
        if errors:
            violations = [Violation("MANIFEST_ENVELOPE_INVALID", e.message, e.path, e.line,
                                    e.value) for e in errors]
            raise ManifestRefused("MANIFEST_ENVELOPE_INVALID",
                                  "the manifest header is invalid: " + errors[0].message,
                                  violations)

    def parcels(self) -> Iterator[ParcelOutcome]:
        assert self._root is not None
        position = 0
        chunk = ParcelChunk(self._schema, self._root, self._chunk_parcels,
                            elements_per_parcel=self._limits.max_elements_per_parcel)
        for event, element in _chain(iter(self._pending), self._stream):
            if element.tag == _PARCEL and event == "end" and self._watch.is_parcel(element):
                position += 1
                if position > self._limits.max_parcels:
                    raise ManifestRefused(
                        "MANIFEST_TOO_MANY_ELEMENTS",
                        f"more than {self._limits.max_parcels} parcels in one manifest")
                self._take(chunk, element, position)
                if chunk.full:
                    yield from chunk.flush()
            elif element.tag == _MANIFEST and event == "end":
                yield from chunk.flush()
                self._finish(position)

    def _take(self, chunk: ParcelChunk, element: etree._Element, position: int) -> None:
        """Out of the parse tree: into the chunk to validate, or, over the shape limits,
        rejected unvalidated and freed."""
        over = self._watch.parcel_ended(element, f"/Manifest/Parcel[{position}]")
        if over is None:
            chunk.validate_later(element, position, self._offset)
            return
        chunk.decided(rejected(element, position, over), self._offset)
        release(self._root, element)  # type: ignore[arg-type]

    def _finish(self, count: int) -> None:
        assert self._root is not None
        self._watch.check_document(self._root)
        self._refuse_if_invalid(self._root)
        if count == 0:
            raise ManifestRefused("MANIFEST_ENVELOPE_INVALID", "the manifest has no Parcel")


def _chain(first: Iterator, second: Iterator) -> Iterator:
    yield from first
    yield from second


class XmlManifestReader:
    """The ManifestReader port for XML manifests."""

    def __init__(self, schema: ManifestSchema | None = None,
                 limits: ReaderLimits | None = None, *,
                 chunk_parcels: int = CHUNK_PARCELS) -> None:
        self._schema = schema or ManifestSchema.load()
        self._limits = limits or ReaderLimits()
        self._chunk_parcels = chunk_parcels  # parcels per libxml2 validation call

    media_type = "application/xml"

    def open(self, data: bytes) -> ManifestStream:
        check_prolog(data)
        return ManifestStream(data, self._schema, self._limits,
                              chunk_parcels=self._chunk_parcels)

    @staticmethod
    def locate(path: str) -> str:
        """Rules name fields by their XML path: the same here."""
        return path

    def read_parcel(self, data: bytes) -> ParcelOutcome:
        """A Parcel document alone (a marketplace's correction), read exactly as a manifest's
        parcel: its prolog checked (no DOCTYPE; the root a Parcel, else
        CORRECTION_WRONG_ROOT), then re-read as the only parcel of a manifest with a fixed
        header, through this reader: the same limits, schema, violations and canonical values.
        Paths name /Parcel, lines are the document's. Raises ManifestRefused as `open` does."""
        check_prolog(data, _PARCEL, "CORRECTION_WRONG_ROOT")
        try:
            root = etree.fromstring(data, etree.XMLParser(**_parser_options()))
        except etree.XMLSyntaxError as exc:
            raise _not_well_formed(exc) from None
        shift = (root.sourceline or 1) - 1  # it starts on the wrapper's first line
        [outcome] = list(self.open(_ALONE_HEADER + etree.tostring(root) + b"</Manifest>")
                         .parcels())
        alone = ParcelOutcome(outcome.position, outcome.tracking_number,
                              None if outcome.line is None else outcome.line + shift,
                              outcome.parcel)
        alone.violations.extend(replace(
            v, path=None if v.path is None else "/Parcel" + v.path.removeprefix(_FIRST),
            line=None if v.line is None else v.line + shift) for v in outcome.violations)
        return alone


# The header a Parcel read alone is wrapped in: one the schema accepts (the parcel's rules take
# the header of the manifest the corrected parcel came in).
_ALONE_HEADER = (f'<Manifest xmlns="{MANIFEST_NS}"><ManifestRef>correction</ManifestRef>'
                 "<IssuedAt>2000-01-01T00:00:00Z</IssuedAt><Destination><Country>ZZ</Country>"
                 "<CustomsOffice>00000000</CustomsOffice></Destination>").encode()
_FIRST = "/Manifest/Parcel[1]"
