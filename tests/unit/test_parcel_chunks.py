"""Parcels validated many to one libxml2 call give, parcel by parcel, exactly what validating
each parcel alone gave: the same outcome, violations (message, path, line, value), tracking
number, line and canonical parcel, whatever the chunk size and wherever the bad parcels sit.

The reference is the reader as it was before chunks: every Parcel of the parsed document
validated alone where it stands, and its fields read by name (not by position)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from customs.adapters.documents.manifest_reader import ReaderLimits, XmlManifestReader
from customs.adapters.documents.samples import generate_manifest
from customs.domain.model import (
    Address,
    Item,
    Parcel,
    ParcelOutcome,
    PersonalId,
    Recipient,
    Seller,
    Violation,
)
from customs.domain.money import Money, parse_decimal
from schemas import MANIFEST_NS, ManifestSchema

M = {"m": MANIFEST_NS}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PARSER = dict(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
              remove_pis=True)


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path, M)
    return None if found is None or found.text is None else found.text.strip()


def _money(element: etree._Element, path: str) -> Money:
    found = element.find(path, M)
    return Money(parse_decimal(found.text), found.get("currency"))


def reference_parcel(p: etree._Element) -> Parcel:
    pid = p.find("m:Recipient/m:PersonalId", M)
    return Parcel(
        tracking_number=_text(p, "m:TrackingNumber"), courier=_text(p, "m:Courier"),
        house_waybill=_text(p, "m:HouseWaybill"),
        seller=Seller(_text(p, "m:Seller/m:Name"), _text(p, "m:Seller/m:Country"),
                      _text(p, "m:Seller/m:ShopUrl"), _text(p, "m:Seller/m:Address")),
        recipient=Recipient(
            _text(p, "m:Recipient/m:Name"),
            Address(*(_text(p, f"m:Recipient/m:Address/m:{n}")
                      for n in ("Line", "City", "PostalCode", "Country"))),
            phone=_text(p, "m:Recipient/m:Phone"), email=_text(p, "m:Recipient/m:Email"),
            personal_id=None if pid is None else PersonalId(pid.get("type"), pid.text),
            tax_id=_text(p, "m:Recipient/m:TaxId")),
        gross_weight=parse_decimal(_text(p, "m:GrossWeight")),
        declared_value=_money(p, "m:DeclaredValue"), ioss_number=_text(p, "m:IossNumber"),
        items=tuple(Item(
            _text(i, "m:Description"), _text(i, "m:HSCode"), _text(i, "m:OriginCountry"),
            parse_decimal(i.find("m:Quantity", M).text), i.find("m:Quantity", M).get("unit"),
            parse_decimal(_text(i, "m:NetWeight")), _money(i, "m:Value"),
            _text(i, "m:ProductUrl"), _text(i, "m:Sku")) for i in p.findall("m:Item", M)))


def one_at_a_time(document: bytes) -> list[ParcelOutcome]:
    root = etree.fromstring(document, etree.XMLParser(**PARSER))
    schema = ManifestSchema.load()
    outcomes = []
    for position, element in enumerate(root.iterchildren(f"{{{MANIFEST_NS}}}Parcel"), 1):
        outcome = ParcelOutcome(position, element.findtext("m:TrackingNumber", namespaces=M),
                                element.sourceline)
        errors = schema.parcel_errors(element, f"/Manifest/Parcel[{position}]")
        outcome.violations.extend(Violation("SCHEMA_VIOLATION", e.message, e.path, e.line,
                                            e.value) for e in errors)
        if not errors:
            outcome.parcel = reference_parcel(element)
        outcomes.append(outcome)
    return outcomes


def chunked(document: bytes, size: int) -> list[ParcelOutcome]:
    return list(XmlManifestReader(chunk_parcels=size).open(document).parcels())


# ---- generated documents -------------------------------------------------------------------

HEADER = ('<ManifestRef>M-1</ManifestRef><IssuedAt>2026-11-23T09:00:00+03:00</IssuedAt>'
          '<Destination><Country>RU</Country><CustomsOffice>10005020</CustomsOffice>'
          '</Destination>')


def item(url: bool, sku: bool, n: int) -> str:
    return (f'<Item><Description> Mug {n}\n</Description><HSCode>691200230{n % 10}</HSCode>'
            f'<OriginCountry>CN</OriginCountry><Quantity unit="PCE"> {n + 1} </Quantity>'
            f'<NetWeight>0.{n + 1}</NetWeight><Value currency="EUR">1{n}.5</Value>'
            + (f"<ProductUrl>https://s.example/{n}</ProductUrl>" if url else "")
            + (f"<Sku>S-{n}</Sku>" if sku else "") + "</Item>")


def parcel(n: int, flags: int) -> str:
    """Every combination of the optional elements, by the bits of `flags`."""
    bit = [bool(flags >> b & 1) for b in range(12)]
    items = "".join(item(bit[9], bit[10], k) for k in range(1 + bit[11] + bit[8]))
    return (f"<Parcel>\n  <TrackingNumber>RR{n:09d}CN</TrackingNumber><Courier>DHL</Courier>"
            + ("<HouseWaybill>HWB-1</HouseWaybill>" if bit[0] else "")
            + "<Seller><Name>S Co</Name><Country>CN</Country>"
            + ("<Address>1 Road</Address>" if bit[1] else "")
            + "<ShopUrl>https://s.example</ShopUrl></Seller>"
            + "<Recipient><Name>Иван</Name><Address><Line>ул. 1</Line><City>Москва</City>"
            + "<PostalCode>101000</PostalCode><Country>RU</Country></Address>"
            + ("<Phone>+7 900 1</Phone>" if bit[2] else "")
            + ("<Email>a@b.example</Email>" if bit[3] else "")
            + ('<PersonalId type="passport">4510 1</PersonalId>' if bit[4] else "")
            + ("<TaxId>T-1</TaxId>" if bit[5] else "")
            + "</Recipient><GrossWeight>1.5</GrossWeight>"
            + '<DeclaredValue currency="EUR"><![CDATA[12]]>.50</DeclaredValue>'
            + ("<IossNumber>IM2760000001</IossNumber>" if bit[6] else "")
            + items + "\n</Parcel>\n")


DEFECTS = [
    ("<GrossWeight>1.5</GrossWeight>", "<GrossWeight>x</GrossWeight>"),
    ('<Value currency="EUR">', '<Value currency="eur">'),
    ("<Courier>DHL</Courier>", ""),
    ("<Courier>DHL</Courier>", "<Courier>DHL</Courier><Foo/>"),
    ("<Courier>DHL</Courier>", "<Courier>DHL<b/></Courier>"),
    ("<TrackingNumber>", "<TrackingNumber a='1'>"),
    ("</Seller>", "</Seller><Seller/>"),
    ("<City>Москва</City>", "<City>  </City>"),
    ("<Parcel>", '<Parcel xmlns:x="urn:other" x:a="1">'),
    ("<Courier>DHL</Courier>", '<Courier>DHL</Courier><x:Foo xmlns:x="urn:other"/>'),
    ("</Recipient>", "</Recipient>text"),
    ("<GrossWeight>", '<GrossWeight xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                      'xsi:type="m:NoSuchType">'),
    ("<Item>", "<Item><Parcel/>"),
]


def build(parcels: list[str], style: str) -> bytes:
    body = "".join(parcels)
    if style == "prefixed":  # every element m:..., m declared on the root only
        document = f'<m:Manifest xmlns:m="{MANIFEST_NS}">{HEADER}{body}</m:Manifest>'
        return re.sub(r"<(/?)(?=[A-Z])", r"<\1m:", document.replace("<m:m:", "<m:")).encode()
    if style == "two-prefixes":  # the parcels declare a second prefix for the same namespace
        body = body.replace("<Parcel>", f'<Parcel xmlns:q="{MANIFEST_NS}">')
    return (f'<?xml version="1.0"?>\n<Manifest xmlns="{MANIFEST_NS}" '
            f'xmlns:m="{MANIFEST_NS}">\n{HEADER}\n{body}</Manifest>').encode()


@st.composite
def documents(draw: st.DrawFn) -> tuple[bytes, int]:
    count = draw(st.integers(1, 14))
    parcels = []
    for n in range(count):
        text = parcel(n, draw(st.integers(0, 4095)))
        for old, new in draw(st.lists(st.sampled_from(DEFECTS), max_size=2)):
            text = text.replace(old, new, 1)
        parcels.append(text)
    style = draw(st.sampled_from(["default", "prefixed", "two-prefixes"]))
    return build(parcels, style), draw(st.integers(1, 5))


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=documents())
def test_chunks_give_each_parcel_what_validating_it_alone_gave(case) -> None:
    document, size = case
    assert chunked(document, size) == one_at_a_time(document)


# ---- named cases ---------------------------------------------------------------------------

def _bad(n: int) -> str:
    return parcel(n, 0).replace("<GrossWeight>1.5</GrossWeight>", "<GrossWeight>0</GrossWeight>")


@pytest.mark.parametrize("bad", [{0}, {3}, {4}, {7}, {8}, {9}, {3, 4, 7, 8},
                                 set(range(4)), set(range(10)), set(range(1, 10, 2))])
def test_bad_parcels_at_chunk_boundaries_in_one_chunk_and_in_the_last_partial_chunk(bad):
    """Chunks of 4 over 10 parcels: 0-3, 4-7 and the partial 8-9."""
    document = build([_bad(n) if n in bad else parcel(n, n * 373) for n in range(10)],
                     "default")
    outcomes = chunked(document, 4)
    assert outcomes == one_at_a_time(document)
    assert {o.position - 1 for o in outcomes if not o.accepted} == bad
    assert all(o.violations[0].path == f"/Manifest/Parcel[{o.position}]/GrossWeight"
               for o in outcomes if not o.accepted)


@pytest.mark.parametrize("size", [1, 7, 200])
def test_generated_manifests_with_every_kind_of_defect(size):
    document = generate_manifest(150, 11, invalid_rate=0.3).xml
    outcomes = chunked(document, size)
    assert outcomes == one_at_a_time(document)
    assert sum(1 for o in outcomes if o.parcel is None) >= 3


@pytest.mark.parametrize("name", ["manifest-ru-small.xml", "manifest-eu-with-errors.xml"])
def test_the_examples(name):
    document = (EXAMPLES / name).read_bytes()
    assert chunked(document, 2) == one_at_a_time(document)


class CountingSchema(ManifestSchema):
    """The real schema, counting its libxml2 validation calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = {"chunk": 0, "alone": 0}

    def chunk_failures(self, chunk):
        self.calls["chunk"] += 1
        return super().chunk_failures(chunk)

    def parcel_errors(self, parcel, base):
        self.calls["alone"] += 1
        return super().parcel_errors(parcel, base)


def test_one_call_per_chunk_and_one_more_per_bad_parcel() -> None:
    schema = CountingSchema()
    parcels = [parcel(n, n) for n in range(45)]
    parcels[17] = _bad(17)
    parcels[44] = _bad(44)
    reader = XmlManifestReader(schema, chunk_parcels=20)
    outcomes = list(reader.open(build(parcels, "default")).parcels())
    assert [o.position for o in outcomes if not o.accepted] == [18, 45]
    assert schema.calls == {"chunk": 3, "alone": 2}


def test_a_parcel_nested_in_a_parcel_is_a_wrong_element_not_a_parcel() -> None:
    document = build([parcel(0, 0).replace("<Courier>DHL</Courier>",
                                           "<Courier>DHL</Courier>" + parcel(1, 0)),
                      parcel(2, 0)], "default")
    outcomes = chunked(document, 3)
    assert [(o.position, o.accepted) for o in outcomes] == [(1, False), (2, True)]
    assert "Parcel': This element is not expected" in outcomes[0].violations[0].message


def test_a_chunk_of_large_parcels_is_cut_by_the_bytes_fed() -> None:
    """Ten parcels of ~100 KB each (texts under the shape limits): chunks end every 256 KB of
    body, not at 200 parcels."""
    schema = CountingSchema()
    big = parcel(0, 0).replace("</Description>", "</Description>"
                               + ("<Note>" + "x" * 8_000 + "</Note>") * 12, 1)
    document = build([big.replace("RR000000000CN", f"RR00000000{n}CN") for n in range(10)],
                     "default")
    outcomes = list(XmlManifestReader(schema).open(document).parcels())
    assert outcomes == one_at_a_time(document)
    assert [o.accepted for o in outcomes] == [False] * 10
    assert schema.calls["chunk"] >= 3


def test_a_parcel_over_the_element_cap_is_never_validated_alone_valid_or_not() -> None:
    """Its elements are counted after its chunk: a valid parcel's while it is read, a bad
    one's before it would be validated alone; either way it gets only the cap's violation."""
    schema = CountingSchema()
    big = parcel(1, 1 << 11 | 1 << 8)  # three items
    bad_big = _bad(2).replace("</Item>", "</Item>" + "<Item/>" * 30, 1)
    document = build([parcel(0, 0), big, bad_big, _bad(3)], "default")
    reader = XmlManifestReader(schema, ReaderLimits(max_elements_per_parcel=35))
    outcomes = list(reader.open(document).parcels())
    assert [[v.code for v in o.violations] for o in outcomes] == [
        [], ["PARCEL_LIMIT_EXCEEDED"], ["PARCEL_LIMIT_EXCEEDED"], ["SCHEMA_VIOLATION"]]
    assert [o.tracking_number for o in outcomes] == [f"RR{n:09d}CN" for n in range(4)]
    assert outcomes[1].violations[0].message == (
        "the parcel has more than 35 elements; it was not validated")
    assert schema.calls == {"chunk": 1, "alone": 1}  # the last parcel only
