"""The JSON event source and the bounded builder: what refuses a document, what marks a value."""

from __future__ import annotations

import pytest

from customs.adapters.documents.json_events import (
    Builder,
    JsonLimits,
    events,
    not_json,
)
from customs.domain.errors import ManifestRefused


def build(document: bytes, limits: JsonLimits | None = None, max_values: int = 100):  # type: ignore[no-untyped-def]
    stream = events(document)
    with not_json():
        event, value = next(stream)
        return Builder(limits or JsonLimits()).build(stream, event, value, where=["p"],
                                                     depth=1, max_values=max_values)


@pytest.mark.parametrize(("document", "fine"), [
    (b'"\\ud83d\\ude00"', True), (b'"\\u00e9"', True), (b'"\\\\ud83d"', True),
    (b'"a\\ud800\\udc00\\ud800\\udfff"', True), (b'"\\ud83d"', False), (b'"\\ude00"', False),
    (b'"\\ud83d\\u0041"', False), (b'"\\ud83d\\ud83d\\ude00"', False),
    (b'"\\ud83d\\\\ude00"', False),
], ids=["pair", "bmp", "escaped-backslash", "two-pairs", "lone-high", "lone-low",
        "high-then-letter", "high-high-low", "high-then-text"])
def test_only_paired_surrogate_escapes_pass(document, fine):
    if fine:
        assert build(document).value
    else:
        with pytest.raises(ManifestRefused) as refused:
            build(document)
        assert refused.value.code == "MANIFEST_ENCODING_INVALID"


@pytest.mark.parametrize(("document", "code"), [
    (b'{"a": "\xc3"}', "MANIFEST_ENCODING_INVALID"), (b"\xff\xfe{}", "MANIFEST_ENCODING_INVALID"),
    (b'{"a": NaN}', "MANIFEST_NOT_WELL_FORMED"), (b'{"a": -Infinity}', "MANIFEST_NOT_WELL_FORMED"),
    (b'{"a": 1,}', "MANIFEST_NOT_WELL_FORMED"), (b"[" * 17 + b"]" * 17, "MANIFEST_LIMIT_EXCEEDED"),
    (b"[" + b"9" * 5000 + b"]", "MANIFEST_LIMIT_EXCEEDED"),
], ids=["cut-utf8", "utf16", "nan", "infinity", "trailing-comma", "deep", "digits"])
def test_a_document_that_cannot_be_read_is_refused(document, code):
    with pytest.raises(ManifestRefused) as refused:
        build(document)
    assert refused.value.code == code


def test_a_bom_is_skipped():
    assert build(b'\xef\xbb\xbf{"a": 1}').value == {"a": 1}


def test_duplicate_keys_and_non_xml_characters_are_reported_where_they_are():
    built = build(b'{"a": {"b": 1, "b": [2], "c": "x\\u0000"}, "\\u0001": 1}')
    assert built.over is None
    assert built.value == {"a": {"b": 1, "c": "x\x00"}}
    assert built.problems == [
        ("/p/a/b", "the key 'b' appears twice in one object; keys must be unique"),
        ("/p/a/c", "the string holds a character XML does not allow (U+0000)"),
        ("/p", "a key holds a character XML does not allow (U+0001)")]


def test_numbers_too_large_to_hold_are_marked_unread():
    built = build(b'{"a": 1e41, "b": 0.' + b"1" * 41 + b', "c": 12.50, "d": ' + b"9" * 41 + b"}")
    assert built.unread == {"/p/a", "/p/b", "/p/d"}
    assert built.value["c"] == 12.5 and built.value["a"] is None


@pytest.mark.parametrize(("document", "over"), [
    (b"[" + b"1," * 100 + b"1]", "more than 100 values"),
    (b"{" + b",".join(b'"k%d": 1' % i for i in range(65)) + b"}",
     "an object of more than 64 keys"),
    (b'["' + b"x" * 8193 + b'"]', "a string over 8192 characters"),
    (b'{"' + b"k" * 8193 + b'": 1}', "a key over 8192 characters"),
], ids=["values", "keys", "string", "key"])
def test_a_value_over_a_limit_is_read_to_its_end_and_marked(document, over):
    stream = events(document + b" ")
    event, value = next(stream)
    built = Builder(JsonLimits()).build(stream, event, value, where=[], depth=1, max_values=100)
    assert built.over == over
    assert list(stream) == []  # the whole value was consumed
