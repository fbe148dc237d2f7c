"""The simulated FTS for the ru-fts-express profile: registries in signed envelopes are checked
against the official album, and answered per waybill in the album's own formats
(ExpressCargoDeclarationCustomMark; ExpressCargoReqCorrect for goods it wants corrected).
Knows only signing and schemas, like the rest of the simulator."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from lxml import etree

import signing
from schemas import compiled, ru_envelope_xsd_path
from schemas.ru_fts import NS, Album
from simulator.rules import Rules, decide

ENV = "urn:customs:ru-fts-envelope:1"
_E = f"{{{ENV}}}"
ECD, CM, RC, CAT = (f"{{{NS[p]}}}" for p in ("ecd", "ecdcm", "ecrc", "cat_ru"))
FTS_OFFICE_ID = "FTS-SIM"
# Our simulator's outcome → the FTS DecisionCode it answers with (HELD for pharmaceuticals is a
# correction request instead, see decide_house).
FTS_CODE = {"RELEASED": "10", "DUTY_DUE": "31", "REFUSED": "90", "HELD": "92"}


@dataclass(frozen=True)
class House:
    waybill_id: str
    number: str
    ordinal: str
    value: Decimal
    currency: str
    chapters: frozenset[str]


def is_ru(document: bytes) -> bool:
    head = document[:512]
    return ENV.encode() in head and b"Envelope" in head


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def check(document: bytes, verifier: signing.Verifier,
          album: Album) -> tuple[dict[str, str], list[House]]:
    """Verify the envelope (pinned certificate), validate it and the registry (both
    validators); return its routing data (with the registry's DocType: 1 for a correction)
    and house waybills. Raises ValueError."""
    root = verifier.verify(document).element
    if root.tag != _E + "Envelope" or not compiled(ru_envelope_xsd_path()).validate(root):
        raise ValueError("not a valid ru-fts-express envelope")
    info, body = root.find(_E + "RoutingInf"), root.find(_E + "Body")
    assert info is not None and body is not None  # the envelope schema requires both
    routing = {str(child.tag).removeprefix(_E): child.text or "" for child in info}
    registry = body[0]
    errors = album.validate(registry, thorough=True)
    if errors:
        raise ValueError("registry invalid: " + "; ".join(errors[:3]))
    routing["DocType"] = registry.findtext(ECD + "DocType") or "0"
    houses = []
    for house in registry.iter(ECD + "HouseShipment"):
        value = house.find(ECD + "CAValueAmount")
        houses.append(House(
            house.findtext(ECD + "WayBillID") or "",
            house.findtext(f"{ECD}HouseWaybillDetails/{CAT}PrDocumentNumber") or "",
            house.findtext(ECD + "ObjectOrdinal") or "1",
            Decimal(value.findtext(ECD + "CurrencyQuantity") or "0"),
            value.findtext(ECD + "CurrencyCode") or "EUR",
            frozenset(c.text[:2] for c in house.iter(ECD + "GoodsTNVEDCode") if c.text)))
    return routing, houses


def decide_house(rules: Rules, house: House,
                 correction: bool = False) -> tuple[str, str, str | None]:
    """(our outcome, FTS code or REQ-CORRECT, reason) for one house waybill. A correction
    registry's waybills (the documents asked for are now given) are released, unless
    prohibited."""
    outcome = decide(rules, house.waybill_id, "RU", house.value, house.currency,
                     set(house.chapters))
    if correction and outcome.code != "REFUSED":
        return "RELEASED", FTS_CODE["RELEASED"], "released after correction"
    if outcome.code == "HELD" and house.chapters & rules.hold_chapters:
        return "HELD", "REQ-CORRECT", "permit for medicinal products required"
    return outcome.code, FTS_CODE[outcome.code], outcome.reason


def envelope(body: etree._Element, routing: dict[str, str], mode_id: str,
             signer: Any) -> bytes:
    reply_id = str(uuid.uuid4())
    root = etree.Element(_E + "Envelope", {"Id": f"E-{reply_id}"}, nsmap={"env": ENV})
    info = _sub(root, _E + "RoutingInf")
    for name, text in (("EnvelopeID", reply_id), ("InitialEnvelopeID", routing["EnvelopeID"]),
                       ("SenderInformation", FTS_OFFICE_ID),
                       ("ReceiverInformation", routing["SenderInformation"]),
                       ("PreparationDateTime", datetime.now(UTC).isoformat(timespec="seconds")),
                       ("ProcessID", routing["ProcessID"]), ("DocumentModeID", mode_id)):
        _sub(info, _E + name, text)
    _sub(root, _E + "Body").append(body)
    signing.sign_enveloped(root, signer, reference_uri=f"#E-{reply_id}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def receipt(routing: dict[str, str], registered: bool, count: int, signer: Any) -> bytes:
    body = etree.Element(_E + "Receipt", nsmap={"env": ENV})
    _sub(body, _E + "Registered", "true" if registered else "false")
    _sub(body, _E + "Count", str(count))
    return envelope(body, routing, "RECEIPT", signer)


def _reg_number(parent: etree._Element, tag: str, office: str, envelope_id: str) -> None:
    """The number the registry sent in `envelope_id` was registered under: the same in every
    answer about it."""
    number = _sub(parent, tag)
    _sub(number, CAT + "CustomsCode", office)
    _sub(number, CAT + "RegistrationDate", datetime.now(UTC).date().isoformat())
    digest = int.from_bytes(hashlib.sha256(envelope_id.encode()).digest()[:8], "big")
    _sub(number, CAT + "GTDNumber", f"{digest % 10_000_000:07d}")


def _waybill(parent: etree._Element, ns: str, house: House) -> None:
    bill = _sub(parent, ns + "IndividualWayBill")
    _sub(bill, CAT + "PrDocumentNumber", house.number)
    _sub(bill, ns + "WayBillID", house.waybill_id)
    _sub(bill, ns + "ObjectOrdinal", house.ordinal)


def custom_mark(office: str, decisions: list[tuple[House, str, str | None]],
                envelope_id: str = "") -> etree._Element:
    """ExpressCargoDeclarationCustomMark: one Consignment per waybill with its own code."""
    root = etree.Element(CM + "ExpressCargoDeclarationCustomMark",
                         {"DocumentModeID": "1006347E"}, nsmap={"ecdcm": NS["ecdcm"],
                                                                 "cat_ru": NS["cat_ru"]})
    _sub(root, CAT + "DocumentID", str(uuid.uuid4()))
    _reg_number(root, CM + "ApplicationRegNumber", office, envelope_id)
    for house, code, reason in decisions:
        consignment = _sub(root, CM + "Consignment")
        _sub(consignment, CM + "DecisionCode", code)
        _sub(consignment, CM + "DecisionDate", datetime.now(UTC).isoformat(timespec="seconds"))
        if reason:
            _sub(consignment, CM + "Reason", reason[:250])
        _waybill(consignment, CM, house)
    return root


def req_correct(office: str, houses: list[House], reason: str,
                envelope_id: str = "") -> etree._Element:
    """ExpressCargoReqCorrect naming the waybills to correct, with the reason, the violation
    found, a deadline and the change asked of each waybill (a permit for its goods)."""
    root = etree.Element(RC + "ExpressCargoReqCorrect", {"DocumentModeID": "1006348E"},
                         nsmap={"ecrc": NS["ecrc"], "cat_ru": NS["cat_ru"],
                                "RUScat_ru": NS["RUScat_ru"]})
    _sub(root, CAT + "DocumentID", str(uuid.uuid4()))
    _sub(root, RC + "CorrectDocType", "1")
    _sub(root, RC + "DocKind", "1")
    customs = _sub(root, RC + "Customs")
    _sub(customs, CAT + "Code", office)
    _sub(root, RC + "DecisionDateTime", datetime.now(UTC).isoformat(timespec="seconds"))
    _sub(root, RC + "BrokerName", "customs")
    _reg_number(root, RC + "ApplicationRegNumber", office, envelope_id)
    limit = datetime.now(UTC) + timedelta(hours=4)
    _sub(root, RC + "LimitDateTime", limit.isoformat(timespec="seconds"))
    _sub(root, RC + "IdentifiedViolations", "no permit given for goods whose import needs one")
    _sub(root, RC + "Reason", reason[:500])
    for house in houses:
        consignment = _sub(root, RC + "Consignment")
        _sub(consignment, RC + "OrderNumber", "1")
        _waybill(consignment, RC, house)
        change = _sub(consignment, RC + "ChangeDetails")
        _sub(change, RC + "GRNumber", "31")
        _sub(change, RC + "CorrectData", "the permit's number and date in the goods' "
                                         "description")
    return root
