"""ds:Reference under a strict policy: same-document URIs ("" or "#id") only, the transforms
enveloped-signature (or its classic XPath spelling) and C14N, accepted digests only."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from lxml import etree

from signing.algorithms import DS, ENVELOPED, XPATH, check_digest_method
from signing.c14n import C14N_10, METHODS, canonicalize, inclusive_prefixes
from signing.errors import PolicyError, VerificationError

Q = f"{{{DS}}}"
ID_ATTRIBUTES = ("Id", "ID", "id")
MAX_TRANSFORMS = 4


@dataclass(frozen=True)
class Reference:
    uri: str
    enveloped: bool
    c14n: str  # the canonicalization that turns the selected nodes into octets
    prefixes: tuple[str, ...]
    digest_method: str
    digest_value: bytes


def b64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"{what} is not base64") from None


def algorithm_of(parent: etree._Element, name: str) -> etree._Element:
    found = parent.find(Q + name)
    if found is None or not found.get("Algorithm"):
        raise VerificationError(f"{etree.QName(parent).localname} lacks {name}")
    return found


def read_reference(element: etree._Element) -> Reference:
    """The reference's plan, checked against the policy (no document access yet)."""
    uri = element.get("URI")
    if uri is None or not (uri == "" or (uri.startswith("#") and len(uri) > 1)):
        raise PolicyError(f"reference URI {uri!r} is not a same-document reference "
                          '("" or "#id")')
    if uri.startswith("#xpointer("):
        raise PolicyError(f"XPointer reference {uri} is not supported")
    transforms = element.findall(f"{Q}Transforms/{Q}Transform")
    if len(transforms) > MAX_TRANSFORMS:
        raise PolicyError(f"{len(transforms)} transforms: at most {MAX_TRANSFORMS}")
    enveloped, c14n, prefixes = False, C14N_10, tuple[str, ...]()
    for position, transform in enumerate(transforms):
        if _is_enveloped(transform):
            enveloped = True
            continue
        c14n = transform.get("Algorithm", "")
        if c14n not in METHODS:
            _refuse_transform(c14n)
        if position != len(transforms) - 1:
            raise PolicyError("canonicalization must be the last transform")
        prefixes = inclusive_prefixes(transform)
    method = algorithm_of(element, "DigestMethod").get("Algorithm", "")
    check_digest_method(method)
    return Reference(uri, enveloped, c14n, prefixes, method,
                     b64(element.findtext(Q + "DigestValue"), "DigestValue"))


def _refuse_transform(uri: str) -> None:
    raise PolicyError(f"transform {uri or '(none)'} is not allowed: only enveloped-signature "
                      "and C14N")


def _is_enveloped(transform: etree._Element) -> bool:
    """enveloped-signature, or the classic XPath `not(ancestor-or-self::ds:Signature)`."""
    algorithm = transform.get("Algorithm", "")
    if algorithm == ENVELOPED:
        return True
    if algorithm != XPATH:
        return False
    xpath = transform.find(Q + "XPath")
    text = "".join((xpath.text or "").split()) if xpath is not None else ""
    prefix = text.removeprefix("not(ancestor-or-self::").removesuffix(":Signature)")
    if xpath is not None and text != prefix and xpath.nsmap.get(prefix) == DS:
        return True
    raise PolicyError(f"XPath transform {text!r} is not allowed")


def resolve(root: etree._Element, uri: str) -> etree._Element:
    """The element a same-document URI selects; "#id" must match exactly one element."""
    if uri == "":
        return root
    wanted = uri[1:]
    found = [e for e in root.iter(etree.Element) if any(e.get(a) == wanted
                                                        for a in ID_ATTRIBUTES)]
    if len(found) != 1:
        raise PolicyError(f"reference {uri} matches {len(found)} elements (must be one)")
    return found[0]


def digest_input(target: etree._Element, signature: etree._Element,
                 reference: Reference) -> bytes:
    """The octets a reference digests: the target (the whole document for URI ""), without
    comments, without the signature when enveloped, canonicalized."""
    node = target.getroottree() if reference.uri == "" else target
    if not reference.enveloped:
        return canonicalize(node, reference.c14n, prefixes=reference.prefixes, comments=False)
    with without(signature):
        return canonicalize(node, reference.c14n, prefixes=reference.prefixes, comments=False)


@contextmanager
def without(signature: etree._Element) -> Iterator[None]:
    """Take the Signature element out of its tree for the duration (the text after it stays,
    as the enveloped-signature transform says), then put it back."""
    parent = signature.getparent()
    if parent is None:
        raise VerificationError("the enveloped-signature transform needs an enveloping parent")
    index, tail, previous = parent.index(signature), signature.tail, signature.getprevious()
    saved = previous.tail if previous is not None else parent.text
    parent.remove(signature)
    if tail:
        if previous is not None:
            previous.tail = (saved or "") + tail
        else:
            parent.text = (saved or "") + tail
    try:
        yield
    finally:
        if previous is not None:
            previous.tail = saved
        else:
            parent.text = saved
        parent.insert(index, signature)
        signature.tail = tail
