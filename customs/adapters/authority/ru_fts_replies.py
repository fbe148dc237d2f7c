"""Reading the FTS's answers in the ru-fts-express profile: signature first (pinned
certificate), then the envelope schema, then the official album schema, then only what the
signature covers. Decisions are per waybill and matched by the envelope they answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lxml import etree

import signing
from customs.adapters.documents.profiles.ru_fts_routing import ENVELOPE, envelope_schema
from customs.domain.corrections import ChangeDetail, CorrectionRequest, RegistrationNumber
from customs.domain.decisions import Decision, DecisionMessage
from customs.domain.errors import AuthorityMessageError
from schemas.ru_fts import NS, Album

CM, RC, CAT = (f"{{{NS[p]}}}" for p in ("ecdcm", "ecrc", "cat_ru"))


def is_ru_envelope(document: bytes) -> bool:
    """A cheap look at the root's name, before any verification (routing only)."""
    head = document[:512]
    return b"urn:customs:ru-fts-envelope:1" in head and b"Envelope" in head


def _verified(document: bytes, verifier: signing.Verifier) -> etree._Element:
    try:
        root = verifier.verify(document).element
    except signing.VerificationError as exc:
        raise AuthorityMessageError("SIGNATURE_INVALID", str(exc)) from None
    if root.tag != ENVELOPE + "Envelope" or not envelope_schema().validate(root):
        raise AuthorityMessageError("MESSAGE_INVALID", "not a valid ru-fts-express envelope")
    return root


def _routing(root: etree._Element, name: str) -> str:
    return root.findtext(f"{ENVELOPE}RoutingInf/{ENVELOPE}{name}") or ""


def read_ru_decisions(document: bytes, verifier: signing.Verifier,
                      album: Album) -> DecisionMessage:
    root = _verified(document, verifier)
    body = root.find(ENVELOPE + "Body")
    assert body is not None
    answer = body[0]
    initial = _routing(root, "InitialEnvelopeID")
    if not initial:
        raise AuthorityMessageError("MESSAGE_INVALID", "an answer must name its "
                                                       "InitialEnvelopeID")
    errors = album.validate(answer, thorough=True)
    if errors:
        raise AuthorityMessageError("MESSAGE_INVALID", "; ".join(errors[:3]))
    if answer.tag == CM + "ExpressCargoDeclarationCustomMark":
        decisions = tuple(_custom_mark(c, initial) for c in answer.iterfind(CM + "Consignment"))
    elif answer.tag == RC + "ExpressCargoReqCorrect":
        decisions = _req_correct(answer, initial)
    else:
        raise AuthorityMessageError("MESSAGE_UNEXPECTED",
                                    f"expected a custom mark or a correction request, got "
                                    f"{etree.QName(answer).localname}")
    return DecisionMessage(_routing(root, "EnvelopeID"), initial, decisions)


def _waybill(parent: etree._Element, ns: str) -> tuple[str, str]:
    bill = parent.find(ns + "IndividualWayBill")
    assert bill is not None
    return bill.findtext(ns + "WayBillID") or "", bill.findtext(CAT + "PrDocumentNumber") or ""


def _custom_mark(consignment: etree._Element, initial: str) -> Decision:
    waybill_id, number = _waybill(consignment, CM)
    code = (consignment.findtext(CM + "DecisionCode") or "").strip()
    reason = " ".join(filter(None, (consignment.findtext(CM + "ReasonCode"),
                                    consignment.findtext(CM + "Reason")))) or None
    return Decision(waybill_id, number, f"FTS:{code}", reason=reason, envelope_id=initial)


def _req_correct(answer: etree._Element, initial: str) -> tuple[Decision, ...]:
    """Each named waybill HELD with the request's reason; the request itself (registration
    number, deadline, violations, the changes asked per waybill) rides with its decision."""
    said = [answer.findtext(RC + "Reason") or ""]
    violations = tuple(" ".join((v.text or "").split()) for v in
                       answer.iterfind(RC + "IdentifiedViolations"))
    said += violations
    reason = "correction requested: " + "; ".join(s.strip() for s in said if s.strip())
    registered = answer.find(RC + "ApplicationRegNumber")
    assert registered is not None  # the album requires it
    decisions = []
    for consignment in answer.iterfind(RC + "Consignment"):
        waybill_id, number = _waybill(consignment, RC)
        request = CorrectionRequest(
            str(_registration_number(registered)), _text(answer, "CorrectDocType"),
            _text(answer, "DocKind"), _limit(answer), violations,
            _text(answer, "Reason") or None,
            tuple(_change(c) for c in consignment.iterfind(RC + "ChangeDetails")))
        decisions.append(Decision(waybill_id, number, "FTS:REQ-CORRECT", reason=reason[:2000],
                                  envelope_id=initial, request=request))
    return tuple(decisions)


def _text(parent: etree._Element, name: str) -> str:
    return " ".join((parent.findtext(RC + name) or "").split())


def _registration_number(element: etree._Element) -> RegistrationNumber:
    """cat_ru:GTDIDType (AddNumber, when the FTS gives one, is not part of the number)."""
    day = (element.findtext(CAT + "RegistrationDate") or "").strip()[:10]
    try:
        registered = date.fromisoformat(day)
    except ValueError:  # xs:date allows years Python cannot hold: the message is set aside
        raise AuthorityMessageError("MESSAGE_INVALID", f"registration date {day!r} is out "
                                                       "of range") from None
    return RegistrationNumber(element.findtext(CAT + "CustomsCode") or "", registered,
                              element.findtext(CAT + "GTDNumber") or "")


def _limit(answer: etree._Element) -> datetime | None:
    """The deadline; without an offset it is taken as UTC."""
    text = answer.findtext(RC + "LimitDateTime")
    try:
        limit = None if text is None else datetime.fromisoformat(text.strip())
    except ValueError:  # xs:dateTime forms Python cannot hold (24:00, far years): left out
        return None
    return limit if limit is None or limit.tzinfo else limit.replace(tzinfo=UTC)


def _change(element: etree._Element) -> ChangeDetail:
    goods = tuple(
        f"item {g.findtext(RC + 'GoodsNumeric')}: {g.findtext(RC + 'GRNumber')}: "
        + " ".join(p.text or "" for p in g.iterfind(RC + "PreviousData")) + " -> "
        + " ".join(c.text or "" for c in g.iterfind(RC + "CorrectData"))
        for g in element.iterfind(RC + "ChangeGoods"))
    return ChangeDetail(element.findtext(RC + "GRNumber"),
                        tuple(p.text or "" for p in element.iterfind(RC + "PreviousData")),
                        tuple(c.text or "" for c in element.iterfind(RC + "CorrectData")), goods)


def is_ru_receipt(document: bytes, verifier: signing.Verifier) -> bool:
    """True when the reply is the FTS's signed registration receipt for an envelope."""
    return read_ru_receipt(document, verifier) is not None


def read_ru_receipt(document: bytes, verifier: signing.Verifier,
                    envelope_id: str | None = None) -> str | None:
    """"registered" or "already registered" for the FTS's signed receipt (answering
    `envelope_id` when given), else None."""
    try:
        root = _verified(document, verifier)
    except AuthorityMessageError:
        return None
    body = root.find(ENVELOPE + "Body")
    if body is None or len(body) != 1 or body[0].tag != ENVELOPE + "Receipt":
        return None
    initial = _routing(root, "InitialEnvelopeID")
    if envelope_id is not None and initial and initial != envelope_id:
        return None
    return "registered" if body[0].findtext(ENVELOPE + "Registered") in ("true", "1") else \
        "already registered"
