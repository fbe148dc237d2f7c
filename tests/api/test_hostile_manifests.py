"""Hostile manifest shapes over HTTP: a 4xx or a 202 whose reply (also the stored idempotent
reply) stays small, whatever the document holds."""

from __future__ import annotations

import pytest

from tests import hostile

HEADERS = {"Content-Type": "application/xml"}
SIZES = {"namespaces": 20_000, "namespaces_in_parcel": 20_000, "attributes": 100_000,
         "attributes_spread": 10_000,
         "elements": 100_000, "depth": 250, "long_name": 40_000, "long_text": 1_000_000,
         "long_attribute": 1_000_000, "long_cdata": 1_000_000, "mixed": 50_000,
         "many_bad_parcels": 3_000}


@pytest.mark.parametrize("shape", sorted(SIZES))
def test_hostile_shape_gets_a_small_answer(shape, client, auth):
    body = hostile.SHAPES[shape](SIZES[shape])
    headers = {**auth, **HEADERS, "Idempotency-Key": shape}
    reply = client.post("/v1/manifests", data=body, headers=headers)
    assert reply.status_code == 202 or 400 <= reply.status_code < 500, reply.status_code
    assert len(reply.data) < 64 * 1024 + len(body), len(reply.data)  # never amplified
    if reply.status_code == 202:
        again = client.post("/v1/manifests", data=body, headers=headers)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.get_json() == reply.get_json()  # (PostgreSQL stores it as jsonb)
    else:
        assert reply.mimetype == "application/problem+json"


def test_a_rejected_parcel_says_how_many_violations_were_left_out(client, auth):
    bad = hostile.parcel().replace("</Parcel>", "<Y/>" * 300 + "</Parcel>").replace(
        "<Courier>", "<Courier " + " ".join(f'a{i}="1"' for i in range(200)) + ">")
    reply = client.post("/v1/manifests", data=hostile.manifest(bad),
                        headers={**auth, **HEADERS, "Idempotency-Key": "many"})
    assert reply.status_code == 202
    body = reply.get_json()
    (rejection,) = body["rejections"]
    assert len(rejection["violations"]) == 100
    assert rejection["violations_omitted"] >= 1
    assert body["violations_omitted"] == rejection["violations_omitted"]
