"""Authority messages that cannot be verified, read, matched or mapped are set aside whole in
the quarantine with the reason, never block the messages after them (pushed or polled),
and are listed and replayed by an operator (CLI) or an officer (API)."""

from __future__ import annotations

from flask import Flask, Response, request

from api import create_app
from customs.services.intake import SubmitManifest
from signing import generate_dev_key
from tests.conftest import METRICS_AUTH, METRICS_TOKEN
from tests.integration.test_decisions import (  # noqa: F401  (fixtures)
    _declarations,
    authority_key,
    decisions_message,
    post,
    status,
    submitted,
)
from tests.manifests import manifest, parcel


def test_a_known_decision_beside_an_unknown_code_applies(submitted, authority_key):  # noqa: F811
    ids = _declarations(submitted)
    body = decisions_message(authority_key, [
        (ids["CDEK-00000"], "CDEK-00000", "RELEASED", None),
        (ids["CDEK-00001"], "CDEK-00001", "EXAMINE_BY_DOG", None)])
    reply = post(submitted, body)
    assert reply.status_code == 200, reply.get_json()
    assert (reply.get_json()["applied"], reply.get_json()["set_aside"]) == (1, 1)
    assert status(submitted, "CDEK-00000")["status"] == "RELEASED"
    aside = status(submitted, "CDEK-00001")
    assert aside["status"] == "HELD"
    assert aside["history"][-1]["source"] == "AUTH:EXAMINE_BY_DOG"
    assert "EXAMINE_BY_DOG" in aside["history"][-1]["reason"]


def test_a_decision_for_a_parcel_of_another_batch_is_an_orphan(submitted,  # noqa: F811
                                                              authority_key):  # noqa: F811
    key = submitted.access.create_api_key("acme", "marketplace")[1]
    tenant = submitted.access.authenticate(key)
    submitted.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k2", manifest(
        parcel("CDEK-00009"), ref="M-2"), "t"))
    submitted.outbound.seal_batches(force=True)
    ids = _declarations(submitted)
    body = decisions_message(authority_key, [  # answers the first batch only
        (ids["CDEK-00009"], "CDEK-00009", "RELEASED", None),
        (ids["CDEK-00000"], "CDEK-00000", "HELD", None)])
    reply = post(submitted, body).get_json()
    assert (reply["applied"], reply["orphaned"]) == (1, 1)
    assert status(submitted, "CDEK-00009")["status"] == "BATCHED"  # not moved by it
    with submitted.resources.engine.connect() as conn:
        why = conn.exec_driver_sql("SELECT why FROM orphan_decisions").scalar_one()
    assert why.startswith("the parcel was not in the batch sent as")
    submitted.settings.metrics_token = METRICS_TOKEN
    metrics = create_app(customs=submitted).test_client().get(
        "/metrics", headers=METRICS_AUTH).get_data(as_text=True)
    assert "customs_orphan_decisions 1.0" in metrics


def test_unverifiable_message_is_quarantined_listed_and_replayed_once_fixed(
        submitted, authority_key, tmp_path):  # noqa: F811
    rotated = generate_dev_key("ecdsa-p256", tmp_path / "new-authority")
    ids = _declarations(submitted)
    body = decisions_message(rotated, [(ids["CDEK-00000"], "CDEK-00000", "RELEASED", None)])
    reply = post(submitted, body)
    assert (reply.status_code, reply.get_json()["code"]) == (403, "SIGNATURE_INVALID")
    item_id = reply.get_json()["quarantine_id"]
    assert post(submitted, body).get_json()["quarantine_id"] == item_id  # once, two attempts
    client = create_app(customs=submitted).test_client()
    officer = {"Authorization": "Bearer " + submitted.access.create_api_key(
        "fts", "officer", offices=["10005020"])[1]}
    listed = client.get("/v1/authority/quarantine", headers=officer).get_json()
    assert [(i["id"], i["code"], i["attempts"]) for i in listed["items"]] == [
        (item_id, "SIGNATURE_INVALID", 2)]
    assert "document" not in listed["items"][0]
    still = client.post(f"/v1/authority/quarantine/{item_id}/replay", headers=officer)
    assert (still.status_code, still.get_json()["code"]) == (409, "QUARANTINE_STILL_REFUSED")
    submitted.settings.authority_cert = rotated[1]  # the authority's new certificate
    done = client.post(f"/v1/authority/quarantine/{item_id}/replay", headers=officer)
    assert done.status_code == 200 and done.get_json()["status"] == "REPLAYED"
    assert status(submitted, "CDEK-00000")["status"] == "RELEASED"
    assert client.get("/v1/authority/quarantine", headers=officer).get_json()["items"] == []
    metrics = client.get("/metrics", headers=METRICS_AUTH).get_data(as_text=True)
    assert 'customs_quarantined_messages{status="REPLAYED"} 1.0' in metrics


def test_only_officers_see_the_quarantine(submitted):  # noqa: F811
    client = create_app(customs=submitted).test_client()
    market = {"Authorization": "Bearer " + submitted.access.create_api_key("acme",
                                                                           "marketplace")[1]}
    assert client.get("/v1/authority/quarantine", headers=market).status_code == 403
    assert client.get("/v1/authority/quarantine").status_code == 401
    officer = {"Authorization": "Bearer " + submitted.access.create_api_key(
        "fts", "officer", offices=["10005020"])[1]}
    missing = client.post("/v1/authority/quarantine/99/replay", headers=officer)
    assert (missing.status_code, missing.get_json()["code"]) == (404, "QUARANTINE_NOT_FOUND")


def test_a_poisoned_poll_feed_moves_on(submitted, authority_key):  # noqa: F811
    """Garbage, a message for no batch of ours, then a good one: the cursor passes all three."""
    from api.cli_demo import serving

    ids = _declarations(submitted)
    feed = [b"<not-xml", decisions_message(authority_key, [
        (ids["CDEK-00001"], "CDEK-00001", "HELD", None)], initial="no-such-batch"),
        decisions_message(authority_key, [(ids["CDEK-00000"], "CDEK-00000", "RELEASED",
                                           None)])]
    app = Flask("feed")

    @app.get("/decisions")
    def poll() -> Response:
        after = int(request.args.get("after", "0"))
        if after >= len(feed):
            return Response(status=204)
        return Response(feed[after], headers={"X-Next-After": str(after + 1)})

    with serving(app) as base:
        submitted.settings.authority_poll_url = f"{base}/decisions"
        assert submitted.authority.poll_decisions() == 3
        assert submitted.authority.poll_decisions() == 0
    assert status(submitted, "CDEK-00000")["status"] == "RELEASED"
    codes = [i.code for i in submitted.authority.quarantined()]
    assert codes == ["SIGNATURE_INVALID", "MESSAGE_UNMATCHED"]
    assert all(i.channel == "poll" for i in submitted.authority.quarantined())


def test_the_cli_lists_and_replays(submitted, authority_key, tmp_path):  # noqa: F811
    from click.testing import CliRunner

    from api.cli import cli

    impostor = generate_dev_key("ecdsa-p256", tmp_path / "impostor")
    ids = _declarations(submitted)
    item_id = post(submitted, decisions_message(impostor, [
        (ids["CDEK-00000"], "CDEK-00000", "RELEASED", None)])).get_json()["quarantine_id"]
    app = create_app(customs=submitted)
    runner = CliRunner()
    listed = runner.invoke(cli, ["quarantine", "list"], obj=_script(app))
    assert listed.exit_code == 0 and f"{item_id}\t" in listed.output
    assert "SIGNATURE_INVALID" in listed.output
    replayed = runner.invoke(cli, ["quarantine", "replay", str(item_id)], obj=_script(app))
    assert replayed.exit_code == 1 and "still refused: SIGNATURE_INVALID" in replayed.output
    missing = runner.invoke(cli, ["quarantine", "replay", "999"], obj=_script(app))
    assert missing.exit_code == 1 and "no quarantined message 999" in missing.output


def _script(app):  # type: ignore[no-untyped-def]
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)
