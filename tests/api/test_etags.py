"""Conditional requests: immutable documents carry their SHA-256 as a strong ETag and answer
If-None-Match with 304; a decision's If-Match names the parcel version the officer decided on,
so two officers cannot overwrite each other silently (412 with the current state)."""

from __future__ import annotations

import hashlib
import json

from tests.api.contract import assert_conforms

JSON = {"Content-Type": "application/json"}
PATH = "/v1/parcels/RR123456785CN"


def _decide(world, body: dict, **headers: str):  # type: ignore[no-untyped-def]
    return world.client.post(f"{PATH}/decisions", data=json.dumps(body),
                             headers={**world.auth("moscow"), **JSON, **headers})


def test_a_signed_declaration_is_revalidated_by_its_etag(world):
    first = world.get("acme", f"{PATH}/declaration")
    assert first.status_code == 200
    assert first.headers["ETag"] == f'"{hashlib.sha256(first.data).hexdigest()}"'
    same = world.client.get(f"{PATH}/declaration", headers={
        **world.auth("acme"), "If-None-Match": first.headers["ETag"]})
    assert (same.status_code, same.data) == (304, b"")
    assert_conforms(same, "/v1/parcels/{parcel}/declaration")
    other = world.client.get(f"{PATH}/declaration", headers={
        **world.auth("acme"), "If-None-Match": '"0000"'})
    assert other.status_code == 200 and other.data == first.data


def test_a_manifest_document_is_revalidated_by_its_etag(world):
    with world.customs.resources.engine.connect() as conn:
        manifest_id, sha = conn.exec_driver_sql(
            "SELECT m.id, m.document_sha256 FROM manifests m JOIN tenants t ON "
            "t.id = m.tenant_id WHERE t.name = 'acme'").one()
    path = f"/v1/manifests/{manifest_id}/document"
    first = world.get("acme", path)
    assert first.headers["ETag"] == f'"{sha}"'  # the digest the receipt gave
    again = world.client.get(path, headers={**world.auth("acme"), "If-None-Match": f'"{sha}"'})
    assert again.status_code == 304
    assert_conforms(again, "/v1/manifests/{manifest_id}/document")


def test_two_officers_deciding_on_one_version_do_not_overwrite_each_other(world):
    seen = world.get("moscow", PATH)
    version = seen.headers["ETag"]
    held = _decide(world, {"action": "hold", "reason": "x-ray"}, **{"If-Match": version})
    assert held.status_code == 200
    assert held.headers["ETag"] != version  # the decision made a new version
    late = _decide(world, {"action": "release", "reason": "looks fine"},
                   **{"If-Match": version})
    assert late.status_code == 412
    assert_conforms(late, "/v1/parcels/{parcel}/decisions", "post")
    problem = late.get_json()
    assert problem["code"] == "PRECONDITION_FAILED"
    assert problem["parcel"]["status"] == "HELD"  # the current state, to decide again on
    assert late.headers["ETag"] == held.headers["ETag"] == f'"{problem["version"]}"'
    assert world.get("moscow", PATH).get_json()["status"] == "HELD"  # nothing applied
    again = _decide(world, {"action": "release", "reason": "looks fine"},
                    **{"If-Match": late.headers["ETag"]})
    assert again.status_code == 200 and again.get_json()["status"] == "RELEASED"


def test_if_match_any_or_absent_decides_on_the_current_version(world):
    assert _decide(world, {"action": "hold", "reason": "x"}, **{"If-Match": "*"}
                   ).status_code == 200
    assert _decide(world, {"action": "request_documents", "reason": "invoice"}
                   ).status_code == 200
    weak = world.get("moscow", PATH).headers["ETag"]
    refused = _decide(world, {"action": "release", "reason": "ok"}, **{"If-Match": f"W/{weak}"})
    assert refused.status_code == 412  # If-Match compares strongly: a weak tag never matches
