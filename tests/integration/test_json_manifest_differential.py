"""The XML and the JSON form of manifest v1 are one content model: the committed JSON Schema is
what the generator makes of the XSD today, and every example, every generated manifest and
every hypothesis-made parcel (valid or not) gets the same judgement in both forms: the same
refusal code, or for each parcel the same acceptance, the same violation codes and the same
domain Parcel. Paths differ by design (XPath and JSON Pointer); each JSON path is checked to
point into the JSON document."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customs.bootstrap import bootstrap, generate_sample
from customs.domain.errors import ManifestRefused
from customs.settings import Settings
from schemas.manifest_json import generate_json_schema, load_json_schema, xml_to_json
from tests.unit.fakes import FakeUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.xml"))
XML, JSON = "application/xml", "application/json"


@pytest.fixture(scope="module")
def app():  # type: ignore[no-untyped-def]
    return bootstrap(Settings(database_url="sqlite://"), uow_factory=FakeUnitOfWork)


def judge(app, document: bytes, media_type: str) -> Any:  # type: ignore[no-untyped-def]
    """What a reader and the rules make of a document, paths aside."""
    try:
        header, outcomes = app.intake.validate_offline(document, media_type=media_type)
    except ManifestRefused as refused:
        return ("refused", refused.code, [v.code for v in refused.violations])
    return header, [(o.position, o.tracking_number, o.accepted,
                     sorted({v.code for v in o.violations}), o.parcel) for o in outcomes]


def paths(app, document: bytes, media_type: str) -> list[str]:  # type: ignore[no-untyped-def]
    try:
        _, outcomes = app.intake.validate_offline(document, media_type=media_type)
    except ManifestRefused as refused:
        return [v.path for v in refused.violations if v.path]
    return [v.path for o in outcomes for v in o.violations if v.path]


def points_into(document: Any, pointer: str) -> bool:
    """The pointer names a value of the document, or a member its parent object lacks."""
    node = document
    steps = [s.replace("~1", "/").replace("~0", "~") for s in pointer.split("/")[1:]]
    for i, step in enumerate(steps):
        if isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return isinstance(node, dict) and i == len(steps) - 1
    return True


def assert_same(app, xml: bytes) -> Any:  # type: ignore[no-untyped-def]
    twin = xml_to_json(xml)
    assert judge(app, xml, XML) == judge(app, twin, JSON)
    document = json.loads(twin)
    for pointer in paths(app, twin, JSON):
        assert pointer.startswith("/") and "[" not in pointer, pointer
        assert points_into(document, pointer), pointer
    return judge(app, xml, XML)


def test_the_committed_json_schema_is_the_one_generated_from_the_xsd():
    assert generate_json_schema() == load_json_schema(), (
        "schemas/manifest/v1/manifest-v1.json is stale: run python -m schemas.manifest_json")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_each_example_has_its_json_twin_and_the_same_judgement(app, example):
    xml = example.read_bytes()
    twin = example.with_suffix(".json")
    assert twin.read_bytes() == xml_to_json(xml, indent=2), f"{twin.name} is not the XML's twin"
    assert judge(app, twin.read_bytes(), JSON) == assert_same(app, xml)


@pytest.mark.parametrize(("destination", "seed"), [("RU", 3), ("DE", 4), ("US", 5), ("CN", 6)])
def test_generated_manifests_get_the_same_judgement(app, destination, seed):
    sample = generate_sample(120, seed, invalid_rate=0.3, destination=destination)
    _, outcomes = assert_same(app, sample.xml)
    assert any(o[2] for o in outcomes) and not all(o[2] for o in outcomes)


# ---------------------------------------------------------------- hypothesis: parcels made up

_XML_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff",
                           min_codepoint=0x20) | st.sampled_from("\t\n\r ")


def rarely(valid: st.SearchStrategy[str], invalid: st.SearchStrategy[str],
           odds: int = 40) -> st.SearchStrategy[str]:
    """Mostly valid values (so that parcels pass the schema and meet the rules), one in
    `odds` drawn from the invalid ones (the last integer: hypothesis favours 0)."""
    return st.integers(0, odds - 1).flatmap(lambda i: invalid if i == odds - 1 else valid)


def _non_blank(text: str) -> bool:
    return any(c not in " \t\n\r" for c in text)


TEXT = rarely(st.text(_XML_CHARS, min_size=1, max_size=12).filter(_non_blank),
              st.text(_XML_CHARS, max_size=3) | st.text(_XML_CHARS, min_size=240, max_size=310))
BAD_NUMBERS = st.sampled_from([
    "0", "0.000", "0.0001", "-0", "-1", "1e3", "abc", "", "99999.9991", "100000", "99999.999",
    "9999999",
    "9999999.001", "10000000000", "12.345", "1" + "0" * 45, "1.00001"])
ODD_NUMBERS = st.sampled_from(["1.5000", "+1.5", ".5", "1.", " 2.5 ", "00012.50", "12"])


def _numbers(places: int) -> st.SearchStrategy[str]:
    exact = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=places,
                        allow_nan=False, allow_infinity=False).map(str)
    return rarely(exact | ODD_NUMBERS, BAD_NUMBERS, odds=20)


def _coded(pattern: str, noise: str) -> st.SearchStrategy[str]:
    return rarely(st.from_regex(pattern, fullmatch=True), st.text(noise, max_size=14))


COUNTRY = rarely(st.sampled_from(["RU", "RU", "DE", "CN"]), st.sampled_from(["QQ", "ru", "R"]))
CURRENCY = rarely(st.just("EUR"), st.sampled_from(["USD", "XYZ", "eur", "EU"]), odds=10)
FIELDS = {
    "TrackingNumber": _coded(r"[A-Z0-9\-]{1,60}", "AZ09-a "),
    "Courier": _coded(r"[A-Za-z0-9._\-]{1,32}", "Az9._- /"),
    "HouseWaybill": _coded(r"[A-Z0-9\-]{1,35}", "A9-a"),
    "Name": TEXT, "Line": TEXT, "City": TEXT, "Description": TEXT, "Address": TEXT,
    "Sku": TEXT,
    "Country": COUNTRY, "OriginCountry": COUNTRY,
    "ShopUrl": _coded(r"https?://[a-z./]{1,20}", "htps:/ a"),
    "ProductUrl": _coded(r"https?://[a-z./]{1,20}", "htps:/ a"),
    "PostalCode": _coded(r"[A-Za-z0-9][A-Za-z0-9 \-]{0,15}", "A1 -"),
    "Phone": _coded(r"\+?[0-9][0-9 ()\-]{4,24}", "+1 ()-a"),
    "Email": _coded(r"[a-z]{1,5}@[a-z]{1,5}\.[a-z]{2}", "a@. "),
    "TaxId": _coded(r"[A-Z0-9\-]{1,20}", "A9-a"),
    "IossNumber": _coded(r"IM[0-9]{10}", "IM09"),
    "HSCode": _coded(r"[0-9]{6}|[0-9]{8}|[0-9]{10}", "0123456789a"),
    "GrossWeight": _numbers(3), "NetWeight": _numbers(3), "Quantity": _numbers(0),
    "Value": _numbers(2), "DeclaredValue": _numbers(2),
}
ATTRIBUTES = {"DeclaredValue": ("currency", CURRENCY), "Value": ("currency", CURRENCY),
              "Quantity": ("unit", rarely(st.sampled_from(["PCE", "KGM"]),
                                          st.sampled_from(["pce", "ABCD", ""]))),
              "PersonalId": ("type", rarely(st.sampled_from(["passport", "other"]),
                                            st.sampled_from(["Passport", ""])))}
SELLER = ["Name", "Country", "?Address", "ShopUrl"]
ADDRESS = ["Line", "City", "PostalCode", "Country"]
ITEM = ["Description", "HSCode", "OriginCountry", "Quantity", "NetWeight", "Value",
        "?ProductUrl", "?Sku"]


def _escape(text: str) -> str:
    """Text whose characters all survive XML parsing (line ends and tabs as references)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#9;"))


@st.composite
def element(draw, name: str, children: list[str] | None = None) -> str:  # type: ignore[no-untyped-def]
    attribute = ""
    if name in ATTRIBUTES and draw(st.integers(0, 60)) < 60:  # now and then it is missing
        key, values = ATTRIBUTES[name]
        attribute = f' {key}="{_escape(draw(values))}"'
    if children is None:
        strategy = FIELDS.get(name, TEXT) if name != "PersonalId" else _coded(
            r"[A-Za-z0-9][A-Za-z0-9 \-]{0,39}", "A1 -")
        return f"<{name}{attribute}>{_escape(draw(strategy))}</{name}>"
    return f"<{name}{attribute}>{''.join(draw(sequence(children)))}</{name}>"


@st.composite
def sequence(draw, names: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The children in schema order: optional ones ('?') present or not; now and then a
    required one dropped, one repeated, or an unknown one added at the end."""
    found = []
    for spec in names:
        optional, name = spec.startswith("?"), spec.lstrip("?")
        nested = {"Seller": SELLER, "Address": ADDRESS if name == "Address" and names is not
                  SELLER else None}.get(name)
        if optional and not draw(st.booleans()):
            continue
        if not optional and draw(st.integers(0, 150)) == 150:
            continue
        made = draw(element(name, nested))
        found.append(made)
        if draw(st.integers(0, 150)) == 150:
            found.append(made)
    if draw(st.integers(0, 150)) == 150:
        found.append("<Unexpected>1</Unexpected>")
    return found


@st.composite
def parcels(draw) -> str:  # type: ignore[no-untyped-def]
    recipient = ["Name", "Address", "?Phone", "?Email", "?PersonalId", "?TaxId"]
    head = draw(sequence(["TrackingNumber", "Courier", "?HouseWaybill"]))
    seller = draw(element("Seller", SELLER))
    person = f"<Recipient>{''.join(draw(sequence(recipient)))}</Recipient>"
    money = draw(sequence(["GrossWeight", "DeclaredValue", "?IossNumber"]))
    items = [draw(element("Item", ITEM)) for _ in range(draw(rarely(st.integers(1, 3),
                                                                    st.just(0), odds=50)))]
    return f"<Parcel>{''.join(head)}{seller}{person}{''.join(money)}{''.join(items)}</Parcel>"


def _manifest(destination: str, body: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Manifest xmlns="urn:customs:manifest:1">'
            "<ManifestRef>H-1</ManifestRef><IssuedAt>2026-11-23T09:00:00Z</IssuedAt>"
            f"<Destination><Country>{destination}</Country><CustomsOffice>10005020"
            f"</CustomsOffice></Destination>{''.join(body)}</Manifest>").encode()


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(destination=st.sampled_from(["RU", "DE"]), body=st.lists(parcels(), min_size=1,
                                                                max_size=4))
def test_made_up_parcels_get_the_same_judgement_in_both_forms(app, destination, body):
    assert_same(app, _manifest(destination, body))
