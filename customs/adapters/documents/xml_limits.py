"""Shape limits of a manifest, enforced while it streams, so that what a body costs (time, memory,
reply) grows with its size and no faster.

The pull parser reports only Manifest and Parcel elements (a Python event per element would
cost more than the validation); the rest is watched from two places:
- every namespace declaration (`start-ns`, reported whatever the tag filter): declarations in
  scope of the parcels are copied into each parcel validated alone, which made many of them
  quadratic; declarations inside a parcel are bounded per parcel;
- each chunk boundary of the feed: the tree then holds the header and at most one open parcel,
  counted in C (one XPath call). A parcel over its limits stops growing there: its finished
  children are dropped as they arrive, it is rejected unvalidated, the document goes on;
  a header or trailer over its limits refuses the manifest.
A run of a whole chunk without '<' (a start tag, a text) is refused before it is parsed (a
start tag's attributes are built at once). Depth (256), names (50,000 characters) and text
nodes (10 MB, in CDATA) are bounded by libxml2 itself; a Violation cuts long values when made.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from customs.domain.errors import ManifestRefused
from customs.domain.model import Violation

_COUNTS = etree.XPath(
    "concat(count(descendant-or-self::*), ' ', count(descendant-or-self::*/@*))")
_ELEMENTS = etree.XPath("count(descendant-or-self::*)")
TEXT_CHARS = 8_192
# Validating a long text against a pattern takes memory in proportion to it (libxml2's regular
# expressions keep their backtracking states): such a parcel is rejected unvalidated.
_LONG_TEXT = etree.XPath(f"boolean(descendant::text()[string-length() > {TEXT_CHARS}])")


@dataclass(frozen=True, slots=True)
class ShapeLimits:
    """An honest manifest declares 1 to 3 namespaces, has under 1,000 elements and 200
    attributes per parcel and about ten header elements; each limit is far above that."""

    namespaces_outside_parcels: int = 16
    namespaces_per_parcel: int = 16
    elements_per_parcel: int = 3_000
    attributes_per_parcel: int = 1_000
    elements_outside_parcels: int = 200
    attributes_outside_parcels: int = 200


def counts(element: etree._Element) -> tuple[int, int]:
    """(elements, attributes) of the subtree, the element itself included."""
    elements, attributes = _COUNTS(element).split()
    return int(float(elements)), int(float(attributes))


def _long_text(element: etree._Element) -> str | None:
    return f"a text over {TEXT_CHARS} characters" if _LONG_TEXT(element) else None


def _too_much(what: str, limit: int) -> str:
    return f"more than {limit} {what}"


def elements_over(elements: int, limit: int) -> str | None:
    return _too_much("elements", limit) if elements > limit else None


def attributes_over(attributes: int, limit: int) -> str | None:
    return _too_much("attributes", limit) if attributes > limit else None


def element_count(element: etree._Element) -> int:
    """The elements of the subtree, the element itself included (one call into C)."""
    return int(_ELEMENTS(element))


def over_limit(over: str, base: str, line: int | None) -> Violation:
    """The violation of a parcel rejected unvalidated for what `over` says it has."""
    return Violation("PARCEL_LIMIT_EXCEEDED", f"the parcel has {over}; it was not validated",
                     base, line)


class ShapeWatch:
    """Counts one manifest's shape as it streams; refuses it or marks its open parcel."""

    def __init__(self, limits: ShapeLimits, parcel_tag: str) -> None:
        self._limits = limits
        self._parcel_tag = parcel_tag
        self._root: etree._Element | None = None
        self._pending_ns = 0
        self._outside_ns = 0
        self._parcel: etree._Element | None = None
        self._parcel_ns = 0
        self._over: str | None = None
        self._spanned = False  # the open parcel was there at a chunk boundary

    def namespace(self) -> None:
        self._pending_ns += 1
        if self._parcel is not None:
            self._add_parcel_ns()

    def event(self, event: str, element: etree._Element) -> None:
        """Every start/end event the stream reads, in order."""
        if event == "start" and self._root is None:
            self._root = element
        if event == "start" and self._parcel is None and self.is_parcel(element):
            self._parcel, self._over, self._parcel_ns, self._spanned = element, None, 0, False
            self._add_parcel_ns()
        elif self._parcel is None:
            self._outside_ns += self._pending_ns
            self._pending_ns = 0
            if self._outside_ns > self._limits.namespaces_outside_parcels:
                self._refuse(_too_much("namespace declarations outside the parcels",
                                       self._limits.namespaces_outside_parcels))

    def is_parcel(self, element: etree._Element) -> bool:
        """A Parcel child of the root (a Parcel nested anywhere else is just a wrong element)."""
        return (element.tag == self._parcel_tag and self._root is not None
                and element.getparent() is self._root)

    def _add_parcel_ns(self) -> None:
        self._parcel_ns += self._pending_ns
        self._pending_ns = 0
        if self._parcel_ns > self._limits.namespaces_per_parcel and self._over is None:
            self._over = _too_much("namespace declarations", self._limits.namespaces_per_parcel)

    def chunk_read(self) -> None:
        """Between two chunks: count the open parcel and what is outside the parcels."""
        if self._root is None:
            return
        if self._parcel is None:
            self.event("end", self._root)  # declarations read so far are outside the parcels
        inside = (0, 0)
        if self._parcel is not None:
            inside = counts(self._parcel)
            self._spanned = True
            self._over = self._over or self._parcel_excess(*inside) or _long_text(self._parcel)
            if self._over is not None:
                _drop_finished_children(self._parcel)
        total = counts(self._root)
        self.check_outside(total[0] - inside[0], total[1] - inside[1])

    def check_document(self, root: etree._Element) -> None:
        """Before the header or the whole envelope is validated (no parcel left in it)."""
        self.check_outside(*counts(root))
        if _long_text(root):
            self._refuse(f"a text over {TEXT_CHARS} characters outside the parcels")

    def check_outside(self, elements: int, attributes: int) -> None:
        if elements > self._limits.elements_outside_parcels:
            self._refuse(_too_much("elements outside the parcels",
                                   self._limits.elements_outside_parcels))
        if attributes > self._limits.attributes_outside_parcels:
            self._refuse(_too_much("attributes outside the parcels",
                                   self._limits.attributes_outside_parcels))

    def parcel_ended(self, element: etree._Element, base: str) -> Violation | None:
        """The violation that rejects this parcel unvalidated, or None if it is within limits
        as far as they are watched here. A parcel read within one chunk of the feed holds at
        most a chunk's worth of elements, attributes and text, whose validation costs a bounded
        amount: its elements are counted after its chunk's validation, by `elements_over`
        (that cap is also a setting). A parcel seen at a chunk boundary is counted whole, with
        its attributes and texts, now."""
        self._parcel = None
        over, self._over = self._over, None
        if over is None and self._spanned:
            over = self._parcel_excess(*counts(element)) or _long_text(element)
        return None if over is None else over_limit(over, base, element.sourceline)

    def _parcel_excess(self, elements: int, attributes: int) -> str | None:
        return (elements_over(elements, self._limits.elements_per_parcel)
                or attributes_over(attributes, self._limits.attributes_per_parcel))

    @staticmethod
    def _refuse(detail: str) -> None:
        raise ManifestRefused("MANIFEST_LIMIT_EXCEEDED", f"the manifest has {detail}")


def check_markup(piece: bytes, chunk: int) -> None:
    """Refuse a whole chunk without '<': it is one start tag (attributes and declarations, which
    libxml2 builds all at once when the tag ends and no check between chunks can stop), or one
    text or comment, longer than any manifest needs. A search for one byte, at memchr speed."""
    if len(piece) == chunk and b"<" not in piece:
        raise ManifestRefused("MANIFEST_LIMIT_EXCEEDED", f"the manifest has a run of {chunk} "
                              "bytes without markup (one start tag, text or comment)")


def _drop_finished_children(parcel: etree._Element) -> None:
    """Free what the parser has finished inside a rejected parcel. The parser appends to the
    last child at each level, so every child but the last is finished and safe to delete."""
    node = parcel
    while len(node):
        if len(node) > 1:
            del node[:-1]
        node = node[-1]


def release(parent: etree._Element, element: etree._Element) -> None:
    """Remove a finished parcel from the tree in linear time: lxml moves a removed subtree that
    Python still refers to node by node (quadratic with namespaces); its cleared children have
    no Python reference and are freed at once."""
    element.clear()
    parent.remove(element)
