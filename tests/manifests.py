"""Hand-made manifests for precise tests (the generator makes the large realistic ones)."""

from __future__ import annotations

from xml.sax.saxutils import escape

NS = "urn:customs:manifest:1"

_ITEM = """<Item><Description>{description}</Description><HSCode>{hs}</HSCode>\
<OriginCountry>CN</OriginCountry><Quantity unit="PCE">1</Quantity>\
<NetWeight>{net}</NetWeight><Value currency="{currency}">{value}</Value>\
<ProductUrl>https://shop.example.cn/p/{hs}</ProductUrl></Item>"""


def item(description: str = "Phone case, silicone", hs: str = "3926909709", net: str = "0.100",
         value: str = "12.50", currency: str = "EUR") -> str:
    return _ITEM.format(description=escape(description), hs=hs, net=net, value=value,
                        currency=currency)


def parcel(tracking: str = "RR123456785CN", *, courier: str = "CDEK", gross: str = "0.500",
           value: str = "12.50", currency: str = "EUR", country: str = "RU",
           personal_id: bool = True, items: list[str] | None = None, ioss: str | None = None,
           extra_recipient: str = "") -> str:
    pid = '<PersonalId type="passport">4510 123456</PersonalId>' if personal_id else ""
    ioss_el = f"<IossNumber>{ioss}</IossNumber>" if ioss else ""
    return f"""
  <Parcel>
    <TrackingNumber>{tracking}</TrackingNumber>
    <Courier>{courier}</Courier>
    <Seller><Name>Shenzhen Gadget Co.</Name><Country>CN</Country>\
<ShopUrl>https://shop.example.cn</ShopUrl></Seller>
    <Recipient><Name>Иван Петров</Name><Address><Line>ул. Ленина, 1</Line><City>Москва</City>\
<PostalCode>101000</PostalCode><Country>{country}</Country></Address>{extra_recipient}{pid}\
</Recipient>
    <GrossWeight>{gross}</GrossWeight>
    <DeclaredValue currency="{currency}">{value}</DeclaredValue>{ioss_el}
    {"".join(items or [item(value=value, currency=currency)])}
  </Parcel>"""


def manifest(*parcels: str, ref: str = "M-2026-0001", country: str = "RU",
             office: str = "10005020", issued: str = "2026-11-23T09:00:00+03:00",
             transport: str = "") -> bytes:
    body = "".join(parcels) if parcels else parcel()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Manifest xmlns="{NS}">
  <ManifestRef>{ref}</ManifestRef>
  <IssuedAt>{issued}</IssuedAt>
  <Destination><Country>{country}</Country><CustomsOffice>{office}</CustomsOffice></Destination>
  {transport}{body}
</Manifest>
""".encode()
