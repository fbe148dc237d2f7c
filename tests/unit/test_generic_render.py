"""The generic declaration is written as text and parsed: every value must come back intact."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from customs.adapters.documents.manifest_reader import XmlManifestReader
from customs.adapters.documents.profiles.generic import NS, GenericProfile
from customs.bootstrap import generate_sample
from customs.domain.model import ManifestHeader, PersonalId, Transport
from tests.unit.test_domain_rules import a_parcel, item

Q = f"{{{NS}}}"
AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
ODD = 'Tom & Jerry <b>"quoted"</b> \'single\' > tab\there\nline\r\nend — Ёлка 中文 🎁'


def texts(element, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text or "" for e in element.iter(Q + name)]


def test_every_odd_character_survives_in_text_and_attributes() -> None:
    parcel = a_parcel(
        seller=replace(a_parcel().seller, name=ODD, address=ODD),
        recipient=replace(a_parcel().recipient, name=ODD, phone="+7 (495) <1>",
                          personal_id=PersonalId('pass"port\t&\n<x>', ODD)),
        items=(item(description=ODD, unit='P"C\tE&<'), item(description="plain", sku="a&b")))
    header = ManifestHeader("M&<1>", AT, "RU", "10005020",
                            Transport("air", "123-12345675", "Air & Sea <Co>"))
    root = GenericProfile(declarant="Broker & Sons").render(parcel, header, "id-1", AT)

    assert texts(root, "Description") == [ODD, "plain"]
    assert root.find(f"{Q}Consignor/{Q}Name").text == ODD
    assert root.find(f"{Q}Consignor/{Q}Address").text == ODD
    assert root.find(f"{Q}Consignee/{Q}Phone").text == "+7 (495) <1>"
    ident = root.find(f"{Q}Consignee/{Q}Identification")
    assert (ident.text, ident.get("schemeID")) == (ODD, 'pass"port\t&\n<x>')
    assert [q.get("unitCode") for q in root.iter(Q + "Quantity")] == ['P"C\tE&<', "PCE"]
    assert texts(root, "Sku") == ["a&b"]
    assert root.findtext(f"{Q}ManifestRef") == "M&<1>"
    assert root.findtext(f"{Q}TransportDocument/{Q}Carrier") == "Air & Sea <Co>"
    assert root.findtext(f"{Q}Declarant/{Q}Name") == "Broker & Sons"
    assert root.get("Id") == "D-id-1"


def test_optional_elements_are_left_out_and_the_result_is_schema_valid() -> None:
    profile = GenericProfile()
    parcel = a_parcel(recipient=replace(a_parcel().recipient, personal_id=None, phone=None),
                      house_waybill=None, items=(item(product_url=None, sku=None),))
    header = ManifestHeader("M1", AT, "RU", "10005020", None)
    root = profile.render(parcel, header, "id-2", AT)
    assert root.find(f"{Q}Consignee/{Q}Identification") is None
    assert root.find(f"{Q}Consignee/{Q}Phone") is None
    assert list(root.find(f"{Q}TransportDocument")) == []
    assert root.find(f"{Q}GoodsItem/{Q}ProductURI") is None
    assert profile.validate(root) == []
    full = profile.render(a_parcel(), ManifestHeader(
        "M1", AT, "RU", "10005020", Transport("air", "123-12345675", "SU")), "id-3", AT)
    assert profile.validate(full) == []
    assert [e.tag[len(Q):] for e in full.find(f"{Q}TransportDocument")] == [
        "ModeCode", "MasterWaybill", "Carrier"]


def test_a_value_xml_cannot_carry_is_a_render_error() -> None:
    parcel = a_parcel(items=(item(description="bell \x07"),))
    with pytest.raises(ValueError, match="cannot be written in XML"):
        GenericProfile().render(parcel, ManifestHeader("M1", AT, "RU", "10005020"), "i", AT)


def canonical(root) -> bytes:  # type: ignore[no-untyped-def]
    return etree.tostring(root, method="c14n", exclusive=True, with_comments=False)


def test_the_rendered_text_is_the_exclusive_canonical_form() -> None:
    """The signer digests the rendered text as it is (no C14N of the tree): it must be byte
    for byte what exclusive C14N writes, for odd values and for a whole generated manifest."""
    profile = GenericProfile(declarant="Broker & Sons\t<B>")
    odd = a_parcel(
        seller=replace(a_parcel().seller, name=ODD, address=ODD),
        recipient=replace(a_parcel().recipient, personal_id=PersonalId('p"\t&\n<x>\r>', ODD)),
        items=(item(description=ODD, unit='P"C\tE&<>\r'),))
    header = ManifestHeader("M&<1>\r", AT, "RU", "10005020",
                            Transport("air", "123-12345675", "Air & Sea <Co>"))
    root, text = profile.render_canonical(odd, header, "id-1", AT)
    assert text == canonical(root)

    document = generate_sample(300, 5).xml
    stream = XmlManifestReader().open(document)
    rendered = 0
    for outcome in stream.parcels():
        assert outcome.parcel is not None
        root, text = profile.render_canonical(outcome.parcel, stream.header, "d-1", AT)
        assert text == canonical(root)
        rendered += 1
    assert rendered == 300


XML_CHARS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF))), max_size=40)


@settings(max_examples=150, deadline=None)
@given(name=XML_CHARS, kind=XML_CHARS, unit=XML_CHARS, ref=XML_CHARS)
def test_any_xml_text_renders_canonically(name: str, kind: str, unit: str, ref: str) -> None:
    parcel = a_parcel(
        seller=replace(a_parcel().seller, name=name),
        recipient=replace(a_parcel().recipient, personal_id=PersonalId(kind, name)),
        items=(item(description=name, unit=unit),))
    root, text = GenericProfile().render_canonical(
        parcel, ManifestHeader(ref, AT, "RU", "10005020"), "id-9", AT)
    assert text == canonical(root)
