"""Reading the GACC's receipts in the cn-ceb profile: CEB622 (import) and CEB604 (export), each
carried as base64 in a signed `dxp:DxpMsg`, the terminal-node message of the data exchange
platform (the CEB receipts themselves have no place for a signature).

Signature first (pinned certificate, over the whole DxpMsg), then the terminal-node schema, then
the carried message against the official schema (both validators), then only what the
signature covers. A receipt's message `guid` is the guid of the message it answers (as in the
official samples: CEB622 answers CEB621 under the same guid, CEB604 answers CEB603), each
InventoryReturn names its inventory by `guid` (our declaration id) and `copNo` (the tracking
number); the DxpMsg's own `CopMsgId` is the receipt's id (each receipt is applied once)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

import signing
from customs.domain.decisions import Decision, DecisionMessage
from customs.domain.errors import AuthorityMessageError
from schemas.cn_ceb import CEB_NS, DXP_NS, CebSchemas

CEB, DXP = f"{{{CEB_NS}}}", f"{{{DXP_NS}}}"
RECEIPTS = (CEB + "CEB622Message", CEB + "CEB604Message")
MAX_CARRIED = 4 * 1024 * 1024  # a receipt of 100 inventories is ~50 KB


@dataclass(frozen=True, slots=True)
class InventoryReceipt:
    """One InventoryReturn, as the GACC wrote it."""

    guid: str
    cop_no: str
    status: str  # returnStatus: 120, 800, ...
    info: str
    at: str  # returnTime, YYYYMMDDhhmmssSSS (China Standard Time)
    invt_no: str | None = None

    def decision(self, answers: str) -> Decision:
        """As our Decision: the declaration id is the guid in lower case (we sent it upper)."""
        return Decision(self.guid.lower(), self.cop_no, f"CEB:{self.status}",
                        reason=self.info or None, envelope_id=answers)


def is_dxp(document: bytes) -> bool:
    """A cheap look at the root's name, before any verification (routing only)."""
    head = document[:512]
    return DXP_NS.encode() in head and b"DxpMsg" in head


def receipts(message: etree._Element) -> tuple[InventoryReceipt, ...]:
    """The InventoryReturns of a CEB622 or CEB604 message (already validated)."""
    return tuple(InventoryReceipt(
        (r.findtext(CEB + "guid") or "").strip(), (r.findtext(CEB + "copNo") or "").strip(),
        (r.findtext(CEB + "returnStatus") or "").strip(), (r.findtext(CEB + "returnInfo") or ""),
        (r.findtext(CEB + "returnTime") or "").strip(), r.findtext(CEB + "invtNo"))
        for r in message.iterfind(CEB + "InventoryReturn"))


def unwrap(document: bytes, verifier: signing.Verifier,
           schemas: CebSchemas) -> tuple[etree._Element, etree._Element]:
    """(the verified DxpMsg, the CEB message it carries, validated); AuthorityMessageError."""
    try:
        root = verifier.verify(document).element
    except signing.VerificationError as exc:
        raise AuthorityMessageError("SIGNATURE_INVALID", str(exc)) from None
    if root.tag != DXP + "DxpMsg" or schemas.validate(root, thorough=False):
        raise AuthorityMessageError("MESSAGE_INVALID", "not a valid dxp:DxpMsg")
    data = "".join((root.findtext(DXP + "Data") or "").split())
    if len(data) > MAX_CARRIED * 4 // 3 + 4:
        raise AuthorityMessageError("MESSAGE_INVALID", "the carried message is too large")
    try:
        carried = signing.parse_untrusted(base64.b64decode(data, validate=True))
    except (binascii.Error, signing.VerificationError, signing.PolicyError) as exc:
        raise AuthorityMessageError("MESSAGE_INVALID", f"carried message: {exc}") from None
    errors = schemas.validate(carried, thorough=True)
    if errors:
        raise AuthorityMessageError("MESSAGE_INVALID", "; ".join(errors[:3]))
    return root, carried


def read_ceb_decisions(document: bytes, verifier: signing.Verifier,
                       schemas: CebSchemas) -> DecisionMessage:
    root, carried = unwrap(document, verifier, schemas)
    if carried.tag not in RECEIPTS:
        raise AuthorityMessageError("MESSAGE_UNEXPECTED", "expected a CEB622 or CEB604 "
                                    f"receipt, got {etree.QName(carried).localname}")
    answers = (carried.get("guid") or "").lower()
    message_id = root.findtext(f"{DXP}TransInfo/{DXP}CopMsgId") or ""
    return DecisionMessage(message_id, answers,
                           tuple(r.decision(answers) for r in receipts(carried)))


def read_ceb_receipt(document: bytes, verifier: signing.Verifier, schemas: CebSchemas,
                     message_id: str | None = None) -> str | None:
    """"registered" when the reply is the GACC's signed receipt answering `message_id` (when
    given), else None."""
    try:
        _, carried = unwrap(document, verifier, schemas)
    except AuthorityMessageError:
        return None
    if carried.tag not in RECEIPTS:
        return None
    if message_id is not None and (carried.get("guid") or "").lower() != message_id.lower():
        return None
    return "registered"
