"""A sweep of malformed values over every parameter of every operation in the app's own OpenAPI
document (path, query, headers, JSON body fields, raw bodies): no reply is a 5xx, every error is
a problem document. New operations and parameters are swept without changing this file."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

BOUNDS = ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
          "0000-00-00", "2026-02-30", "-1", "0", "2147483648", "9223372036854775808",
          "18446744073709551616", "9" * 40, "1e309", "NaN", "-0", "0x10", "²", "1_000"]
TEXTS = ["", " ", "\x00", "ä" * 3, "x" * 5_000, "../../etc/passwd", "' OR 1=1 --", "[]", "{}",
         "%", "AAAA", "f1.1.1.1.1", "p:-1", "null"]
RAW_ENCODINGS = ["%ff%fe", "%c0%af", "%ed%a0%80", "%00"]  # not UTF-8, overlong, surrogate, NUL
JSON_VALUES: list[Any] = ["", 0, -1, 2**64, -(2**63) - 1, 1e308, None, True, [], {}, [[[]]],
                          "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "x" * 9_000,
                          "\x00", "\ud800", {"amount": "1e999", "currency": "EUR"}]
RAW_BODIES = [b"", b"\xff\xfe\x00<", b"{", b"null", b"[" * 5_000, b"<a/>",
              b"<?xml version='1.0' encoding='bogus'?><a/>", b"\xef\xbb\xbf" + b"\x00" * 64,
              b"date,currency,base,rate\n0001-01-01,USD,RUB,1\n9999-12-31,EUR,RUB,1e999\n"]
KEYS = ("acme", "moscow", "cdek")


@pytest.fixture
def sweep(world, dev_signing_key):  # type: ignore[no-untyped-def]
    world.customs.settings.authority_cert = dev_signing_key[1]  # a configured authority
    world.customs.settings.webhook_allow_private_urls = True
    world.customs.settings.rate_limit = ""
    hook = world.post("acme", "/v1/webhooks", {"url": "http://127.0.0.1:9/h"}).get_json()["id"]
    with world.customs.resources.engine.connect() as conn:
        manifest = conn.exec_driver_sql("SELECT m.id FROM manifests m JOIN tenants t ON "
                                        "t.id = m.tenant_id WHERE t.name = 'acme'").scalar()
    ids = {"tracking_number": "RR123456785CN", "webhook_id": hook, "manifest_id": manifest}
    return world, ids


def _operations(world) -> list[tuple[str, str, dict]]:  # type: ignore[no-untyped-def]
    document = world.client.get("/openapi.json").get_json()
    return [(method.upper(), path, op) for path, ops in document["paths"].items()
            for method, op in ops.items() if method in ("get", "post", "put", "delete")]


CALLS = {"n": 0}


def _call(world, who: str, method: str, path: str, query: str = "",  # type: ignore[no-untyped-def]
          headers: dict | None = None, body: bytes | None = None, content_type: str = ""):
    CALLS["n"] += 1
    url = path + ("?" + query if query else "")
    all_headers = {**world.auth(who), **(headers or {})}
    return world.client.open(url, method=method, data=body, headers=all_headers,
                             content_type=content_type or None)


def _role_for(world, method: str, path: str) -> str:  # type: ignore[no-untyped-def]
    """A key whose role may call the operation, so its parameters are parsed at all."""
    for who in KEYS:
        if _call(world, who, method, path).status_code != 403:
            return who
    return KEYS[0]


def _values() -> list[str]:
    return [quote(v, safe="") for v in BOUNDS + TEXTS] + RAW_ENCODINGS


def _fill(path: str, ids: dict[str, str], name: str | None = None, value: str = "") -> str:
    for key, real in ids.items():
        path = path.replace("{" + key + "}", value if key == name else quote(real, safe=""))
    return path


def _body_fields(op: dict) -> tuple[str, list[str]] | None:
    content = (op.get("requestBody") or {}).get("content", {})
    if "application/json" not in content:
        return None
    schema = content["application/json"].get("schema", {})
    return "application/json", sorted(schema.get("properties", {})) or ["rates"]


def _check(reply, what: str, failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    if reply.status_code >= 500:
        failures.append(f"{what}: {reply.status_code} {reply.get_data(as_text=True)[:120]}")
    elif reply.status_code >= 400 and reply.mimetype != "application/problem+json":
        failures.append(f"{what}: {reply.status_code} is not a problem document")


def test_no_malformed_value_gets_a_server_error(sweep):
    world, ids = sweep
    failures: list[str] = []
    for method, path, op in _operations(world):
        if path in ("/metrics",):
            continue
        who = _role_for(world, method, _fill(path, ids))
        for param in op.get("parameters", []):
            for value in _values():
                what = f"{method} {path} {param['in']} {param['name']}={value[:30]}"
                if param["in"] == "path":
                    reply = _call(world, who, method, _fill(path, ids, param["name"], value))
                elif param["in"] == "query":
                    reply = _call(world, who, method, _fill(path, ids),
                                  f"{param['name']}={value}")
                else:
                    reply = _call(world, who, method, _fill(path, ids),
                                  headers={param["name"]: value.encode().decode("latin-1")})
                _check(reply, what, failures)
        _sweep_body(world, who, method, _fill(path, ids), op, failures)
    assert failures == [], "\n".join(failures[:40])
    assert CALLS["n"] > 1_500  # the document was swept, not skipped


def _sweep_body(world, who: str, method: str, path: str, op: dict,  # type: ignore[no-untyped-def]
                failures: list[str]) -> None:
    content = (op.get("requestBody") or {}).get("content", {})
    headers = {"Idempotency-Key": "sweep"}
    for kind in content:
        for raw in RAW_BODIES:
            reply = _call(world, who, method, path, headers=headers, body=raw, content_type=kind)
            _check(reply, f"{method} {path} {kind} body {raw[:20]!r}", failures)
    fields = _body_fields(op)
    if fields is None:
        return
    for name in fields[1]:
        for value in JSON_VALUES:
            body = json.dumps({name: value}).encode()
            reply = _call(world, who, method, path, body=body, content_type=fields[0])
            _check(reply, f"{method} {path} json {name}={str(value)[:30]}", failures)
