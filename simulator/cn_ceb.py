"""The simulated GACC for the cn-ceb profile: CEB621 (import) and CEB603 (export) inventory
messages are verified against the pinned certificate and checked against the official schemas
(both validators), and answered per inventory with CEB622 / CEB604 receipts in the official
shapes, each carried in a signed `dxp:DxpMsg` (the terminal-node message of the data exchange
platform: the receipts have no place for a signature). Knows only signing and schemas.

A receipt's message guid is the guid of the message it answers (as in the official samples),
each InventoryReturn repeats the inventory's guid and copNo."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from lxml import etree

import signing
from schemas.cn_ceb import CEB_NS, DXP_NS, CebSchemas
from simulator.rules import Rules, decide

CEB, DXP = f"{{{CEB_NS}}}", f"{{{DXP_NS}}}"
BEIJING = timezone(timedelta(hours=8))
SENDER = "GACCSIM"
REGISTERED, DECLARING = "120", "2"
# Our simulator's outcome → the returnStatus it answers with (no duty in 9610: the tax is
# collected through the guarantee, so a parcel over the duty threshold is released).
CEB_CODE = {"RELEASED": "800", "DUTY_DUE": "800", "HELD": "500", "REFUSED": "100"}
OUTCOME = {"800": "RELEASED", "500": "HELD", "300": "HELD", "100": "REFUSED"}
INFO = {"2": "电子口岸申报中", "120": "海关入库", "300": "人工审核", "500": "查验",
        "800": "放行", "100": "海关退单"}
MESSAGES = {"CEB621Message": "CEB622Message", "CEB603Message": "CEB604Message"}


@dataclass(frozen=True)
class Inventory:
    guid: str
    cop_no: str
    order_no: str
    ebp_code: str
    ebc_code: str
    agent_code: str
    value: Decimal
    chapters: frozenset[str]


def is_ceb(document: bytes) -> bool:
    head = document[:512]
    return CEB_NS.encode() in head and any(name.encode() in head for name in MESSAGES)


def check(document: bytes, verifier: signing.Verifier,
          schemas: CebSchemas) -> tuple[etree._Element, list[Inventory]]:
    """Verify (pinned certificate) and validate (both validators) a CEB621 or CEB603 message;
    return it and its inventories. Raises ValueError or signing.VerificationError."""
    root = verifier.verify(document).element  # what the signature covers: read from it
    if etree.QName(root).localname not in MESSAGES:
        raise ValueError(f"{etree.QName(root).localname} is not an inventory message")
    errors = schemas.validate(signing.parse_untrusted(document), thorough=True)  # as received
    if errors:
        raise ValueError("message invalid: " + "; ".join(errors[:3]))
    found = []
    for inventory in root.iterfind(CEB + "Inventory"):
        head = inventory.find(CEB + "InventoryHead")
        assert head is not None  # the schema requires it
        found.append(Inventory(
            head.findtext(CEB + "guid") or "", head.findtext(CEB + "copNo") or "",
            head.findtext(CEB + "orderNo") or "", head.findtext(CEB + "ebpCode") or "",
            head.findtext(CEB + "ebcCode") or "", head.findtext(CEB + "agentCode") or "",
            sum((Decimal(t.text or "0") for t in inventory.iter(CEB + "totalPrice")),
                Decimal(0)),
            frozenset(g.text[:2] for g in inventory.iter(CEB + "gcode") if g.text)))
    return root, found


def decide_inventory(rules: Rules, inventory: Inventory) -> tuple[str, str | None]:
    """(returnStatus, reason) for one inventory: inspection (500) for the sampled ones, manual
    review (300) for the hold chapters (pharmaceuticals), returned (100) for prohibited goods."""
    outcome = decide(rules, inventory.guid.lower(), "CN", inventory.value, "CNY",
                     set(inventory.chapters))
    if outcome.code == "HELD" and inventory.chapters & rules.hold_chapters:
        return "300", outcome.reason
    return CEB_CODE[outcome.code], outcome.reason


def _sub(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def receipt(message: etree._Element, answers: list[tuple[Inventory, str, str | None]],
            office: str) -> etree._Element:
    """The CEB622 (or CEB604) answering `message`: one InventoryReturn per inventory."""
    name = MESSAGES[etree.QName(message).localname]
    root = etree.Element(CEB + name, {"guid": message.get("guid", ""), "version": "1.0"},
                         nsmap={"ceb": CEB_NS})
    now = datetime.now(BEIJING)
    stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
    for n, (inventory, status, reason) in enumerate(answers):
        entry = etree.SubElement(root, CEB + "InventoryReturn")
        pre_no = f"B{now:%Y%m%d}{(uuid.UUID(inventory.guid).int + n) % 10**9:09d}"
        flag = "I" if name == "CEB622Message" else "E"
        invt_no = f"{office}{now:%Y}{flag}{uuid.UUID(inventory.guid).int % 10**9:09d}"
        _sub(entry, CEB + "guid", inventory.guid)
        if name == "CEB622Message":
            fields = [("customsCode", office), ("ebpCode", inventory.ebp_code),
                      ("ebcCode", inventory.ebc_code), ("agentCode", inventory.agent_code),
                      ("copNo", inventory.cop_no), ("preNo", pre_no)]
            if status == "800":
                fields.append(("invtNo", invt_no))
        else:
            fields = [("agentCode", inventory.agent_code), ("copNo", inventory.cop_no),
                      ("preNo", pre_no), ("invtNo", invt_no), ("ebcCode", inventory.ebc_code),
                      ("ebpCode", inventory.ebp_code), ("orderNo", inventory.order_no),
                      ("statisticsFlag", "A")]
        fields += [("returnStatus", status), ("returnTime", stamp),
                   ("returnInfo", (reason or INFO.get(status, status))[:1000])]
        for tag, text in fields:
            _sub(entry, CEB + tag, text)
    return root


def dxp(carried: etree._Element, receiver: str, signer: Any) -> bytes:
    """`carried` as base64 in a DxpMsg signed as a whole (Reference "#Id")."""
    message_id = str(uuid.uuid4())
    root = etree.Element(DXP + "DxpMsg", {"ver": "1.0", "Id": f"M-{message_id}"},
                         nsmap={"dxp": DXP_NS})
    info = etree.SubElement(root, DXP + "TransInfo")
    _sub(info, DXP + "CopMsgId", message_id)
    _sub(info, DXP + "SenderId", SENDER)
    _sub(etree.SubElement(info, DXP + "ReceiverIds"), DXP + "ReceiverId", receiver[:16] or "-")
    _sub(info, DXP + "CreatTime", datetime.now(UTC).isoformat(timespec="seconds"))
    _sub(info, DXP + "MsgType", etree.QName(carried).localname)
    body = etree.tostring(carried, xml_declaration=True, encoding="UTF-8")
    _sub(root, DXP + "Data", base64.b64encode(body).decode())
    signing.sign_enveloped(root, signer, reference_uri=f"#M-{message_id}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def receiver_of(message: etree._Element) -> str:
    return message.findtext(f"{CEB}BaseTransfer/{CEB}dxpId") or ""


def office_of(message: etree._Element) -> str:
    return message.findtext(f"{CEB}Inventory/{CEB}InventoryHead/{CEB}customsCode") or "0000"
