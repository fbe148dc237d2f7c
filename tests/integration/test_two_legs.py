"""Parcels cleared at both ends (issue 20): a RU manifest's parcels from Chinese sellers are
declared for export at origin (CEB603, sent to the simulated GACC, answered by signed CEB604
receipts) and, once released there, for import at destination (here the generic profile).
Real database, the official GACC schemas, the simulator's answers applied as the service
receives them."""

from __future__ import annotations

import dataclasses
import time

import pytest
from lxml import etree

from customs.domain.errors import Conflict
from customs.services.intake import SubmitManifest
from customs.services.ports import Principal
from schemas.cn_ceb import CebSchemas
from simulator import cn_ceb
from simulator.app import create_sim_app, make_state
from tests.integration.test_cn_ceb_flow import cn, post  # noqa: F401  (fixture)
from tests.integration.test_ru_fts import SimTransport, batches

M = "{urn:customs:manifest:1}"
EVERY_CHAPTER = frozenset(f"{n:02d}" for n in range(100))


@pytest.fixture
def sim(tmp_path, dev_signing_key, ceb_path):  # type: ignore[no-untyped-def]
    state = make_state(dev_signing_key[1], tmp_path / "sim", delay=0, ceb=ceb_path,
                       hold_share=0)
    return state, create_sim_app(state).test_client()


def submit(customs) -> list[str]:  # type: ignore[no-untyped-def]
    """The accepted parcels from Chinese sellers of a generated RU manifest, by tracking."""
    from customs.bootstrap import generate_sample

    sample = generate_sample(24, 11, destination="RU", customs_office="10005020",
                             order_refs=True)
    customs.intake.submit_manifest(SubmitManifest(customs.tenant_id, "k-legs", sample.xml, "t"))
    root = etree.fromstring(sample.xml)
    return [p.findtext(M + "TrackingNumber") or "" for p, designed in zip(
        root.iterfind(M + "Parcel"), sample.expected, strict=True)
        if designed is None and p.findtext(f"{M}Seller/{M}Country") == "CN"]


def view(customs, number: str) -> dict:  # type: ignore[no-untyped-def]
    return customs.parcels.get_parcel(customs.tenant_id, number).to_json()


def legs(customs, number: str) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    return [(leg["leg"], leg["country"], leg["status"]) for leg in view(customs, number)["legs"]]


def export_receipts(sim, customs, codes: dict[str, str]) -> bytes:  # type: ignore[no-untyped-def]
    """The simulated GACC's signed CEB604 answering the export message with these codes."""
    [document] = [b[4] for b in batches(customs) if b[1] == "cn-ceb-export"]
    message, inventories = cn_ceb.check(bytes(document), sim[0].verifier, sim[0].ceb)
    answers = [(i, codes[i.cop_no], None) for i in inventories if i.cop_no in codes]
    return cn_ceb.dxp(cn_ceb.receipt(message, answers, "5141"), "x", sim[0].signer)


def export_leg(customs, sim) -> list[str]:  # type: ignore[no-untyped-def]
    """Submit, seal and send the export leg; the parcels from China, all on it."""
    numbers = submit(customs)
    assert len(numbers) >= 3
    assert {tuple(legs(customs, n)) for n in numbers} == {
        (("export", "CN", "DECLARED"), ("import", "RU", "WAITING"))}
    assert customs.outbound.seal_batches(force=True).errors == []
    assert {(b[1], b[2]) for b in batches(customs)} >= {("cn-ceb-export", "10005020")}
    customs.outbound.submit_batches(SimTransport(sim[1]))
    assert {view(customs, n)["status"] for n in numbers} == {"ACKNOWLEDGED"}  # signed CEB604
    return numbers


def import_leg(customs, sim) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Declare, seal and send the import leg; apply the simulator's decisions; by tracking."""
    state, client = sim
    before = len(state.outbox)
    assert customs.outbound.declare_pending().failed == 0
    assert customs.outbound.seal_batches(force=True).errors == []
    customs.outbound.submit_batches(SimTransport(client))
    for _ in range(300):
        if len(state.outbox) > before:
            break
        time.sleep(0.02)
    for n in range(before, len(state.outbox)):
        post(customs, client.get(f"/v1/decisions?after={n}").data)
    return {d["tracking_number"]: d["code"] for d in state.decisions.values()
            if "ceb" not in d}


def test_the_import_leg_starts_only_once_the_export_leg_is_released(cn, sim):  # noqa: F811
    numbers = export_leg(cn, sim)
    cleared, held = numbers[0], numbers[1]
    # nothing of the import is declared while the export is on
    assert cn.outbound.declare_pending().declared == 0
    officer = Principal("officer:anna", None, "", "officer", offices=("10005020",))
    with pytest.raises(Conflict, match="export leg") as refused:
        cn.parcels.decide(officer, held, "release", "looks fine", None)
    assert refused.value.code == "EXPORT_NOT_CLEARED"  # not released here before export
    post(cn, export_receipts(sim, cn, {cleared: "800", held: "500"}))
    assert legs(cn, held) == [("export", "CN", "HELD"), ("import", "RU", "WAITING")]
    assert legs(cn, cleared) == [("export", "CN", "RELEASED"), ("import", "RU", "VALIDATED")]
    decided = import_leg(cn, sim)
    assert set(decided) & set(numbers) == {cleared}  # only it was declared for import
    assert view(cn, cleared)["status"] == decided[cleared]
    assert legs(cn, cleared) == [("export", "CN", "RELEASED"), ("import", "RU", decided[cleared])]
    history = view(cn, cleared)["history"]
    moves = [(e["leg"], e["status"]) for e in history]
    released = moves.index(("export", "RELEASED"))
    assert moves[released + 1] == ("import", "VALIDATED")  # the hand-over, then the import
    assert [s for leg, s in moves[:released]] == [
        "RECEIVED", "VALIDATED", "DECLARED", "BATCHED", "SUBMITTED", "ACKNOWLEDGED"]
    assert ("import", "DECLARED") in moves[released:] and all(
        leg == "export" for leg, _ in moves[:released + 1])
    assert history[released]["source"] == "CEB:800"
    # its export declaration is kept, replaced by the import one: the CEB603 validates
    assert view(cn, held)["status"] == "HELD"


def test_a_refusal_at_origin_is_final(cn, sim):  # noqa: F811
    numbers = export_leg(cn, sim)
    post(cn, export_receipts(sim, cn, {numbers[0]: "100", numbers[1]: "700"}))
    assert legs(cn, numbers[0]) == [("export", "CN", "REFUSED"), ("import", "RU", "WAITING")]
    assert legs(cn, numbers[1]) == [("export", "CN", "RETURNED"), ("import", "RU", "WAITING")]
    assert cn.outbound.declare_pending().declared == 0  # the import never starts
    assert [view(cn, n)["status"] for n in numbers[:2]] == ["REFUSED", "RETURNED"]


def test_a_refusal_at_destination_is_final_after_the_export_release(cn, sim):  # noqa: F811
    numbers = export_leg(cn, sim)
    post(cn, export_receipts(sim, cn, {numbers[0]: "800"}))
    sim[0].rules = dataclasses.replace(sim[0].rules, refuse_chapters=EVERY_CHAPTER)
    decided = import_leg(cn, sim)
    assert {n: c for n, c in decided.items() if n in numbers} == {numbers[0]: "REFUSED"}
    assert legs(cn, numbers[0]) == [("export", "CN", "RELEASED"), ("import", "RU", "REFUSED")]
    assert view(cn, numbers[0])["status"] == "REFUSED"


def test_every_export_message_sent_validates_against_the_official_schema(cn, sim, ceb_path):  # noqa: F811
    export_leg(cn, sim)
    schemas = CebSchemas.load(ceb_path)
    sent = [b[4] for b in batches(cn) if b[1] == "cn-ceb-export"]
    assert sent and all(schemas.validate(etree.fromstring(bytes(d)), thorough=True) == []
                        for d in sent)
    assert all(b"CEB603Message" in bytes(d) for d in sent)
