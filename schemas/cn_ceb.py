"""The GACC cross-border e-commerce message definitions (2022-05 edition), read from the folder an
operator installed (`../shared/schemas/cn-gacc-ceb-2022-05/` in development); never bundled.

Three official schemas: the import node (CEB621 inventory, CEB622 receipt), the export node
(CEB603 inventory, CEB604 receipt) and the terminal node of the data exchange platform (DxpMsg:
the signed transport message that carries a CEB message as base64). A document is valid only
when BOTH validators accept it, libxml2 and xmlschema (as for the FTS album, schemas.ru_fts).

CEB621Message requires its `ds:Signature`; a message is checked before it is signed against the
same schema with only that particle made optional (`unsigned=True`), and as signed against the
official schema itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from lxml import etree

EDITION = "2022-05"
CEB_NS = "http://www.chinaport.gov.cn/ceb"
DXP_NS = "http://www.chinaport.gov.cn/dxp"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
IMPORT_XSD = "海关跨境进口业务节点报文定义202205.xsd"
EXPORT_XSD = "海关跨境出口业务节点报文定义202205.xsd"
TERMINAL_XSD = "海关跨境终端节点报文定义202205.xsd"
# The root element of each message → the schema that defines it.
ROOTS = {
    f"{{{CEB_NS}}}CEB621Message": IMPORT_XSD,
    f"{{{CEB_NS}}}CEB622Message": IMPORT_XSD,
    f"{{{CEB_NS}}}CEB603Message": EXPORT_XSD,
    f"{{{CEB_NS}}}CEB604Message": EXPORT_XSD,
    f"{{{DXP_NS}}}DxpMsg": TERMINAL_XSD,
}
SIGNED_ROOTS = ("CEB621Message",)  # whose ds:Signature the definition requires


class CebSchemaError(Exception):
    """The folder is missing, incomplete or does not compile."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _unsigned(path: Path) -> etree.XMLSchema:
    """The import schema with the ds:Signature particle of the signed roots made optional."""
    doc = etree.parse(str(path), _parser())  # parsed from its path: the import resolves
    for root in SIGNED_ROOTS:
        for particle in doc.xpath(f"//xs:element[@name='{root}']//xs:element[@ref='ds:Signature']",
                                  namespaces={"xs": XSD_NS}):
            particle.set("minOccurs", "0")
    return etree.XMLSchema(doc)


class CebSchemas:
    """The compiled schemas of one folder (build once per process: `CebSchemas.load`)."""

    def __init__(self, folder: Path) -> None:
        folder = Path(folder)
        names = sorted(set(ROOTS.values()))
        missing = [name for name in names if not (folder / name).is_file()]
        if not folder.is_dir() or missing:
            what = "not a folder" if not folder.is_dir() else "missing " + ", ".join(missing)
            raise CebSchemaError(f"GACC CEB schemas {folder} are not usable: {what}; install "
                                 f"the {EDITION} message definitions and point "
                                 "CUSTOMS_CN_CEB_SCHEMAS at them")
        self.folder = folder
        try:
            self._lxml = {name: etree.XMLSchema(etree.parse(str(folder / name), _parser()))
                          for name in names}
            self._unsigned = _unsigned(folder / IMPORT_XSD)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
            raise CebSchemaError(f"GACC CEB schemas {folder} do not compile: {exc}") from exc
        self._xmlschema: dict[str, Any] = {}

    @staticmethod
    @cache
    def load(folder: Path) -> CebSchemas:
        return CebSchemas(Path(folder).resolve())

    def samples(self, kind: str) -> list[Path]:
        """The official sample messages of `kind` (import or export) beside the schemas."""
        return sorted((self.folder / f"samples_{kind}").glob("*.xml"))

    def _reference(self, name: str, unsigned: bool) -> Any:
        key = f"{name}|{unsigned}"
        if key not in self._xmlschema:
            import xmlschema

            schema = xmlschema.XMLSchema10(str(self.folder / name), allow="local",
                                           defuse="always", build=not unsigned)
            if unsigned:
                for root in SIGNED_ROOTS:
                    _optional_signature(schema, root)
                schema.build()
            self._xmlschema[key] = schema
        return self._xmlschema[key]

    def validate(self, element: etree._Element, *, thorough: bool = True,
                 unsigned: bool = False) -> list[str]:
        """Errors of `element` against the schema of its root: libxml2, then (thorough)
        xmlschema. `unsigned`: a message before its signature is added."""
        name = ROOTS.get(element.tag)
        if name is None:
            return [f"{etree.QName(element).localname} is not a CEB message this service uses"]
        schema = self._unsigned if unsigned and name == IMPORT_XSD else self._lxml[name]
        if not schema.validate(element):
            return [f"line {e.line}: {e.message}" for e in schema.error_log][:20]
        if thorough:
            tree = ElementTree.fromstring(etree.tostring(element))  # noqa: S314 (our own bytes)
            reference = self._reference(name, unsigned and name == IMPORT_XSD)
            return [f"{e.path}: {e.reason}" for e in reference.iter_errors(tree)][:20]
        return []


def _optional_signature(schema: Any, root: str) -> None:
    """xmlschema's reading of the same edit as `_unsigned`, made on the source before build."""
    source = schema.root
    xs = f"{{{XSD_NS}}}"
    for element in source.iter(f"{xs}element"):
        if element.get("name") == root:
            for particle in element.iter(f"{xs}element"):
                if particle.get("ref") == "ds:Signature":
                    particle.set("minOccurs", "0")
