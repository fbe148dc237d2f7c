"""POST /v1/manifests and the read endpoints, through the Flask test client."""

from __future__ import annotations

import pytest

from tests.api.contract import assert_conforms
from tests.manifests import item, manifest, parcel

XML = {"Content-Type": "application/xml"}


def post(client, auth, body: bytes, key: str = "k-1", **headers):  # type: ignore[no-untyped-def]
    return client.post("/v1/manifests", data=body,
                       headers={**auth, **XML, "Idempotency-Key": key, **headers})


def test_valid_manifest_is_accepted_and_readable(client, auth):
    reply = post(client, auth, manifest(parcel(), parcel("RR123456799CN")))
    assert reply.status_code == 202
    assert_conforms(reply, "/v1/manifests", "post")
    body = reply.get_json()
    assert (body["parcels"], body["accepted"], body["rejected"]) == (2, 2, 0)
    assert reply.headers["Location"] == f"/v1/manifests/{body['id']}"

    got = client.get(reply.headers["Location"], headers=auth)
    assert_conforms(got, "/v1/manifests/{manifest_id}")
    assert got.get_json()["issued_at"] == "2026-11-23T06:00:00+00:00"  # +03:00 kept as UTC

    detail = client.get("/v1/parcels/RR123456785CN", headers=auth)
    assert_conforms(detail, "/v1/parcels/{parcel}")
    history = [(e["status"], e["previous_status"]) for e in detail.get_json()["history"]]
    assert history == [("RECEIVED", None), ("VALIDATED", "RECEIVED")]
    assert detail.get_json()["data"]["recipient"]["name"] == "Иван Петров"


def test_original_document_is_kept_verbatim(client, auth):
    body = manifest(parcel())
    reply = post(client, auth, body)
    doc = client.get(f"{reply.headers['Location']}/document", headers=auth)
    assert doc.status_code == 200
    assert doc.mimetype == "application/xml"
    assert doc.data == body


def test_bad_parcel_does_not_sink_the_good_ones(client, auth):
    bad_hs = parcel("RR123456808CN", items=[item(hs="12345")])
    reply = post(client, auth, manifest(parcel(), bad_hs, parcel("RR123456799CN")))
    body = reply.get_json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    [rejection] = body["rejections"]
    assert rejection["position"] == 2
    assert rejection["tracking_number"] == "RR123456808CN"
    [violation] = rejection["violations"]
    assert violation["code"] == "SCHEMA_VIOLATION"
    assert violation["path"] == "/Manifest/Parcel[2]/Item/HSCode"
    assert violation["value"] == "12345"
    assert violation["line"] > rejection["line"]
    status = client.get("/v1/parcels/RR123456808CN", headers=auth).get_json()
    assert status["status"] == "REJECTED"


def test_business_rule_rejection_names_code_path_and_value(client, auth):
    bad = parcel("RR123456808CN", gross="0.050")  # net weight 0.100 > gross
    body = post(client, auth, manifest(bad)).get_json()
    [violation] = body["rejections"][0]["violations"]
    assert violation == {"code": "NET_WEIGHT_EXCEEDS_GROSS",
                         "message": violation["message"],
                         "path": "/Manifest/Parcel[1]/GrossWeight",
                         "line": body["rejections"][0]["line"], "value": "0.050"}


def test_idempotency_key_is_required(client, auth):
    reply = client.post("/v1/manifests", data=manifest(), headers={**auth, **XML})
    assert reply.status_code == 400
    assert reply.mimetype == "application/problem+json"
    assert reply.get_json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert_conforms(reply, "/v1/manifests", "post")


def test_same_key_same_body_replays_one_manifest(client, auth, customs):
    body = manifest(parcel())
    first = post(client, auth, body)
    again = post(client, auth, body)
    assert again.status_code == 202
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(customs, "manifests") == 1


def test_same_key_other_body_is_422(client, auth, customs):
    post(client, auth, manifest(parcel()))
    reply = post(client, auth, manifest(parcel("RR123456799CN")))
    assert reply.status_code == 422
    assert reply.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert _count(customs, "manifests") == 1


def test_keys_are_scoped_to_the_tenant(client, auth, other_key):
    first = post(client, auth, manifest(parcel()), key="shared")
    other = post(client, {"Authorization": f"Bearer {other_key}"},
                 manifest(parcel("RR123456799CN")), key="shared")
    assert other.status_code == 202
    assert other.get_json()["id"] != first.get_json()["id"]


def test_open_tracking_number_is_rejected_in_a_later_manifest(client, auth, other_key):
    post(client, auth, manifest(parcel()), key="a")
    body = post(client, auth, manifest(parcel()), key="b").get_json()
    assert body["rejections"][0]["violations"][0]["code"] == "TRACKING_DUPLICATE_OPEN"
    foreign = post(client, {"Authorization": f"Bearer {other_key}"}, manifest(parcel()), key="c")
    assert foreign.get_json()["accepted"] == 1


def test_rejected_tracking_number_may_be_resubmitted(client, auth):
    rejected = post(client, auth, manifest(parcel(gross="0.050")), key="a").get_json()
    fixed = post(client, auth, manifest(parcel()), key="b").get_json()
    assert fixed["accepted"] == 1
    lines = {m: client.get(f"/v1/manifests/{m}/parcels", headers=auth).get_json()["items"][0]
             for m in (rejected["id"], fixed["id"])}
    # Two parcels now carry the number: asked by it, the API names both instead of guessing.
    ambiguous = client.get("/v1/parcels/RR123456785CN", headers=auth)
    assert ambiguous.status_code == 409
    assert_conforms(ambiguous, "/v1/parcels/{parcel}", "get")
    assert ambiguous.get_json()["code"] == "TRACKING_NUMBER_AMBIGUOUS"
    assert ambiguous.get_json()["ids"] == [lines[fixed["id"]]["id"], lines[rejected["id"]]["id"]]
    by_id = {m: client.get(f"/v1/parcels/{line['id']}", headers=auth).get_json()
             for m, line in lines.items()}
    assert by_id[fixed["id"]]["status"] == "VALIDATED"
    assert by_id[rejected["id"]]["status"] == "REJECTED"
    assert by_id[fixed["id"]]["id"] == lines[fixed["id"]]["id"]


def test_envelope_invalid_refuses_whole_manifest_and_stores_nothing(client, auth, customs):
    reply = post(client, auth, manifest(parcel(), issued="2026-11-23T09:00:00"))
    assert reply.status_code == 422
    assert_conforms(reply, "/v1/manifests", "post")
    problem = reply.get_json()
    assert problem["code"] == "MANIFEST_ENVELOPE_INVALID"
    assert problem["violations"][0]["path"] == "/Manifest/IssuedAt"
    assert _count(customs, "manifests") == 0
    assert _count(customs, "parcels") == 0


@pytest.mark.parametrize(("body", "code"), [
    (b"<Manifest", "MANIFEST_NOT_WELL_FORMED"),
    (b"<Other xmlns='urn:customs:manifest:1'/>", "MANIFEST_WRONG_ROOT"),
    (b"<Manifest xmlns='urn:other'/>", "MANIFEST_WRONG_ROOT"),
    (b"", "MANIFEST_NOT_WELL_FORMED"),
    (b'<?xml version="1.0"?><!DOCTYPE Manifest><Manifest xmlns="urn:customs:manifest:1"/>',
     "MANIFEST_DTD_FORBIDDEN"),
])
def test_unusable_documents_are_refused(client, auth, customs, body, code):
    reply = post(client, auth, body)
    assert reply.status_code == 422
    assert reply.get_json()["code"] == code
    assert _count(customs, "manifests") == 0


def test_manifest_without_parcels_is_refused(client, auth):
    body = manifest(parcel()).replace(parcel().encode(), b"")
    reply = post(client, auth, body)
    assert reply.status_code == 422
    assert reply.get_json()["code"] == "MANIFEST_ENVELOPE_INVALID"


def test_element_after_parcels_refuses_the_manifest(client, auth):
    body = manifest(parcel()).replace(b"</Manifest>", b"<ManifestRef>late</ManifestRef></Manifest>")
    reply = post(client, auth, body)
    assert reply.status_code == 422
    assert reply.get_json()["code"] == "MANIFEST_ENVELOPE_INVALID"


def test_unknown_destination_is_refused(client, auth):
    reply = post(client, auth, manifest(parcel(country="XX"), country="XX"))
    assert reply.get_json()["code"] == "MANIFEST_DESTINATION_UNKNOWN"


def test_wrong_master_waybill_check_digit_is_refused(client, auth):
    transport = "<Transport><Mode>air</Mode><MasterWaybill>784-12345676</MasterWaybill></Transport>"
    reply = post(client, auth, manifest(parcel(), transport=transport))
    assert reply.status_code == 422
    assert reply.get_json()["code"] == "MANIFEST_WAYBILL_CHECK_DIGIT"


def test_wrong_media_type_is_415(client, auth):
    reply = post(client, auth, manifest(), **{"Content-Type": "text/plain"})
    assert reply.status_code == 415
    assert reply.headers["Accept-Post"] == "application/xml, application/json"


def test_xml_sent_as_json_is_refused_as_not_json(client, auth):
    reply = post(client, auth, manifest(), **{"Content-Type": "application/json"})
    assert reply.status_code == 422
    assert reply.get_json()["code"] == "MANIFEST_NOT_WELL_FORMED"


def test_body_over_the_cap_is_413(customs, client, auth):
    customs.settings.max_manifest_bytes = 1000
    reply = post(client, auth, manifest(parcel(), parcel("RR123456799CN")))
    assert reply.status_code == 413
    assert reply.get_json()["code"] == "MANIFEST_TOO_LARGE"


def test_parcel_pages_and_status_filter(client, auth):
    parcels = [parcel(f"CDEK-{n:06d}") for n in range(5)] + [parcel("BAD-1", gross="0.01")]
    location = post(client, auth, manifest(*parcels)).headers["Location"]
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{location}/parcels", headers=auth, query_string=query)
        assert_conforms(page, "/v1/manifests/{manifest_id}/parcels")
        seen += [p["position"] for p in page.get_json()["items"]]
        cursor = page.get_json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [1, 2, 3, 4, 5, 6]
    rejected = client.get(f"{location}/parcels?status=REJECTED", headers=auth).get_json()
    assert [p["tracking_number"] for p in rejected["items"]] == ["BAD-1"]


@pytest.mark.parametrize(("query", "code"), [
    ("status=LOST", "BAD_QUERY"), ("limit=0", "INVALID_LIMIT"),
    ("limit=100000", "INVALID_LIMIT"), ("limit=x", "INVALID_LIMIT"),
    ("cursor=%%%", "INVALID_CURSOR"), ("cursor=eDox", "INVALID_CURSOR"),
])
def test_bad_list_parameters_are_400(client, auth, query, code):
    location = post(client, auth, manifest(parcel())).headers["Location"]
    reply = client.get(f"{location}/parcels?{query}", headers=auth)
    assert reply.status_code == 400
    assert reply.get_json()["code"] == code


def test_another_tenants_objects_are_404(client, auth, other_key):
    location = post(client, auth, manifest(parcel())).headers["Location"]
    other = {"Authorization": f"Bearer {other_key}"}
    for path in (location, f"{location}/parcels", f"{location}/document",
                 "/v1/parcels/RR123456785CN"):
        reply = client.get(path, headers=other)
        assert reply.status_code == 404, path
        assert reply.mimetype == "application/problem+json"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "Bearer cus_x_y"])
def test_requests_without_a_valid_key_are_401(client, header):
    headers = {} if header is None else {"Authorization": header}
    reply = client.get("/v1/parcels/RR123456785CN", headers=headers)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert reply.get_json()["code"] == "UNAUTHENTICATED"


def test_revoked_key_is_401(client, customs):
    key_id, token = customs.access.create_api_key("acme", "marketplace")
    customs.access.revoke_api_key(key_id)
    reply = client.get("/v1/parcels/X", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401


def test_other_roles_may_not_submit_manifests(client, customs):
    token = customs.access.create_api_key("dhl", "courier")[1]
    reply = post(client, {"Authorization": f"Bearer {token}"}, manifest())
    assert reply.status_code == 403
    assert reply.get_json()["code"] == "FORBIDDEN_ROLE"


def test_unknown_route_and_wrong_method_are_problem_details(client, auth):
    missing = client.get("/v2/nothing")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    wrong = client.delete("/v1/manifests", headers=auth)
    assert wrong.status_code == 405
    assert "POST" in wrong.headers["Allow"]
    assert wrong.get_json()["status"] == 405


def test_health(client):
    reply = client.get("/health")
    assert reply.status_code == 200
    assert_conforms(reply, "/health")


def _count(customs, table: str) -> int:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar())
