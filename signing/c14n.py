"""Canonicalization for verification: exclusive C14N 1.0 and inclusive C14N 1.0 / 1.1.

A subtree (SignedInfo, an Object, an element referenced by Id) is canonicalized as a document
of its own, with the namespaces in scope at its apex and, for inclusive C14N, the `xml:*`
attributes of its ancestors (C14N 1.0 inherits all of them, 1.1 all but `xml:id` and fixes up
`xml:base`, which we refuse rather than approximate).
"""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from signing.algorithms import EXC_C14N
from signing.errors import PolicyError

XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_EXC_NS = f"{{{EXC_C14N}}}"
C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_11 = "http://www.w3.org/2006/12/xml-c14n11"


class Mode(NamedTuple):
    exclusive: bool
    comments: bool
    version: str  # "1.0" or "1.1"


METHODS = {
    EXC_C14N: Mode(True, False, "1.0"), EXC_C14N + "WithComments": Mode(True, True, "1.0"),
    C14N_10: Mode(False, False, "1.0"), C14N_10 + "#WithComments": Mode(False, True, "1.0"),
    C14N_11: Mode(False, False, "1.1"), C14N_11 + "#WithComments": Mode(False, True, "1.1"),
}


def check_method(uri: str) -> Mode:
    if uri not in METHODS:
        raise PolicyError(f"canonicalization {uri} is not allowed")
    return METHODS[uri]


def inclusive_prefixes(method: etree._Element) -> tuple[str, ...]:
    """The PrefixList of an exclusive C14N method or transform element, if any."""
    found = method.find(_EXC_NS + "InclusiveNamespaces")
    return tuple((found.get("PrefixList") or "").split()) if found is not None else ()


def canonicalize(node: etree._Element | etree._ElementTree, uri: str, *,
                 prefixes: tuple[str, ...] = (), comments: bool = True) -> bytes:
    """C14N of an element (a subtree apex) or of a whole document, by method URI.

    `comments=False` drops comments even for a #WithComments method: what a same-document
    reference ("" or "#id") selects never contains comments.
    """
    mode = check_method(uri)
    if isinstance(node, etree._Element) and node.getparent() is not None:
        node = _as_document(node, {} if mode.exclusive else _inherited(node, mode.version))
    return bytes(etree.tostring(
        node, method="c14n", exclusive=mode.exclusive, with_comments=mode.comments and comments,
        inclusive_ns_prefixes=list(prefixes) if mode.exclusive and prefixes else None))


def _as_document(element: etree._Element, attributes: dict[str, str]) -> etree._Element:
    """The subtree as the root of a document of its own, declaring every namespace in scope.

    libxml2's inclusive C14N of a subtree in place writes a spurious xmlns="" two levels below
    an apex whose default namespace is declared on an ancestor; copying the subtree with lxml
    drops namespace declarations it deems redundant. Serializing (lxml declares the ancestors'
    namespaces on the apex) and parsing again gives a faithful copy.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(etree.tostring(element, with_tail=False), parser)
    for name, value in attributes.items():
        root.set(name, value)
    return root


def _inherited(element: etree._Element, version: str) -> dict[str, str]:
    """The xml:* attributes inclusive C14N carries down from the ancestors to the apex."""
    found: dict[str, str] = {}
    for ancestor in element.iterancestors():
        for name, value in ancestor.attrib.items():
            if not name.startswith(XML_NS) or name in element.attrib or name in found:
                continue
            local = name[len(XML_NS):]
            if version == "1.1" and local == "base":
                raise PolicyError("xml:base on an ancestor of a C14N 1.1 subtree (base URI "
                                  "fix-up) is not supported")
            if version == "1.0" or local != "id":
                found[name] = value
    return found
