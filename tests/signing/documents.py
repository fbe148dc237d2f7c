"""Documents the signing tests sign: a declaration-like one with what trips canonicalization
(default namespace, Cyrillic, escapes, a comment, whitespace between elements)."""

from __future__ import annotations

from lxml import etree

DECLARATION = (
    '<Declaration xmlns="urn:customs:declaration:generic:1" xmlns:x="urn:x" Id="D-42" '
    'profile="generic-1"><DeclarationId>42</DeclarationId>\n  <!-- rendered by a profile -->'
    '<Consignee><Name>Иван Петров</Name><x:Tax x:code="VAT">20</x:Tax></Consignee>'
    '<Note a="1" b="&amp;&lt;&quot;">text &amp; more</Note>\n</Declaration>')


def declaration(*, with_id: bool = True) -> etree._Element:
    root = etree.fromstring(DECLARATION.encode())
    if not with_id:
        del root.attrib["Id"]
    return root


def tamper(document: bytes) -> bytes:
    """Change one character of the signed content."""
    assert document.count(b"text &amp; more") == 1
    return document.replace(b"text &amp; more", b"text &amp; mora")
