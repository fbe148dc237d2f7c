"""Realistic generated manifests for the demo, the tests and the benchmarks.

Deterministic per seed. Each parcel designed invalid triggers one chosen error code (it may
trigger others too; the designed one is always among them). Built as text, not as a DOM, so that
50,000 parcels take seconds.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from customs.domain.tracking import s10_check_digit

NS = "urn:customs:manifest:1"

# (6-digit HS 2022 subheading, description, typical unit value in EUR, net kg)
GOODS = (
    ("851713", "Smartphone, 128 GB, dual SIM", 180, 0.190),
    ("851762", "Bluetooth earbuds with charging case", 25, 0.060),
    ("420222", "Handbag, synthetic leather", 35, 0.450),
    ("610910", "T-shirt, cotton, printed", 9, 0.180),
    ("640411", "Running shoes, textile upper", 45, 0.650),
    ("950300", "Building blocks toy set", 18, 0.400),
    ("330499", "Face cream, 50 ml", 12, 0.080),
    ("852351", "USB flash drive, 64 GB", 8, 0.020),
    ("711719", "Bracelet, imitation jewellery", 6, 0.030),
    ("392690", "Phone case, silicone", 4, 0.040),
    ("847130", "Laptop, 14 inch", 520, 1.400),
    ("950450", "Game controller, wireless", 30, 0.250),
    ("621710", "Hair accessories, set of 10", 3, 0.050),
    ("870899", "Car phone holder", 7, 0.120),
    ("940540", "LED desk lamp", 22, 0.700),
    ("611595", "Socks, cotton, 5 pairs", 7, 0.200),
    ("901890", "Digital thermometer", 9, 0.050),
    ("848180", "Kitchen tap, stainless steel", 28, 0.900),
    ("930400", "Air gun, spring-operated", 55, 1.100),  # prohibited by the simulator's rules
)
SELLERS = (
    ("Shenzhen Bright Electronics Co., Ltd.", "CN", "https://bright-electronics.example.cn"),
    ("Yiwu Happy Toys Trading", "CN", "https://happytoys.example.cn"),
    ("Guangzhou Fashion Garment Co.", "CN", "https://gz-fashion.example.cn"),
    ("Istanbul Deri Sanayi", "TR", "https://deri.example.com.tr"),
    ("Seoul Beauty Lab", "KR", "https://beautylab.example.kr"),
    ("Hangzhou Home Goods", "CN", "https://homegoods.example.cn"),
    ("Berlin Gadget GmbH", "DE", "https://gadget.example.de"),
)
# Russian sellers to Chinese buyers (the RU->CN manifests of the cn-ceb demo).
SELLERS_RU = (
    ("OOO Altai Honey", "RU", "https://altai-honey.example.ru"),
    ("Ural Gems Trading", "RU", "https://uralgems.example.ru"),
    ("Baikal Cosmetics LLC", "RU", "https://baikal-cosmetics.example.ru"),
)
COURIERS = ("CDEK", "BOXBERRY", "RUPOST", "DHL", "DPD", "UPS", "YUNEXPRESS")
# Who carries a parcel follows from its tracking number: a CDEK number by CDEK, a YunExpress
# (YT) number by YunExpress, a UPU S10 number by the destination's post.
POSTS = {"RU": "RUPOST", "DE": "DHL", "FR": "LAPOSTE", "US": "USPS", "CN": "CHINAPOST"}


@dataclass(frozen=True)
class Destination:
    country: str
    currency: str
    hs_digits: int
    names: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]
    streets: tuple[str, ...]
    phone_prefix: str
    personal_id: bool = False
    product_url: bool = False
    ioss: bool = False
    id_kind: str = "passport"
    order_ref: bool = False  # the platform's order number (China's inventories need it)
    sellers: tuple[tuple[str, str, str], ...] = SELLERS
    transaction_limit: Decimal | None = None  # a parcel worth more is rejected at intake


DESTINATIONS = {
    "RU": Destination("RU", "EUR", 10, (
        "Иван Петров", "Анна Смирнова", "Сергей Кузнецов", "Ольга Иванова", "Дмитрий Попов",
        "Елена Соколова", "Алексей Лебедев", "Мария Козлова"),
        (("Москва", "101000"), ("Санкт-Петербург", "190000"), ("Казань", "420111"),
         ("Новосибирск", "630099"), ("Екатеринбург", "620014")),
        ("ул. Ленина, д. 5, кв. 12", "пр. Мира, д. 101", "ул. Садовая, д. 3, кв. 7",
         "Невский пр., д. 28"), "+7 9", personal_id=True, product_url=True),
    "DE": Destination("DE", "EUR", 8, (
        "Lukas Müller", "Anna Schmidt", "Jonas Weber", "Lea Fischer", "Felix Wagner"),
        (("Berlin", "10115"), ("Hamburg", "20095"), ("München", "80331"), ("Köln", "50667")),
        ("Hauptstraße 12", "Bahnhofstraße 3a", "Gartenweg 7"), "+49 15", ioss=True),
    "FR": Destination("FR", "EUR", 8, ("Camille Martin", "Louis Bernard", "Chloé Dubois"),
                      (("Paris", "75001"), ("Lyon", "69001")),
                      ("12 rue de la Paix", "5 avenue Foch"), "+33 6", ioss=True),
    "US": Destination("US", "USD", 10, ("John Smith", "Emily Johnson", "Michael Brown"),
                      (("New York, NY", "10001"), ("Austin, TX", "73301")),
                      ("350 Fifth Avenue", "1600 Main St Apt 4"), "+1 512"),
    "CN": Destination("CN", "CNY", 10, ("王伟", "李娜", "张敏"),
                      (("上海", "200000"), ("北京", "100000")),
                      ("南京路100号", "长安街1号"), "+86 138", personal_id=True,
                      id_kind="national-id", order_ref=True, sellers=SELLERS_RU,
                      transaction_limit=Decimal(5000)),
}
RATES = {"EUR": Decimal(1), "USD": Decimal("1.08"), "CNY": Decimal("7.80")}


@dataclass
class SampleManifest:
    xml: bytes
    expected: list[str | None] = field(default_factory=list)


@dataclass
class _Parcel:
    """Fields of one parcel before it is written; defects edit them."""

    tracking: str
    courier: str
    seller: tuple[str, str, str]
    recipient: dict[str, str]
    items: list[dict[str, str]]
    gross: str
    value: str
    currency: str
    ioss: str | None
    extra: str = ""


def s10(rng: random.Random, country: str = "CN") -> str:
    serial = f"{rng.randrange(10**8):08d}"
    return f"{rng.choice('RLECU')}{rng.choice('ABCDEFGHJK')}{serial}{s10_check_digit(serial)}" \
           f"{country}"


def _tracking(rng: random.Random, position: int, seed: int) -> str:
    kind = position % 3
    if kind == 0:
        return s10(rng)
    if kind == 1:
        return f"CDEK-{seed % 1000:03d}{position:07d}"
    return f"YT{seed % 100:02d}{position:09d}{rng.randrange(10**4):04d}"


def _parcel(rng: random.Random, dest: Destination, position: int, seed: int) -> _Parcel:
    seller = rng.choice(dest.sellers)
    rate = RATES.get(dest.currency, Decimal(1))
    items = []
    for n in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        hs6, text, price, net = rng.choice(GOODS)
        hs = hs6 + "".join(str(rng.randrange(10)) for _ in range(dest.hs_digits - 6))
        qty = rng.choice((1, 1, 1, 2, 3))
        amount = (Decimal(price) * qty * rate * Decimal(rng.randint(70, 130)) / 100).quantize(
            Decimal("0.01"))
        items.append({"description": text, "hs": hs, "origin": seller[1], "qty": str(qty),
                      "net": f"{net * qty:.3f}", "value": str(amount),
                      "url": f"{seller[2]}/item/{hs6}-{position}-{n}",
                      "sku": f"SKU-{hs6}-{rng.randrange(10**5):05d}"})
    net_total = sum(Decimal(i["net"]) for i in items)
    gross = (net_total * Decimal("1.15") + Decimal("0.050")).quantize(Decimal("0.001"))
    total = sum(Decimal(i["value"]) for i in items)
    city, postal = rng.choice(dest.cities)
    recipient = {"name": rng.choice(dest.names), "line": rng.choice(dest.streets), "city": city,
                 "postal": postal, "country": dest.country,
                 "phone": f"{dest.phone_prefix}{rng.randrange(10**7, 10**8)}",
                 "email": f"buyer{seed}.{position}@mail.example"}
    ioss = f"IM{rng.randrange(10**10):010d}" if dest.ioss else None
    tracking = _tracking(rng, position, seed)
    # The draw stays, unused for the courier, so that a seed keeps making the same parcels.
    drawn = rng.choice(COURIERS)
    return _Parcel(tracking, _carrier(tracking, dest.country, drawn), seller, recipient, items,
                   str(gross), str(total), dest.currency, ioss)


def _carrier(tracking: str, country: str, fallback: str) -> str:
    if tracking.startswith("CDEK-"):
        return "CDEK"
    if tracking.startswith("YT"):
        return "YUNEXPRESS"
    return POSTS.get(country, fallback)


def _defect_schema(p: _Parcel) -> None:
    p.items[0]["hs"] = p.items[0]["hs"][:5]


def _defect_s10(p: _Parcel) -> None:
    serial = "1234567" + str(len(p.tracking) % 10)
    p.tracking = f"RR{serial}{(s10_check_digit(serial) + 1) % 10}CN"


def _defect_value(p: _Parcel) -> None:
    p.value = str(Decimal(p.value) + Decimal("5.00"))


def _defect_weight(p: _Parcel) -> None:
    p.gross = "0.010"


def _defect_currency(p: _Parcel) -> None:
    p.currency = "XYZ"
    for i in p.items:
        i["currency"] = "XYZ"


def _defect_country(p: _Parcel) -> None:
    p.items[0]["origin"] = "QQ"


def _defect_personal_id(p: _Parcel) -> None:
    p.recipient["no_pid"] = "1"


def _defect_product_url(p: _Parcel) -> None:
    p.items[-1]["url"] = ""


def _defect_ioss(p: _Parcel) -> None:
    p.ioss = None
    p.value = "20.00"
    share = Decimal("20.00") / len(p.items)
    for i in p.items:
        i["value"] = str(share.quantize(Decimal("0.01")))
    p.items[-1]["value"] = str(Decimal("20.00") - share.quantize(Decimal("0.01")) *
                               (len(p.items) - 1))


def _defect_currency_mismatch(p: _Parcel) -> None:
    p.items[0]["currency"] = "USD" if p.currency != "USD" else "EUR"


DEFECTS: dict[str, Callable[[_Parcel], None]] = {
    "SCHEMA_VIOLATION": _defect_schema,
    "TRACKING_S10_CHECK_DIGIT": _defect_s10,
    "VALUE_MISMATCH": _defect_value,
    "NET_WEIGHT_EXCEEDS_GROSS": _defect_weight,
    "CURRENCY_UNKNOWN": _defect_currency,
    "COUNTRY_UNKNOWN": _defect_country,
    "CURRENCY_MISMATCH": _defect_currency_mismatch,
    "PERSONAL_ID_REQUIRED": _defect_personal_id,
    "PRODUCT_URL_REQUIRED": _defect_product_url,
    "IOSS_REQUIRED": _defect_ioss,
}


def _defects_for(dest: Destination) -> list[str]:
    codes = ["SCHEMA_VIOLATION", "TRACKING_S10_CHECK_DIGIT", "VALUE_MISMATCH",
             "NET_WEIGHT_EXCEEDS_GROSS", "CURRENCY_UNKNOWN", "COUNTRY_UNKNOWN",
             "CURRENCY_MISMATCH", "TRACKING_DUPLICATE_IN_MANIFEST"]
    if dest.personal_id:
        codes.append("PERSONAL_ID_REQUIRED")
    if dest.product_url:
        codes.append("PRODUCT_URL_REQUIRED")
    if dest.ioss and dest.currency == "EUR":
        codes.append("IOSS_REQUIRED")
    return codes


def _write(p: _Parcel, dest: Destination) -> str:
    r = p.recipient
    serial = zlib.crc32(r["email"].encode()) % 10**6  # not hash(): it changes per process
    pid = "" if not dest.personal_id or "no_pid" in r else (
        f'<PersonalId type="{dest.id_kind}">{_id_number(dest, r["name"], serial)}</PersonalId>')
    ioss = f"<IossNumber>{p.ioss}</IossNumber>" if p.ioss else ""
    items = "".join(_item(i, p.currency) for i in p.items)
    if dest.order_ref:
        items += f"<OrderRef>ORD-{zlib.crc32(p.tracking.encode()):010d}</OrderRef>"
    return (
        f"<Parcel><TrackingNumber>{escape(p.tracking)}</TrackingNumber>"
        f"<Courier>{p.courier}</Courier>"
        f"<Seller><Name>{escape(p.seller[0])}</Name><Country>{p.seller[1]}</Country>"
        f"<ShopUrl>{escape(p.seller[2])}</ShopUrl></Seller>"
        f"<Recipient><Name>{escape(r['name'])}</Name><Address><Line>{escape(r['line'])}</Line>"
        f"<City>{escape(r['city'])}</City><PostalCode>{r['postal']}</PostalCode>"
        f"<Country>{r['country']}</Country></Address><Phone>{r['phone']}</Phone>"
        f"<Email>{r['email']}</Email>{pid}</Recipient>"
        f"<GrossWeight>{p.gross}</GrossWeight>"
        f"<DeclaredValue currency={quoteattr(p.currency)}>{p.value}</DeclaredValue>{ioss}"
        f"{items}</Parcel>\n")


def _id_number(dest: Destination, name: str, serial: int) -> str:
    """A passport's series and number, or (national-id) an 18-character resident ID number."""
    if dest.id_kind == "national-id":
        return f"110101199{serial % 10}0101{serial % 10000:04d}"[:18].ljust(18, "0")
    return f"{4500 + len(name)} {serial:06d}"


def _item(i: dict[str, str], currency: str) -> str:
    url = f"<ProductUrl>{escape(i['url'])}</ProductUrl>" if i["url"] else ""
    return (f"<Item><Description>{escape(i['description'])}</Description>"
            f"<HSCode>{i['hs']}</HSCode><OriginCountry>{i['origin']}</OriginCountry>"
            f'<Quantity unit="PCE">{i["qty"]}</Quantity><NetWeight>{i["net"]}</NetWeight>'
            f"<Value currency={quoteattr(i.get('currency', currency))}>{i['value']}</Value>"
            f"{url}<Sku>{i['sku']}</Sku></Item>")


def iter_parcels(parcels: int, seed: int, invalid_rate: float, destination: str,
                 expected: list[str | None], order_refs: bool = False) -> Iterator[str]:
    """Parcel elements as text, appending each parcel's designed code to `expected`.
    `order_refs`: every parcel carries an OrderRef (an export leg from China needs one)."""
    dest = DESTINATIONS.get(destination) or DESTINATIONS["DE"]
    if destination not in DESTINATIONS:
        dest = Destination(destination, "EUR", 6, *[getattr(dest, f) for f in (
            "names", "cities", "streets", "phone_prefix")])
    if order_refs:
        dest = replace(dest, order_ref=True)
    rng = random.Random(seed)  # noqa: S311  (reproducible test data, not secrets)
    codes = _defects_for(dest)
    every = round(1 / invalid_rate) if invalid_rate > 0 else 0
    previous: str | None = None
    for position in range(1, parcels + 1):
        p = _parcel(rng, dest, position, seed)
        code = None
        if every and position % every == 0:
            code = codes[(position // every - 1) % len(codes)]
            if code == "TRACKING_DUPLICATE_IN_MANIFEST":
                code = None if previous is None else code
                if code:
                    p.tracking = previous  # type: ignore[assignment]
                    # a duplicate is rejected before any limit is checked
                    kept = expected[-1] != "BUYER_TRANSACTION_LIMIT" and expected[-1]
                    expected[-1] = kept or code
            else:
                DEFECTS[code](p)
        if code is None and dest.transaction_limit and Decimal(p.value) > dest.transaction_limit:
            code = "BUYER_TRANSACTION_LIMIT"  # the regime's limit (CN 9610, duty rules)
        previous = p.tracking
        expected.append(code)
        yield _write(p, dest)


def _header(ref: str, destination: str, office: str, seed: int) -> str:
    serial = 10_000_000 + seed * 7919 % 9_000_000
    awb = f"784-{serial:07d}{serial % 7}"[:3] + "-" + f"{serial % 10**7:07d}{serial % 10**7 % 7}"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Manifest xmlns="{NS}">'
            f"<ManifestRef>{ref}</ManifestRef><IssuedAt>2026-11-23T08:00:00+00:00</IssuedAt>"
            f"<Destination><Country>{destination}</Country><CustomsOffice>{office}"
            f"</CustomsOffice></Destination><Transport><Mode>air</Mode>"
            f"<MasterWaybill>{awb}</MasterWaybill><Carrier>SU Cargo</Carrier>"
            f"<ExpectedArrival>2026-11-24</ExpectedArrival></Transport>\n")


def write_manifest(out: BinaryIO, parcels: int, seed: int, invalid_rate: float = 0.0,
                   destination: str = "RU", customs_office: str = "10005020",
                   ref: str | None = None,
                   progress: Callable[[int], None] | None = None,
                   order_refs: bool = False) -> list[str | None]:
    """Stream a manifest to a binary file; returns the designed code per parcel. `progress`
    is told how many parcels were written, after each one."""
    expected: list[str | None] = []
    out.write(_header(ref or f"SAMPLE-{destination}-{seed}", destination, customs_office,
                      seed).encode())
    for done, text in enumerate(iter_parcels(parcels, seed, invalid_rate, destination,
                                             expected, order_refs), start=1):
        out.write(text.encode())
        if progress is not None:
            progress(done)
    out.write(b"</Manifest>\n")
    return expected


def generate_manifest(parcels: int, seed: int, invalid_rate: float = 0.0,
                      destination: str = "RU", customs_office: str = "10005020",
                      ref: str | None = None,
                      progress: Callable[[int], None] | None = None,
                      order_refs: bool = False) -> SampleManifest:
    import io

    buffer = io.BytesIO()
    expected = write_manifest(buffer, parcels, seed, invalid_rate, destination, customs_office,
                              ref, progress, order_refs)
    return SampleManifest(buffer.getvalue(), expected)


def save_manifest(path: Path, parcels: int, seed: int, **options: object) -> list[str | None]:
    with path.open("wb") as out:
        return write_manifest(out, parcels, seed, **options)  # type: ignore[arg-type]
