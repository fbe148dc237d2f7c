"""JSON columns are written by orjson, with json.dumps for what orjson refuses."""

from __future__ import annotations

import json

import sqlalchemy as sa

from customs.adapters.database.engine import json_text, make_engine


def test_compact_utf8_and_the_fallbacks_read_back_the_same_values() -> None:
    assert json_text({"name": "Ёлка 🎁", "n": [1, 2.5, None, True]}) == \
        '{"name":"Ёлка 🎁","n":[1,2.5,null,true]}'
    for refused in ({"big": 2**70}, {1: "int key"}, {"lone": "\ud800"}):
        text = json_text(refused)  # orjson raises on each; json.dumps writes it
        assert json.loads(text) == json.loads(json.dumps(refused))


def test_engines_write_json_columns_with_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'j.db'}")
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("data", sa.JSON))
    table.metadata.create_all(engine)
    value = {"city": "Москва", "big": 2**70}
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": 1, "data": value}, {"id": 2, "data": {"a": "é"}}])
    with engine.connect() as conn:
        raw = dict(conn.exec_driver_sql("SELECT id, data FROM t").all())
        assert conn.execute(sa.select(table.c.data).where(table.c.id == 1)).scalar() == value
    assert raw[2] == '{"a":"é"}'  # orjson's compact form, not json.dumps' '{"a": "\\u00e9"}'
    engine.dispose()
