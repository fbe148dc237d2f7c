"""The simulated authority's web service: receives signed batches, acknowledges them, and
later sends signed per-parcel decisions (pushed to a URL, and offered for polling)."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from flask import Flask, Response, jsonify, request
from lxml import etree

import signing
from schemas import batch_xsd_path, compiled, declaration_xsd_path
from simulator import cn_ceb, ru_fts
from simulator.rules import Outcome, Rules, charged, decide

A = "urn:customs:authority:1"
B = "{urn:customs:batch:1}"
D = "{urn:customs:declaration:generic:1}"


@dataclass
class SimState:
    signer: Any
    verifier: signing.Verifier
    rules: Rules
    notify_url: str | None = None
    delay: float = 0.5
    mode: str = "ok"  # ok | down | slow | error
    registered: dict[str, int] = field(default_factory=dict)  # message id -> parcels
    resends: int = 0
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)  # declaration id -> ...
    outbox: list[bytes] = field(default_factory=list)  # decisions messages, for polling
    lock: threading.Lock = field(default_factory=threading.Lock)
    album: Any = None  # schemas.ru_fts.Album: speaks the ru-fts-express profile too
    ceb: Any = None  # schemas.cn_ceb.CebSchemas: speaks the cn-ceb profile too
    faults: Faults = field(default_factory=lambda: Faults())


@dataclass
class Faults:
    """What a real authority does now and then, for fault tests (all off by default):
    decision codes the service does not know, messages delivered twice, messages delayed so
    that they overtake each other, and for duties due a payment and a release sent later in
    the wrong order (RELEASED before PAID)."""

    unknown_share: float = 0.0
    unknown_code: str = "INSPECT_X9"
    duplicate_share: float = 0.0
    jitter: float = 0.0  # extra delivery delay, uniform in [0, jitter] seconds
    follow_up_share: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(11))  # noqa: S311

    def chance(self, share: float) -> bool:
        return share > 0 and self.rng.random() < share


def _signed(root: etree._Element, state: SimState) -> bytes:
    signing.sign_enveloped(root, state.signer, reference_uri=f"#{root.get('Id')}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _element(tag: str, message_id: str) -> etree._Element:
    return etree.Element(f"{{{A}}}{tag}", {"Id": f"M-{message_id}"}, nsmap={None: A})


def _sub(parent: etree._Element, name: str, text: str, **attrs: str) -> None:
    etree.SubElement(parent, f"{{{A}}}{name}", attrs).text = text


def _check(document: bytes, state: SimState) -> tuple[str, list[etree._Element]]:
    batch = state.verifier.verify(document).element  # raises on a bad signature
    if batch.tag != B + "Batch" or not compiled(batch_xsd_path()).validate(batch):
        raise ValueError("not a valid batch envelope")
    declarations = []
    for embedded in batch.find(B + "Declarations"):
        declaration = state.verifier.verify(etree.tostring(embedded)).element
        if not compiled(declaration_xsd_path("generic")).validate(declaration):
            raise ValueError("a declaration does not validate")
        declarations.append(declaration)
    return batch.findtext(B + "MessageId") or "", declarations


def _message(message_id: str) -> etree._Element:
    reply_id = f"DEC-{uuid.uuid4()}"
    root = _element("Decisions", reply_id)
    _sub(root, "MessageId", reply_id)
    _sub(root, "InitialMessageId", message_id)
    _sub(root, "IssuedAt", datetime.now(UTC).isoformat())
    return root


def _follow_ups(message_id: str, due: list[tuple[str, str]], state: SimState) -> list[bytes]:
    """For duties due: the release, then the payment it follows (sent in the wrong order)."""
    messages: list[bytes] = []
    if not due:
        return messages
    for code in ("RELEASED", "PAID"):
        root = _message(message_id)
        for declaration_id, tracking in due:
            item = etree.SubElement(root, f"{{{A}}}Decision")
            _sub(item, "DeclarationId", declaration_id)
            _sub(item, "TrackingNumber", tracking)
            _sub(item, "Code", code)
            with state.lock:
                state.decisions[declaration_id]["code"] = "RELEASED"
        messages.append(_signed(root, state))
    return messages


def _decisions(message_id: str, declarations: list[etree._Element],
               state: SimState) -> list[bytes]:
    root, due = _message(message_id), []
    for d in declarations:
        amount = d.find(D + "InvoiceAmount")
        chapters = {c.text[:2] for c in d.iter(D + "ClassificationCode") if c.text}
        outcome = decide(state.rules, d.findtext(D + "DeclarationId") or "",
                         d.findtext(D + "DestinationCountry") or "",
                         Decimal(amount.text or "0"), amount.get("currencyID", "EUR"), chapters)
        if state.faults.chance(state.faults.unknown_share):
            outcome = Outcome(state.faults.unknown_code, reason="a code the service lacks")
        elif outcome.code == "DUTY_DUE" and state.faults.chance(state.faults.follow_up_share):
            due.append((d.findtext(D + "DeclarationId") or "",
                        d.findtext(D + "TrackingNumber") or ""))
        item = etree.SubElement(root, f"{{{A}}}Decision")
        _sub(item, "DeclarationId", d.findtext(D + "DeclarationId") or "")
        _sub(item, "TrackingNumber", d.findtext(D + "TrackingNumber") or "")
        _sub(item, "Code", outcome.code)
        duty = charged(outcome.duty, d.findtext(D + "DestinationCountry") or "")
        if duty is not None:
            _sub(item, "Duty", str(duty[0]), currency=duty[1])
        if outcome.reason:
            _sub(item, "Reason", outcome.reason)
        with state.lock:
            state.decisions[d.findtext(D + "DeclarationId") or ""] = {
                "tracking_number": d.findtext(D + "TrackingNumber"), "code": outcome.code,
                "duty": None if duty is None else f"{duty[0]} {duty[1]}"}
    return [_signed(root, state), *_follow_ups(message_id, due, state)]


def _deliver(documents: list[bytes], state: SimState) -> None:
    """Each message in turn (after the delay): offered for polling and pushed; some twice."""
    time.sleep(state.delay + state.faults.jitter * state.faults.rng.random())
    for document in documents:
        for _ in range(2 if state.faults.chance(state.faults.duplicate_share) else 1):
            with state.lock:
                state.outbox.append(document)
            _push(document, state)


def _push(document: bytes, state: SimState) -> None:
    if state.notify_url is None:
        return
    for attempt in range(8):
        try:
            reply = requests.post(state.notify_url, data=document, timeout=10,
                                  headers={"Content-Type": "application/xml"})
            if reply.status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(min(5.0, 0.2 * 2 ** attempt))


def _register(state: SimState, message_id: str, parcels: int) -> bool:
    """Registers a message once: True the first time, False (a resend, counted) after."""
    with state.lock:
        if message_id in state.registered:
            state.resends += 1
            return False
        state.registered[message_id] = parcels
        return True


def _receive_ru(document: bytes, state: SimState) -> Response:
    """A registry in the FTS formats: a signed receipt now, per-waybill answers later."""
    try:
        routing, houses = ru_fts.check(document, state.verifier, state.album)
    except (signing.VerificationError, ValueError) as exc:
        return Response(f"refused: {exc}", status=400)
    envelope_id = routing["EnvelopeID"]
    new = _register(state, envelope_id, len(houses))
    if new:
        office = routing["ReceiverInformation"]
        marks, corrections = [], []
        for house in houses:
            outcome, code, reason = ru_fts.decide_house(state.rules, house,
                                                        routing["DocType"] == "1")
            if code == "REQ-CORRECT":
                corrections.append(house)
            else:
                marks.append((house, code, reason))
            with state.lock:
                state.decisions[house.waybill_id] = {
                    "tracking_number": house.number, "code": outcome, "fts": f"FTS:{code}",
                    "duty": None}
        answers = []
        if marks:
            answers.append(ru_fts.envelope(ru_fts.custom_mark(office, marks, envelope_id),
                                           routing, "1006347E", state.signer))
        if corrections:
            answers.append(ru_fts.envelope(ru_fts.req_correct(
                office, corrections, "permit for medicinal products required", envelope_id),
                routing, "1006348E", state.signer))
        for answer in answers:
            threading.Thread(target=_deliver, args=([answer], state), daemon=True).start()
    return Response(ru_fts.receipt(routing, new, len(houses), state.signer), status=202,
                    mimetype="application/xml")


def _receive_ceb(document: bytes, state: SimState) -> Response:
    """An inventory message in the GACC formats: a signed receipt now (declaring), receipts
    later: every inventory registered (120), then each one's own outcome."""
    try:
        message, inventories = cn_ceb.check(document, state.verifier, state.ceb)
    except (signing.VerificationError, ValueError) as exc:
        return Response(f"refused: {exc}", status=400)
    guid = message.get("guid", "")
    new = _register(state, guid, len(inventories))
    office, receiver = cn_ceb.office_of(message), cn_ceb.receiver_of(message)
    if new:
        finals = []
        for inventory in inventories:
            status, reason = cn_ceb.decide_inventory(state.rules, inventory)
            finals.append((inventory, status, reason))
            with state.lock:
                state.decisions[inventory.guid.lower()] = {
                    "tracking_number": inventory.cop_no, "code": cn_ceb.OUTCOME[status],
                    "ceb": f"CEB:{status}", "duty": None}
        registered = [(i, cn_ceb.REGISTERED, None) for i in inventories]
        answers = [cn_ceb.dxp(cn_ceb.receipt(message, answer, office), receiver, state.signer)
                   for answer in (registered, finals)]
        threading.Thread(target=_deliver, args=(answers, state), daemon=True).start()
    declaring = [(i, cn_ceb.DECLARING, None) for i in inventories]
    return Response(cn_ceb.dxp(cn_ceb.receipt(message, declaring, office), receiver,
                               state.signer), status=202, mimetype="application/xml")


def create_sim_app(state: SimState) -> Flask:
    app = Flask("customs-authority-sim")

    @app.post("/v1/batches")
    def receive() -> Response:
        if state.mode == "down":
            return Response("authority unavailable", status=503)
        if state.mode == "error":
            return Response("internal error", status=500)
        if state.mode == "slow":
            time.sleep(5)
        if state.album is not None and ru_fts.is_ru(request.get_data()):
            return _receive_ru(request.get_data(), state)
        if state.ceb is not None and cn_ceb.is_ceb(request.get_data()):
            return _receive_ceb(request.get_data(), state)
        try:
            message_id, declarations = _check(request.get_data(), state)
        except (signing.VerificationError, ValueError) as exc:
            return Response(f"refused: {exc}", status=400)
        new = _register(state, message_id, len(declarations))
        ack_id = f"ACK-{uuid.uuid4()}"
        ack = _element("Ack", ack_id)
        for name, text in (("MessageId", ack_id), ("InitialMessageId", message_id),
                           ("ReceivedAt", datetime.now(UTC).isoformat()),
                           ("Registered", "true" if new else "false"),
                           ("Count", str(len(declarations)))):
            _sub(ack, name, text)
        if new:
            documents = _decisions(message_id, declarations, state)
            threading.Thread(target=_deliver, args=(documents, state), daemon=True).start()
        return Response(_signed(ack, state), status=202, mimetype="application/xml")

    @app.get("/v1/decisions")
    def poll() -> Response:
        after = int(request.args.get("after", "0"))
        with state.lock:
            if after >= len(state.outbox):
                return Response(status=204)
            document = state.outbox[after]
        return Response(document, mimetype="application/xml",
                        headers={"X-Next-After": str(after + 1)})

    @app.post("/admin/mode")
    def set_mode() -> Response:
        mode = (request.get_json(silent=True) or {}).get("mode", "ok")
        if mode not in ("ok", "down", "slow", "error"):
            return Response("mode must be ok, down, slow or error", status=400)
        state.mode = mode
        return jsonify({"mode": mode})

    @app.get("/admin/stats")
    def stats() -> Response:
        with state.lock:
            return jsonify({"registered": len(state.registered),
                            "parcels": sum(state.registered.values()),
                            "resends": state.resends, "decisions": dict(state.decisions)})

    return app


def make_state(service_cert: Path, key_dir: Path, *, notify_url: str | None = None,
               seed: int = 7, delay: float = 0.5, hold_share: float = 0.05,
               album: Path | None = None, algorithm: str = "ecdsa-p256",
               ceb: Path | None = None) -> SimState:
    """`algorithm`: of the key the simulated authority signs with when it makes one (the FTS
    signs with GOST R 34.10-2012: gost2012-256 or gost2012-512); a key in `key_dir` is kept."""
    key, cert = key_dir / "key.pem", key_dir / "cert.pem"
    if not key.exists():
        signing.generate_dev_key(algorithm, key_dir, common_name="customs authority sim")
    return SimState(signer=signing.load_software_signer(key, cert),
                    verifier=signing.Verifier([signing.load_certificate(service_cert)]),
                    rules=Rules(seed=seed, hold_share=hold_share), notify_url=notify_url,
                    delay=delay, album=None if album is None else ru_fts.Album.load(album),
                    ceb=None if ceb is None else cn_ceb.CebSchemas.load(ceb))
