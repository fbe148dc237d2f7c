"""Cursors are bound to the API key that received them (docs/api.md): another key's cursor is
400 INVALID_CURSOR even when both keys have the same scope; the key's own cursor resumes."""

from __future__ import annotations

import pytest

from tests.manifests import manifest, parcel

XML = {"Content-Type": "application/xml"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def keys(client, customs):  # type: ignore[no-untyped-def]
    """Two keys of one marketplace, two of one courier, two officers of one office."""
    made = {
        "market-a": customs.access.create_api_key("acme", "marketplace")[1],
        "market-b": customs.access.create_api_key("acme", "marketplace")[1],
        "courier-a": customs.access.create_api_key("cdek", "courier", courier="CDEK")[1],
        "courier-b": customs.access.create_api_key("cdek", "courier", courier="CDEK")[1],
        "officer-a": customs.access.create_api_key("fts", "officer", offices=["10005020"])[1],
        "officer-b": customs.access.create_api_key("fts", "officer", offices=["10005020"])[1],
    }
    body = manifest(*[parcel(f"RR{n:03d}BIND") for n in range(4)])
    assert client.post("/v1/manifests", data=body, headers={
        **bearer(made["market-a"]), **XML, "Idempotency-Key": "bind"}).status_code == 202
    return made


@pytest.mark.parametrize("who", ["market", "courier", "officer"])
@pytest.mark.parametrize("path", ["/v1/feed?limit=1", "/v1/parcels?limit=1"])
def test_another_keys_cursor_is_refused_even_in_the_same_scope(client, keys, who, path):
    if who == "courier" and "parcels" in path:
        path += "&sort=-received_at"
    own, other = bearer(keys[f"{who}-a"]), bearer(keys[f"{who}-b"])
    first = client.get(path, headers=own)
    assert first.status_code == 200, first.get_json()
    cursor = first.get_json()["next_cursor"]
    assert cursor
    resumed = client.get(f"{path}&cursor={cursor}", headers=own)
    assert resumed.status_code == 200
    assert resumed.get_json()["items"] and \
        resumed.get_json()["items"] != first.get_json()["items"]
    refused = client.get(f"{path}&cursor={cursor}", headers=other)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "INVALID_CURSOR")
    # the other key's own first page is the same data: only the cursor is bound
    assert client.get(path, headers=other).get_json()["items"] == first.get_json()["items"]
