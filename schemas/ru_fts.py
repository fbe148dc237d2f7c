"""The FTS format album (official XSDs), read from the folder an operator installed.

Never bundled: the album is reference data (`../shared/schemas/ru-fts-5.23.0-express/` in
development). A document is valid only when BOTH validators accept it: libxml2 (lxml, fast)
and xmlschema (pure Python, an independent reading of XSD 1.0). libxml2 has known facet gaps
(and xmlschema its own looser spots, e.g. U+0085 as a space in patterns); requiring both means
a document passes only if neither reading finds a fault.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from lxml import etree

ALBUM_VERSION = "5.23.0"
ROOTS = {
    "ExpressCargoDeclaration": "ExpressCargoDeclaration.xsd",
    "ExpressCargoDeclarationCustomMark": "ExpressCargoDeclarationCustomMark.xsd",
    "ExpressCargoReqCorrect": "ExpressCargoReqCorrect.xsd",
}
NS = {
    "ecd": "urn:customs.ru:Information:CustomsDocuments:ExpressCargoDeclaration:5.23.0",
    "ecdcm": "urn:customs.ru:Information:CustomsDocuments:ExpressCargoDeclarationCustomMark:"
             "5.22.0",
    "ecrc": "urn:customs.ru:Information:CustomsDocuments:ExpressCargoReqCorrect:5.23.0",
    "cat_ru": "urn:customs.ru:CommonAggregateTypes:5.22.0",
    "RUScat_ru": "urn:customs.ru:RUSCommonAggregateTypes:5.22.0",
}


class AlbumError(Exception):
    """The album folder is missing, incomplete or does not compile."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class Album:
    """The compiled root schemas of one album folder (build once per process: `Album.load`)."""

    def __init__(self, folder: Path) -> None:
        folder = Path(folder)
        missing = [name for name in ROOTS.values() if not (folder / name).is_file()]
        if not folder.is_dir() or missing:
            what = "not a folder" if not folder.is_dir() else "missing " + ", ".join(missing)
            raise AlbumError(f"FTS album {folder} is not usable: {what}; install the format "
                             f"album {ALBUM_VERSION} and point CUSTOMS_RU_FTS_ALBUM at it")
        self.folder = folder
        try:
            self._lxml = {root: etree.XMLSchema(etree.parse(str(folder / name), _parser()))
                          for root, name in ROOTS.items()}
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
            raise AlbumError(f"FTS album {folder} does not compile: {exc}") from exc
        self._xmlschema: dict[str, Any] = {}

    @staticmethod
    @cache
    def load(folder: Path) -> Album:
        return Album(Path(folder).resolve())

    def _reference(self, root: str) -> Any:
        if root not in self._xmlschema:
            import xmlschema

            self._xmlschema[root] = xmlschema.XMLSchema10(
                str(self.folder / ROOTS[root]), allow="local", defuse="always")
        return self._xmlschema[root]

    def validate(self, element: etree._Element, *, thorough: bool = True) -> list[str]:
        """Errors of `element` against its root schema: libxml2, then (thorough) xmlschema."""
        root = etree.QName(element).localname
        if root not in ROOTS:
            return [f"{root} is not a root of the express album"]
        schema = self._lxml[root]
        if not schema.validate(element):
            return [f"line {e.line}: {e.message}" for e in schema.error_log][:20]
        if thorough:
            tree = ElementTree.fromstring(etree.tostring(element))  # noqa: S314 (our own bytes)
            errors = [f"{e.path}: {e.reason}" for e in self._reference(root).iter_errors(tree)]
            return errors[:20]
        return []
