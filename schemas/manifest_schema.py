"""The manifest schema (v1), compiled once, validating a manifest header and each parcel alone."""

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
_STEP = re.compile(r"\*\[(\d+)\]|\*")


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


class ManifestSchema:
    """Compiled manifest schema. Build once per process (see `load`); validation is read-only."""

    def __init__(self, xsd_path: Path | None = None) -> None:
        path = xsd_path or manifest_xsd_path()
        schema_doc = etree.parse(str(path), _schema_parser())
        self.full = etree.XMLSchema(schema_doc)
        self.envelope = _envelope_schema(schema_doc)

    @staticmethod
    @cache
    def load() -> ManifestSchema:
        return ManifestSchema()

    def parcel_errors(self, parcel: etree._Element, base: str) -> list[SchemaError]:
        """Validate one Parcel element as if it were a document of its own."""
        if self.full.validate(parcel):
            return []
        return _errors(self.full, parcel, base)

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
    """Follow libxml2's '/*/*[7]/*[2]' path (relative to the validated root) to the element."""
    if not path:
        return None
    steps = _STEP.findall(path)
    node = root
    for index in steps[1:]:
        children = [c for c in node if isinstance(c.tag, str)]
        position = int(index) if index else 1
        if position > len(children):
            return node
        node = children[position - 1]
    return node


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
