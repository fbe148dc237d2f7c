"""A JSON body as a stream of parse events (ijson, yajl2_c), and values built from them within
limits, so that what a body costs grows with its size and no faster.

The source refuses, for the whole document: bytes that are not UTF-8 (checked as they are fed,
64 KiB at a time), a lone surrogate escape (yajl would read it as '?': a silent change), what
is not JSON (NaN and Infinity included: they are not JSON), an integer beyond Python's
4,300 digits. The builder counts as it builds: nesting, keys per object, values, string
length, number size; it reports a duplicate key and a character that XML does not allow
(the manifest's strings are XML strings) without stopping.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ijson

from customs.domain.errors import ManifestRefused

CHUNK = 64 * 1024
_BOM = codecs.BOM_UTF8
# Surrogate escapes: a literal prefix, so the search runs at memchr speed; honest documents
# have them only in pairs (a character beyond U+FFFF written with ensure_ascii).
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
NUMBER_DIGITS = 40   # a manifest's largest number has 12 digits
NUMBER_EXPONENT = 40


@dataclass(frozen=True, slots=True)
class JsonLimits:
    """An honest manifest nests 5 levels in a parcel, has under 10 keys per object, about 60
    values per parcel and 10 outside them; each limit is far above that."""

    depth: int = 16
    keys_per_object: int = 64
    values_per_parcel: int = 3_000
    values_outside_parcels: int = 200
    string_chars: int = 8_192


class _Fed:
    """The body as a file for ijson, checked for UTF-8 as it is read."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = len(_BOM) if data.startswith(_BOM) else 0
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def read(self, size: int = CHUNK) -> bytes:
        piece = bytes(self._data[self._at : self._at + min(size, CHUNK)])
        self._at += len(piece)
        try:
            self._decoder.decode(piece, final=not piece)
        except UnicodeDecodeError as exc:
            raise ManifestRefused(
                "MANIFEST_ENCODING_INVALID",
                "the body is not UTF-8: an invalid byte at byte "
                f"{self._at - len(piece) + exc.start}") from None
        return piece


def events(data: bytes) -> Iterator[tuple[str, Any]]:
    """ijson's basic events, read under `not_json` (the document's failures as refusals)."""
    _refuse_lone_surrogates(data)
    _refuse_digit_runs(data)
    return ijson.basic_parse(_Fed(data), use_float=False, buf_size=CHUNK)  # type: ignore[no-any-return]


@contextmanager
def not_json() -> Iterator[None]:
    """A parse error of the events read within is a refusal of the manifest."""
    try:
        yield
    except ijson.JSONError as exc:
        raise ManifestRefused("MANIFEST_NOT_WELL_FORMED",
                              f"not well-formed JSON: {_first_line(exc)}") from None


def _refuse_digit_runs(data: bytes) -> None:
    """yajl2_c makes an integer of an integer token: beyond Python's limit on the digits of an
    int read from text (4,300) that fails inside the C extension and crashes the process. Any
    run of that many digits is refused first (in a string it would break every length the
    schema allows anyway)."""
    most = sys.get_int_max_str_digits() or 0
    if most and re.search(rb"[0-9]{%d}" % (most + 1), data):
        raise ManifestRefused("MANIFEST_LIMIT_EXCEEDED", "the manifest has a number (or a run "
                              f"of digits) of more than {most} digits")


def _first_line(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).strip().splitlines()[0] if str(text).strip() else type(exc).__name__


def _refuse_lone_surrogates(data: bytes) -> None:
    """Every high surrogate escape is followed at once by a low one, and every low one
    follows a high one."""
    paired_at = -1  # where the low half of the last high one must be
    for found in _SURROGATE.finditer(data):
        at = found.start()
        if not _is_escape(data, at):
            continue  # text after an escaped backslash
        high = found.group()[3:4] in b"89abAB"  # backslash, u, d, X: X tells which half
        if at == paired_at and not high:
            continue
        if not high or data[at + 6 : at + 8] not in (b"\\u",) or \
                _SURROGATE.match(data, at + 6) is None or data[at + 9 : at + 10] in b"89abAB":
            raise ManifestRefused(
                "MANIFEST_ENCODING_INVALID",
                f"the body has a lone surrogate escape {found.group().decode()} at byte {at}: "
                "it is no character")
        paired_at = at + 6


def _is_escape(data: bytes, at: int) -> bool:
    """The backslash at `at` starts an escape (an even number of backslashes before it)."""
    before = at - 1
    while before >= 0 and data[before] == 0x5C:
        before -= 1
    return (at - 1 - before) % 2 == 0


def pointer(parts: list[str | int] | tuple[str | int, ...]) -> str:
    """RFC 6901: '/parcels/0/seller/name'."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(slots=True)
class Built:
    """A value built within limits: `over` names the first limit it went beyond (the value is
    then what was built before: the rest is read, not kept); `problems` are (pointer, message)
    found on the way, at most PROBLEMS; `unread` the pointers of numbers too large to hold
    (None)."""

    value: Any = None
    values: int = 0
    over: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    unread: set[str] = field(default_factory=set)

    def problem(self, where: str, message: str) -> None:
        if len(self.problems) < PROBLEMS:
            self.problems.append((where, message))


PROBLEMS = 100
_STARTS = {"start_map": dict, "start_array": list}
_ENDS = ("end_map", "end_array")


class _Open:
    """A container being built: its value, its path, the keys seen (duplicates included)."""

    __slots__ = ("keys", "path", "value")

    def __init__(self, value: Any, path: list[str | int]) -> None:
        self.value, self.path, self.keys = value, path, 0


class Builder:
    """Builds one value from the events that follow its first event, within `limits`."""

    def __init__(self, limits: JsonLimits) -> None:
        self._limits = limits

    def build(self, stream: Iterator[tuple[str, Any]], event: str, value: Any, *,
              where: list[str | int], depth: int, max_values: int) -> Built:
        """`depth`: the nesting of the container the value is in (the document's object: 1);
        beyond `max_values` values the rest is read, not kept."""
        built = Built()
        stack: list[_Open] = []
        key: str | None = None  # the last key read (kept or not: paths name it)
        keep = True  # whether the value after `key` is kept (not a duplicate, not over)
        while True:
            if event in _ENDS:
                done = stack.pop().value
                if not stack:
                    built.value = done
                    return built
            elif event == "map_key":
                key = value
                keep = built.over is None and self._key(built, stack[-1], value)
            else:
                built.values += 1
                if built.values > max_values and built.over is None:
                    built.over = f"more than {max_values} values"
                made = _STARTS.get(event)
                if made is not None:
                    if depth + len(stack) >= self._limits.depth:
                        raise ManifestRefused("MANIFEST_LIMIT_EXCEEDED", "the manifest nests "
                                              f"deeper than {self._limits.depth} levels")
                    item = made()
                    path = where if not stack else [*stack[-1].path, _slot(stack[-1].value, key)]
                    if stack and built.over is None and keep:
                        _put(stack[-1].value, key, item)
                    stack.append(_Open(item, path))
                    key, keep = None, True
                else:
                    if built.over is None:
                        value = self._scalar(built, stack, key, event, value, where)
                    if not stack:
                        built.value = None if built.over else value
                        return built
                    if built.over is None and keep:
                        _put(stack[-1].value, key, value)
            if built.over is not None and stack:
                self._drain(stream, depth, depth + len(stack))
                built.value = stack[0].value
                return built
            event, value = next(stream)

    def _drain(self, stream: Iterator[tuple[str, Any]], depth: int, nesting: int) -> None:
        """Read the rest of a value over its limits without keeping it: the nesting is still
        bounded (it refuses the manifest), nothing else is looked at."""
        for event, _ in stream:
            if event in _STARTS:
                nesting += 1
                if nesting > self._limits.depth:
                    raise ManifestRefused("MANIFEST_LIMIT_EXCEEDED", "the manifest nests "
                                          f"deeper than {self._limits.depth} levels")
            elif event in _ENDS:
                nesting -= 1
                if nesting == depth:
                    return

    def _key(self, built: Built, top: _Open, key: str) -> bool:
        """Whether the value under this key is kept."""
        top.keys += 1
        if top.keys > self._limits.keys_per_object:
            built.over = f"an object of more than {self._limits.keys_per_object} keys"
        elif len(key) > self._limits.string_chars:
            built.over = f"a key over {self._limits.string_chars} characters"
        elif _NOT_XML.search(key):
            built.problem(pointer(top.path), "a key holds a character XML does not allow "
                          f"({_codepoint(key)})")
        elif key in top.value:
            built.problem(pointer([*top.path, key]), f"the key {key!r} appears twice in one "
                          "object; keys must be unique")
        else:
            return True
        return False

    def _scalar(self, built: Built, stack: list[_Open], key: str | None, event: str,
                value: Any, where: list[str | int]) -> Any:
        if event == "string":
            if len(value) > self._limits.string_chars:
                built.over = f"a string over {self._limits.string_chars} characters"
            elif _NOT_XML.search(value):
                built.problem(_here(stack, key, where), "the string holds a character XML "
                              f"does not allow ({_codepoint(value)})")
        elif event == "number" and not _readable(value):
            here = _here(stack, key, where)
            built.problem(here, f"the number has more than {NUMBER_DIGITS} digits or an "
                          f"exponent beyond ±{NUMBER_EXPONENT}")
            built.unread.add(here)
            return None
        return value


def _put(container: Any, key: str | None, value: Any) -> None:
    """Into its container; of duplicate keys the first counts (the rest are reported)."""
    if isinstance(container, list):
        container.append(value)
    else:
        container[key] = value


def _here(stack: list[_Open], key: str | None, where: list[str | int]) -> str:
    return pointer(where if not stack else [*stack[-1].path, _slot(stack[-1].value, key)])


def _slot(container: Any, key: str | None) -> str | int:
    return len(container) if isinstance(container, list) else (key or "")


def _readable(number: int | Decimal) -> bool:
    if isinstance(number, int):
        return abs(number) < 10**NUMBER_DIGITS
    _, digits, exponent = number.as_tuple()
    return (len(digits) <= NUMBER_DIGITS and isinstance(exponent, int)
            and abs(exponent) <= NUMBER_EXPONENT)


def _codepoint(text: str) -> str:
    found = _NOT_XML.search(text)
    return "" if found is None else f"U+{ord(found.group()):04X}"
