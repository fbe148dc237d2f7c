"""POST /v1/manifests as JSON: the same receipt as the same manifest in XML, the document kept as
received with its media type, the published JSON Schema; and gzip request bodies, decoded
within the cap (a bomb is a 413 after at most the cap's bytes, with no memory growth)."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from api.openapi import openapi_document
from customs.bootstrap import generate_sample
from schemas.manifest_json import load_json_schema, xml_to_json
from tests.api.contract import assert_conforms
from tests.manifests import item, manifest, parcel

ROOT = Path(__file__).resolve().parents[2]
MIXED = manifest(parcel(), parcel("RR123456799CN", items=[item(hs="12")]),
                 parcel("RR123456808CN", value="20.00"))


def post(client, key: str, body: bytes, media: str, idem: str = "k-1",  # type: ignore[no-untyped-def]
         **headers: str):
    return client.post("/v1/manifests", data=body, headers={
        "Authorization": f"Bearer {key}", "Content-Type": media, "Idempotency-Key": idem,
        **headers})


def _comparable(receipt: dict) -> dict:
    """A receipt without what differs by design: ids, times, digests, paths and lines, and the
    schema validators' own words (the XSD's and the JSON Schema's: same code, own message)."""
    drop = {"id", "received_at", "document_sha256"}
    body = {k: v for k, v in receipt.items() if k not in drop}
    body["rejections"] = [
        {**r, "line": None, "violations": sorted({
            (v["code"],) if v["code"] == "SCHEMA_VIOLATION" else (v["code"], v["message"],
                                                                  v["value"])
            for v in r["violations"]})}
        for r in receipt["rejections"]]
    return body


@pytest.mark.parametrize("body", [MIXED, generate_sample(60, 9, invalid_rate=0.3).xml],
                         ids=["hand-made", "generated"])
def test_the_same_manifest_as_xml_and_as_json_gets_the_same_receipt(client, marketplace_key,
                                                                     other_key, body):
    as_xml = post(client, marketplace_key, body, "application/xml")
    as_json = post(client, other_key, xml_to_json(body), "application/json")
    assert as_xml.status_code == as_json.status_code == 202
    assert_conforms(as_json, "/v1/manifests", "post")
    xml_receipt, json_receipt = as_xml.get_json(), as_json.get_json()
    assert json_receipt["rejected"] > 0
    assert _comparable(xml_receipt) == _comparable(json_receipt)
    pointers = [v["path"] for r in json_receipt["rejections"] for v in r["violations"]]
    assert all(p.startswith("/parcels/") for p in pointers), pointers
    for who, reply in ((marketplace_key, as_xml), (other_key, as_json)):
        auth = {"Authorization": f"Bearer {who}"}
        listed = client.get(reply.headers["Location"] + "/parcels", headers=auth).get_json()
        number = next(i["tracking_number"] for i in listed["items"] if i["status"] != "REJECTED")
        detail = client.get(f"/v1/parcels/{number}", headers=auth).get_json()
        assert detail["data"]["items"], detail
    xml_parcel = client.get("/v1/parcels/RR123456785CN",
                            headers={"Authorization": f"Bearer {marketplace_key}"})
    json_parcel = client.get("/v1/parcels/RR123456785CN",
                             headers={"Authorization": f"Bearer {other_key}"})
    if body is MIXED:
        assert xml_parcel.get_json()["data"] == json_parcel.get_json()["data"]


def test_the_json_document_is_kept_as_received_with_its_media_type(client, marketplace_key):
    body = xml_to_json(manifest(parcel()), indent=3)
    reply = post(client, marketplace_key, body, "application/json; charset=utf-8")
    assert reply.status_code == 202
    document = client.get(reply.headers["Location"] + "/document",
                          headers={"Authorization": f"Bearer {marketplace_key}"})
    assert document.status_code == 200
    assert document.mimetype == "application/json"
    assert document.get_data() == body


def test_a_json_violation_names_the_parcel_and_the_field_by_json_pointer(client, marketplace_key):
    doc = json.loads(xml_to_json(manifest(parcel(), parcel("RR123456799CN"))))
    doc["parcels"][1]["items"][0]["hs_code"] = "12"
    doc["parcels"][1]["declared_value"]["currency"] = "XYZ"
    reply = post(client, marketplace_key, json.dumps(doc).encode(), "application/json")
    rejection = reply.get_json()["rejections"][0]
    assert (rejection["position"], rejection["tracking_number"], rejection["line"]) == (
        2, "RR123456799CN", None)
    assert [(v["code"], v["path"], v["value"]) for v in rejection["violations"]] == [
        ("SCHEMA_VIOLATION", "/parcels/1/items/0/hs_code", "12")]


@pytest.mark.parametrize(("body", "code"), [
    (xml_to_json(MIXED)[:-40], "MANIFEST_NOT_WELL_FORMED"),
    (b'{"gross_weight": NaN}', "MANIFEST_NOT_WELL_FORMED"),
    (b'[{"manifest_ref": "A"}]', "MANIFEST_WRONG_ROOT"),
    (b'{"manifest_ref": "\xff"}', "MANIFEST_ENCODING_INVALID"),
    (b'{"manifest_ref": "\\ud800"}', "MANIFEST_ENCODING_INVALID"),
    (b'{"manifest_ref": "A", "manifest_ref": "B", "parcels": []}', "MANIFEST_ENVELOPE_INVALID"),
    (b'{"parcels": [], "manifest_ref": "A"}', "MANIFEST_ENVELOPE_INVALID"),
    (b'{"manifest_ref": ' + b"[" * 40 + b"]" * 40 + b"}", "MANIFEST_LIMIT_EXCEEDED"),
    (b'{"x": 1' + b"0" * 5000 + b"}", "MANIFEST_LIMIT_EXCEEDED"),
], ids=["cut", "nan", "array", "not-utf8", "lone-surrogate", "duplicate-key", "parcels-first",
        "deep", "huge-integer"])
def test_a_broken_json_manifest_is_refused_with_a_precise_code(client, marketplace_key, body,
                                                                code):
    reply = post(client, marketplace_key, body, "application/json")
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["code"] == code
    assert reply.mimetype == "application/problem+json"


def test_the_json_schema_is_published_without_a_key(client):
    reply = client.get("/v1/schemas/manifest-v1.json")
    assert reply.status_code == 200
    assert reply.mimetype == "application/schema+json"
    assert json.loads(reply.get_data()) == load_json_schema()
    post_body = openapi_document()["paths"]["/v1/manifests"]["post"]["requestBody"]
    assert post_body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ManifestV1_ManifestType"}


def _second_opinion(document: bytes) -> set[str]:
    """Where the published schema, checked by another implementation (python-jsonschema),
    finds the document invalid: the parcels' pointers, or 'header'."""
    schema = json.loads(json.dumps(load_json_schema()), parse_float=Decimal)
    validator = jsonschema.Draft202012Validator(schema)
    found = set()
    for error in validator.iter_errors(json.loads(document, parse_float=Decimal)):
        path = list(error.absolute_path)
        found.add(f"/parcels/{path[1]}" if path[:1] == ["parcels"] and len(path) > 1
                  else "header")
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "examples").glob("*.json")))
def test_a_second_validator_of_the_published_schema_agrees_on_the_examples(client,
                                                                           marketplace_key,
                                                                           name):
    document = (ROOT / "examples" / name).read_bytes()
    reply = post(client, marketplace_key, document, "application/json").get_json()
    if reply.get("code"):
        assert reply["code"] == "MANIFEST_ENVELOPE_INVALID"
        assert _second_opinion(document) == {"header"}
        return
    ours = {f"/parcels/{r['position'] - 1}" for r in reply["rejections"]
            if any(v["code"] == "SCHEMA_VIOLATION" for v in r["violations"])}
    assert _second_opinion(document) == ours


# ------------------------------------------------------------------ gzip request bodies


def test_a_gzip_json_manifest_is_read_as_the_plain_one(client, marketplace_key):
    body = xml_to_json(MIXED)
    reply = post(client, marketplace_key, gzip.compress(body), "application/json",
                 **{"Content-Encoding": "gzip"})
    assert reply.status_code == 202
    assert (reply.get_json()["accepted"], reply.get_json()["rejected"]) == (2, 1)
    document = client.get(reply.headers["Location"] + "/document",
                          headers={"Authorization": f"Bearer {marketplace_key}"})
    assert document.get_data() == body  # stored decoded: the encoding is the transport's


def test_a_gzip_xml_manifest_in_two_members_is_read_whole(client, marketplace_key):
    half = len(MIXED) // 2
    body = gzip.compress(MIXED[:half]) + gzip.compress(MIXED[half:])
    reply = post(client, marketplace_key, body, "application/xml",
                 **{"Content-Encoding": "x-gzip"})
    assert reply.status_code == 202
    assert reply.get_json()["parcels"] == 3


def test_a_gzip_bomb_is_413_after_at_most_the_cap_without_memory_growth(customs, client,
                                                                      marketplace_key):
    customs.settings.max_manifest_bytes = 1_000_000
    bomb = gzip.compress(b" " * 300_000_000, compresslevel=9)  # 300 MB in about 300 KB
    tracemalloc.start()
    reply = post(client, marketplace_key, bomb, "application/xml",
                 **{"Content-Encoding": "gzip"})
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert reply.status_code == 413
    assert reply.get_json()["code"] == "MANIFEST_TOO_LARGE"
    assert "once decompressed" in reply.get_json()["detail"]
    assert peak < 3 * 1_000_000 + 2 * len(bomb), peak


@pytest.mark.parametrize(("encoding", "body", "status", "code"), [
    ("br", MIXED, 415, "UNSUPPORTED_CONTENT_ENCODING"),
    ("gzip, gzip", gzip.compress(gzip.compress(MIXED)), 415, "UNSUPPORTED_CONTENT_ENCODING"),
    ("gzip", MIXED, 400, "BODY_ENCODING_INVALID"),
    ("gzip", gzip.compress(MIXED, mtime=0)[:-20], 400, "BODY_ENCODING_INVALID"),
    ("gzip", gzip.compress(MIXED) + b"trailing", 400, "BODY_ENCODING_INVALID"),
    ("gzip", b"", 400, "BODY_ENCODING_INVALID"),
], ids=["brotli", "twice", "not-gzip", "cut", "trailing", "empty"])
def test_an_unknown_or_broken_encoding_is_refused(client, marketplace_key, encoding, body,
                                                  status, code):
    reply = post(client, marketplace_key, body, "application/xml",
                 **{"Content-Encoding": encoding})
    assert reply.status_code == status
    assert reply.get_json()["code"] == code
    if status == 415:
        assert reply.headers["Accept-Encoding"] == "gzip"


def test_gzip_is_read_on_every_body_a_json_endpoint_takes(client, marketplace_key):
    body = json.dumps({"url": "https://hooks.example.com/customs"}).encode()
    reply = client.post("/v1/webhooks", data=gzip.compress(body), headers={
        "Authorization": f"Bearer {marketplace_key}", "Content-Type": "application/json",
        "Content-Encoding": "gzip"})
    assert reply.status_code != 400 or reply.get_json()["code"] not in (
        "INVALID_JSON", "BODY_ENCODING_INVALID"), reply.get_json()
