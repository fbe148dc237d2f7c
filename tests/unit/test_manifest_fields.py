"""Schema-valid parcel elements → domain objects, every optional element present or absent."""

from __future__ import annotations

from decimal import Decimal

from customs.adapters.documents.manifest_reader import XmlManifestReader
from customs.domain.model import Address, Item, Parcel, PersonalId, Recipient, Seller
from customs.domain.money import Money

FULL = b"""<?xml version="1.0" encoding="UTF-8"?>
<Manifest xmlns="urn:customs:manifest:1">
  <ManifestRef>M-1</ManifestRef><IssuedAt>2026-11-23T09:00:00+03:00</IssuedAt>
  <Destination><Country>DE</Country><CustomsOffice>4800</CustomsOffice></Destination>
  <Parcel>
    <TrackingNumber>RR123456785CN</TrackingNumber><Courier>DHL</Courier>
    <HouseWaybill>HWB-1</HouseWaybill>
    <Seller><Name>Seller Co</Name><Country>CN</Country><Address>1 Seller Road</Address>
      <ShopUrl>https://shop.example</ShopUrl></Seller>
    <Recipient><Name> Erika
      </Name>
      <Address><Line>Hauptstr. 1</Line><City>Berlin</City><PostalCode>10115</PostalCode>
        <Country>DE</Country></Address>
      <Phone>+49 30 1</Phone><Email>e@example.de</Email>
      <PersonalId type="passport">C01X00T47</PersonalId><TaxId>DE123</TaxId></Recipient>
    <GrossWeight>1.250</GrossWeight><DeclaredValue currency="EUR">40.00</DeclaredValue>
    <IossNumber>IM2760000001</IossNumber>
    <Item><Description>Mug</Description><HSCode>6912002300</HSCode>
      <OriginCountry>CN</OriginCountry><Quantity unit="PCE">2</Quantity>
      <NetWeight>0.800</NetWeight><Value currency="EUR">30.00</Value>
      <ProductUrl>https://shop.example/mug</ProductUrl><Sku>MUG-1</Sku></Item>
    <Item><Description>Spoon</Description><HSCode>8215990000</HSCode>
      <OriginCountry>CN</OriginCountry><Quantity unit="PCE">1</Quantity>
      <NetWeight>0.050</NetWeight><Value currency="EUR">10.00</Value></Item>
  </Parcel>
  <Parcel>
    <TrackingNumber>RR123456799CN</TrackingNumber><Courier>DHL</Courier>
    <Seller><Name>Seller Co</Name><Country>CN</Country><ShopUrl>https://s.example</ShopUrl>
      </Seller>
    <Recipient><Name>Max</Name><Address><Line>L</Line><City>C</City>
      <PostalCode>1</PostalCode><Country>DE</Country></Address></Recipient>
    <GrossWeight>0.5</GrossWeight><DeclaredValue currency="EUR">5</DeclaredValue>
    <Item><Description>Pen</Description><HSCode>9608100000</HSCode>
      <OriginCountry>CN</OriginCountry><Quantity unit="PCE">1</Quantity>
      <NetWeight>0.1</NetWeight><Value currency="EUR">5</Value></Item>
  </Parcel>
</Manifest>"""


def test_every_optional_element_lands_in_its_own_section() -> None:
    stream = XmlManifestReader().open(FULL)
    full, bare = (o.parcel for o in stream.parcels())
    assert full == Parcel(
        tracking_number="RR123456785CN", courier="DHL", house_waybill="HWB-1",
        seller=Seller("Seller Co", "CN", "https://shop.example", address="1 Seller Road"),
        recipient=Recipient("Erika", Address("Hauptstr. 1", "Berlin", "10115", "DE"),
                            phone="+49 30 1", email="e@example.de",
                            personal_id=PersonalId("passport", "C01X00T47"), tax_id="DE123"),
        gross_weight=Decimal("1.250"), declared_value=Money(Decimal("40.00"), "EUR"),
        ioss_number="IM2760000001",
        items=(Item("Mug", "6912002300", "CN", Decimal(2), "PCE", Decimal("0.800"),
                    Money(Decimal("30.00"), "EUR"), "https://shop.example/mug", "MUG-1"),
               Item("Spoon", "8215990000", "CN", Decimal(1), "PCE", Decimal("0.050"),
                    Money(Decimal("10.00"), "EUR"), None, None)))
    assert bare is not None
    assert (bare.house_waybill, bare.seller.address, bare.recipient.phone,
            bare.recipient.email, bare.recipient.personal_id, bare.recipient.tax_id,
            bare.ioss_number) == (None,) * 7
    assert bare.recipient.address == Address("L", "C", "1", "DE")
    assert [i.description for i in bare.items] == ["Pen"]


def test_a_parcel_over_the_element_limit_is_rejected_alone() -> None:
    """The first parcel has 39 elements (itself included), the second 23: with a limit of 38
    only the first is refused, before any schema validation."""
    from customs.adapters.documents.manifest_reader import ReaderLimits

    counts = []
    for limit in (39, 38):
        stream = XmlManifestReader(limits=ReaderLimits(max_elements_per_parcel=limit)).open(FULL)
        outcomes = list(stream.parcels())
        counts.append([(o.parcel is not None, [v.message for v in o.violations])
                       for o in outcomes])
    assert counts[0] == [(True, []), (True, [])]
    assert counts[1] == [(False, ["the parcel has more than 38 elements; it was not validated"]),
                         (True, [])]
