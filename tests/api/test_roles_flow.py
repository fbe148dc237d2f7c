"""The issue's flow with three keys: an officer holds then releases a parcel; the courier's feed
shows both changes in order; the marketplace sees the history. Plus what each role may see."""

from __future__ import annotations

from tests.api.contract import assert_conforms

TN = "RR123456785CN"


def test_officer_holds_then_releases_and_everyone_sees_it_in_order(world):
    held = world.post("moscow", f"/v1/parcels/{TN}/decisions",
                      {"action": "hold", "reason": "x-ray: undeclared battery"})
    assert held.status_code == 200, held.get_json()
    assert_conforms(held, "/v1/parcels/{parcel}/decisions", "post")
    assert held.get_json()["status"] == "HELD"
    released = world.post("moscow", f"/v1/parcels/{TN}/decisions",
                          {"action": "release", "reason": "inspected, battery declared"})
    assert released.get_json()["status"] == "RELEASED"

    feed = world.get("cdek", "/v1/feed?limit=500")
    mine = [(i["status"], i["reason"]) for i in feed.get_json()["items"]
            if i["tracking_number"] == TN]
    assert mine[-2:] == [("HELD", "x-ray: undeclared battery"),
                         ("RELEASED", "inspected, battery declared")]
    assert all("actor" not in i for i in feed.get_json()["items"])  # couriers see no names
    assert {i["duty_estimate"]["status"] for i in feed.get_json()["items"]} <= {
        "ESTIMATED", "RATES_MISSING", "NOT_ESTIMABLE", "NO_RULE"}

    history = world.get("acme", f"/v1/parcels/{TN}").get_json()["history"]
    officer = [(e["status"], e["source"], e["actor"]) for e in history if e["role"] == "officer"]
    assert officer == [("HELD", "OFFICER:INSPECTION", "officer"),
                       ("RELEASED", "OFFICER:RELEASE", "officer")]
    dossier = world.get("moscow", f"/v1/parcels/{TN}/dossier").get_json()
    assert [e["actor"] for e in dossier["decisions"]] == ["officer:fts-moscow"] * 2


def test_no_release_of_a_refused_parcel(world):
    world.post("moscow", f"/v1/parcels/{TN}/decisions", {"action": "refuse", "reason": "ban"})
    again = world.post("moscow", f"/v1/parcels/{TN}/decisions", {"action": "release"})
    assert again.status_code == 409
    assert again.get_json()["code"] == "INVALID_TRANSITION"
    assert world.get("acme", f"/v1/parcels/{TN}").get_json()["status"] == "REFUSED"


def test_no_release_with_assessed_duty_unpaid_even_after_a_hold(world):
    path = f"/v1/parcels/{TN}/decisions"
    world.post("moscow", path, {"action": "assess_duty", "reason": "over EUR 200",
                                "duty": {"amount": "7.50", "currency": "EUR"}})
    assert world.post("moscow", path, {"action": "hold", "reason": "check"}).status_code == 200
    refused = world.post("moscow", path, {"action": "release"})
    assert (refused.status_code, refused.get_json()["code"]) == (409, "DUTY_UNPAID")
    assert world.get("cdek", f"/v1/parcels/{TN}").get_json()["status"] == "HELD"


def test_decisions_need_their_reason_or_amount(world):
    path = f"/v1/parcels/{TN}/decisions"
    assert world.post("moscow", path, {"action": "refuse"}).get_json()["code"] == \
        "REASON_REQUIRED"
    assert world.post("moscow", path, {"action": "assess_duty"}).get_json()["code"] == \
        "DUTY_REQUIRED"
    assert world.post("moscow", path, {"action": "fly"}).get_json()["code"] == "INVALID_DECISION"
    bad_duty = world.post("moscow", path, {"action": "assess_duty",
                                           "duty": {"amount": 12.5, "currency": "EUR"}})
    assert bad_duty.status_code == 400
    duty = world.post("moscow", path, {"action": "assess_duty", "reason": "over EUR 200",
                                       "duty": {"amount": "7.50", "currency": "EUR"}})
    assert duty.get_json()["status"] == "DUTY_DUE"
    courier = world.get("cdek", f"/v1/parcels/{TN}").get_json()
    assert courier["duty"] == {"amount": "7.50", "currency": "EUR"}
    feed_duty = [i["duty"] for i in world.get("cdek", "/v1/feed").get_json()["items"]
                 if i["status"] == "DUTY_DUE"]
    assert feed_duty == [{"amount": "7.50", "currency": "EUR"}]


def test_courier_sees_what_delivery_needs_and_nothing_more(world):
    reply = world.get("cdek", f"/v1/parcels/{TN}")
    assert_conforms(reply, "/v1/parcels/{parcel}")
    body = reply.get_json()
    assert body["deliver_to"]["name"] == "Иван Петров"
    for secret in ("data", "declared_value", "violations", "manifest_id", "marketplace"):
        assert secret not in body
    assert "4510" not in reply.get_data(as_text=True)  # the passport number never shows
    assert world.get("cdek", "/v1/parcels/RR123456808CN").status_code == 404  # DHL's
    assert world.get("dpd", "/v1/parcels/RR123456811CN").status_code == 200
    assert world.get("cdek", f"/v1/parcels/{TN}/declaration").status_code == 403
    assert world.get("cdek", f"/v1/parcels/{TN}/dossier").status_code == 403


def test_officer_sees_only_the_offices_of_its_jurisdiction(world):
    assert world.get("moscow", "/v1/parcels/RR123456811CN").status_code == 404
    assert world.get("vladivostok", "/v1/parcels/RR123456811CN").status_code == 200
    refused = world.post("vladivostok", f"/v1/parcels/{TN}/decisions",
                         {"action": "release"})
    assert refused.status_code == 404
    assert world.post("acme", f"/v1/parcels/{TN}/decisions", {"action": "release"}
                      ).status_code == 403


def test_dossier_has_the_verified_declaration_batch_and_messages(world):
    reply = world.get("moscow", f"/v1/parcels/{TN}/dossier")
    assert_conforms(reply, "/v1/parcels/{parcel}/dossier")
    body = reply.get_json()
    assert body["declaration"]["verification"]["valid"] is True
    assert body["declaration"]["document"].startswith("<?xml")
    assert body["batch"]["status"] == "SUBMITTED"
    assert [m["direction"] for m in body["messages"]] == ["out"]
    assert body["data"]["recipient"]["personal_id"]["value"] == "4510 123456"
