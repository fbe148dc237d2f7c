"""Hostile JSON manifest shapes at a chosen size, as tests/hostile.py has them for XML: each maker
takes `n` and returns a whole JSON manifest whose body grows linearly with `n`."""

from __future__ import annotations

import json
from collections.abc import Callable

from customs.adapters.documents.samples import generate_manifest
from schemas.manifest_json import xml_to_json
from tests.manifests import manifest, parcel

_ONE = json.loads(xml_to_json(manifest(parcel())))
_HEAD = {k: v for k, v in _ONE.items() if k != "parcels"}
_PARCEL = _ONE["parcels"][0]


def _with(*parcels: str) -> bytes:
    head = json.dumps(_HEAD, ensure_ascii=False)[:-1]
    return f'{head}, "parcels": [{", ".join(parcels)}]}}'.encode()


def _first(extra: str) -> str:
    """The ordinary parcel with `extra` (members) placed at its end."""
    return json.dumps(_PARCEL, ensure_ascii=False)[:-1] + ", " + extra + "}"


def valid(n: int) -> bytes:
    """A realistic manifest of `n` parcels, all valid: the yardstick."""
    return xml_to_json(generate_manifest(n, seed=7).xml)


def keys(n: int) -> bytes:
    """One parcel with `n` extra (unknown) keys."""
    return _with(_first(", ".join(f'"k{i}": 1' for i in range(n))))


def values(n: int) -> bytes:
    """One parcel holding an array of `n` numbers."""
    return _with(_first('"x": [' + ",".join("1" for _ in range(n)) + "]"))


def duplicate_keys(n: int) -> bytes:
    return _with(_first(", ".join('"courier": "X"' for _ in range(n))))


def nested(n: int) -> bytes:
    """`n` members, each nested 14 levels (just within the depth limit)."""
    deep = "[" * 11 + "1" + "]" * 11
    return _with(_first(", ".join(f'"d{i}": {deep}' for i in range(n))))


def long_string(n: int) -> bytes:
    return _with(_first(f'"x": "{"x" * n}"'))


def long_key(n: int) -> bytes:
    return _with(_first(f'"{"k" * n}": 1'))


def escapes(n: int) -> bytes:
    """A string of `n` escapes (each decoded by the parser)."""
    return _with(_first('"x": "' + "\\u00e9" * n + '"'))


def big_numbers(n: int) -> bytes:
    """`n` parcels whose weight has 39 digits and an exponent of 39."""
    weird = json.dumps({**_PARCEL, "gross_weight": 0})[:-1].replace(
        '"gross_weight": 0', '"gross_weight": 1.' + "9" * 38 + "e39")
    return _with(*([weird + "}"] * n))


def empty_parcels(n: int) -> bytes:
    return _with(*(["{}"] * n))


def many_bad_parcels(n: int) -> bytes:
    """`n` parcels, each breaking the schema in several places."""
    bad = {**_PARCEL, "courier": "a b", "y": 1, "z": [1],
           "items": [{**_PARCEL["items"][0], "hs_code": "1"}]}
    return _with(*([json.dumps(bad, ensure_ascii=False)] * n))


SHAPES: dict[str, Callable[[int], bytes]] = {
    "valid": valid, "keys": keys, "values": values, "duplicate_keys": duplicate_keys,
    "nested": nested, "long_string": long_string, "long_key": long_key, "escapes": escapes,
    "big_numbers": big_numbers, "empty_parcels": empty_parcels,
    "many_bad_parcels": many_bad_parcels,
}

