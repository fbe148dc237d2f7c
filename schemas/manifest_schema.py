"""The manifest schema (v1), compiled once: validates a manifest header, chunks of parcels (many
to one libxml2 call) and a parcel alone (for the exact errors of a parcel its chunk failed on)."""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

MANIFEST_NS = "urn:customs:manifest:1"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
_HERE = Path(__file__).resolve().parent
_CLARK = re.compile(r"\{[A-Za-z][A-Za-z0-9+.\-]*:[^}]*\}")  # {urn:...}name → name
# One step of libxml2's node path: '*' or '*[3]' (an element in a default namespace), 'm:Item[2]'
# (a prefixed element), 'Foo' (no namespace); '@currency' or 'text()' match nothing.
_STEP = re.compile(r"(?:(\*)|(?:([^:\[\]/@()]+):)?([^:\[\]/@()]+))(?:\[(\d+)\])?")


def manifest_xsd_path() -> Path:
    return _HERE / "manifest" / "v1" / "manifest.xsd"


@dataclass(frozen=True, slots=True)
class SchemaError:
    message: str
    path: str
    line: int | None
    value: str | None


def _schema_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _envelope_schema(schema_doc: etree._ElementTree) -> etree.XMLSchema:
    """The same schema with the Parcel particle removed from Manifest: validates the header."""
    doc = copy.deepcopy(schema_doc)
    ns = {"xs": XSD_NS}
    particles = doc.xpath(
        "//xs:complexType[@name='ManifestType']//xs:element[@ref='m:Parcel']", namespaces=ns
    )
    for particle in particles:
        particle.getparent().remove(particle)
    return etree.XMLSchema(doc)


def _chunk_schema(schema_doc: etree._ElementTree) -> etree.XMLSchema:
    """The same schema whose Manifest holds only Parcels, any number: a chunk of parcels is
    validated as one document, without a copy of the header in each chunk."""
    doc = copy.deepcopy(schema_doc)
    ns = {"xs": XSD_NS}
    for particle in doc.xpath("//xs:complexType[@name='ManifestType']/xs:sequence/xs:element",
                              namespaces=ns):
        if particle.get("ref") == "m:Parcel":
            particle.set("maxOccurs", "unbounded")
        else:
            particle.getparent().remove(particle)
    return etree.XMLSchema(doc)


class ManifestSchema:
    """Compiled manifest schema. Build once per process (see `load`); validation is read-only."""

    def __init__(self, xsd_path: Path | None = None) -> None:
        path = xsd_path or manifest_xsd_path()
        schema_doc = etree.parse(str(path), _schema_parser())
        self.full = etree.XMLSchema(schema_doc)
        self.envelope = _envelope_schema(schema_doc)
        self.chunk = _chunk_schema(schema_doc)

    @staticmethod
    @cache
    def load() -> ManifestSchema:
        return ManifestSchema()

    def parcel_errors(self, parcel: etree._Element, base: str) -> list[SchemaError]:
        """Validate one Parcel element as if it were a document of its own."""
        if self.full.validate(parcel):
            return []
        return _errors(self.full, parcel, base)

    def chunk_failures(self, chunk: etree._Element) -> set[int] | None:
        """Validate, in one libxml2 call, a Manifest element whose children are only Parcels.
        The places (0-based) of the parcels an error was found in, or None when an error
        cannot be traced to one parcel (then every parcel of the chunk is suspect)."""
        if self.chunk.validate(chunk):
            return set()
        children = _children(chunk)
        places: dict[str, etree._Element | None] = {}  # libxml2's step → the parcel it names
        place_of = {child: i for i, child in enumerate(children)}
        failed: set[int] = set()
        for entry in self.chunk.error_log:
            steps = (entry.path or "").split("/", 3)
            if len(steps) < 3 or steps[0]:
                return None
            if steps[2] not in places:
                places[steps[2]] = _pick(children, steps[2])
            parcel = places[steps[2]]
            if parcel is None:
                return None
            failed.add(place_of[parcel])
            if len(failed) == len(children):
                break
        return failed

    def envelope_errors(self, header: etree._Element) -> list[SchemaError]:
        """Validate a Manifest element from which every Parcel has been removed."""
        if self.envelope.validate(header):
            return []
        return _errors(self.envelope, header, "/" + etree.QName(header).localname)


ERRORS_EXAMINED = 100  # per validated element: locating each costs a walk of its siblings


def _errors(schema: etree.XMLSchema, root: etree._Element, base: str) -> list[SchemaError]:
    found = []
    log = schema.error_log
    for entry in itertools.islice(log, ERRORS_EXAMINED):
        node = _resolve(root, entry.path)
        path = base if node is None else base + element_path(node, root)
        value = None if node is None or len(node) else node.text
        found.append(SchemaError(_CLARK.sub("", entry.message), path, entry.line or None, value))
    if len(log) > ERRORS_EXAMINED:
        found.append(SchemaError(f"{len(log) - ERRORS_EXAMINED} more schema errors not listed",
                                 base, None, None))
    return found


def _resolve(root: etree._Element, path: str | None) -> etree._Element | None:
    """Follow libxml2's '/*/*[7]/*[2]' path (relative to the validated root) as far as it
    leads (to the element whose text or attribute was wrong)."""
    if not path:
        return None
    node = root
    for step in path.split("/")[2:]:
        child = _step(node, step)
        if child is None:
            break
        node = child
    return node


def _children(node: etree._Element) -> list[etree._Element]:
    return [c for c in node if isinstance(c.tag, str)]


def _step(node: etree._Element, step: str) -> etree._Element | None:
    return _pick(_children(node), step)


def _pick(children: list[etree._Element], step: str) -> etree._Element | None:
    """The child one step of libxml2's path names: it counts every element sibling for '*',
    the siblings of the same name and prefix otherwise."""
    found = _STEP.fullmatch(step)
    if found is None:
        return None
    generic, prefix, name, index = found.groups()
    if not generic:
        children = [c for c in children if c.prefix == prefix
                    and (etree.QName(c).localname if prefix else c.tag) == name]
    position = int(index) if index else 1
    return children[position - 1] if position <= len(children) else None


def element_path(node: etree._Element, root: etree._Element) -> str:
    """Readable path from root to node: '/Item[2]/HSCode' (index only among same-name siblings)."""
    parts = []
    while node is not root and node is not None:
        parent = node.getparent()
        name = etree.QName(node).localname
        same = [c for c in parent if c.tag == node.tag] if parent is not None else [node]
        parts.append(f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name)
        node = parent
    return "".join("/" + p for p in reversed(parts))


def declaration_xsd_path(profile: str, version: str = "v1") -> Path:
    return _HERE / "declaration" / profile / version / "declaration.xsd"


def batch_xsd_path(version: str = "v1") -> Path:
    return _HERE / "batch" / version / "batch.xsd"


def ru_envelope_xsd_path(version: str = "v1") -> Path:
    return _HERE / "ru_envelope" / version / "envelope.xsd"


def authority_xsd_path(version: str = "v1") -> Path:
    return _HERE / "authority" / version / "authority.xsd"


@cache
def compiled(path: Path) -> etree.XMLSchema:
    """A local XSD compiled once per process (no network, no entities)."""
    return etree.XMLSchema(etree.parse(str(path), _schema_parser()))
