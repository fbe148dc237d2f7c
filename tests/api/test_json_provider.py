"""Replies are encoded by orjson but read exactly as Flask's json.dumps wrote them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask.json.provider import DefaultJSONProvider

from api import create_app


@dataclass
class Pair:
    left: int
    at: datetime


VALUES = [
    {"text": "Привет, 東京 \u2028", "n": 1, "x": 0.5, "none": None, "ok": True,
     "list": [1, (2, 3)]},
    {"amount": Decimal("12.50"), "id": uuid.UUID(int=7), "day": date(2026, 11, 23),
     "at": datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "pair": Pair(1, datetime(2026, 1, 1))},
    {"big": 2**70},  # past orjson's 64 bits: json.dumps writes it
    {1: "int key"},  # json.dumps writes "1"
]


@pytest.mark.parametrize("value", VALUES)
def test_a_reply_has_the_bytes_json_dumps_gives(customs, value):
    app = create_app(customs=customs)
    with app.app_context():
        body = app.json.response(value).get_data()
        stdlib = DefaultJSONProvider.response(app.json, value).get_data()
    assert body == stdlib
    assert body.endswith(b"\n")
    assert json.loads(body) == json.loads(stdlib)


def test_what_neither_can_encode_is_still_an_error(customs):
    app = create_app(customs=customs)
    with app.app_context(), pytest.raises(TypeError):
        app.json.response({"set": {1, 2}})
