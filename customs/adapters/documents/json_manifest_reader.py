"""Reads seller manifests in the JSON form (schemas/manifest/v1/manifest-v1.json), streaming,
parcel by parcel, to the same outcomes as the XML reader.

The document is one object: the header members, then "parcels" (header members after it are
refused: the header must be known before the first parcel is judged). Each parcel is built
from the parse events within the limits of json_events, then validated alone against the JSON
Schema generated from the XSD (jsonschema-rs: exact decimals, linear-time patterns), so memory
holds the body and one parcel. A parcel over a limit is rejected unvalidated
(PARCEL_LIMIT_EXCEEDED); the header over a limit, nested too deep, or not JSON refuses the
manifest. Violations name the parcel by position and tracking number and the field by JSON
Pointer ('/parcels/0/items/1/hs_code').
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from customs.adapters.documents.json_events import (
    Builder,
    Built,
    JsonLimits,
    events,
    not_json,
    pointer,
)
from customs.adapters.documents.json_fields import header_from_json, parcel_from_json
from customs.domain.errors import ManifestRefused
from customs.domain.model import ManifestHeader, ParcelOutcome, Violation
from schemas.manifest_json import PathMap, load_json_schema

PARCELS = "parcels"
ERRORS_EXAMINED = 100  # per parcel, as for the XML form


@dataclass(frozen=True, slots=True)
class JsonReaderLimits:
    max_parcels: int = 50_000
    shape: JsonLimits = field(default_factory=JsonLimits)


class _Schemas:
    """The parcel's and the header's validators, compiled once from the committed schema."""

    def __init__(self, schema: dict[str, Any]) -> None:
        defs = schema["$defs"]
        manifest = defs[schema["$ref"].rsplit("/", 1)[1]]
        header = {**manifest, "properties": {k: v for k, v in manifest["properties"].items()
                                             if k != PARCELS},
                  "required": [k for k in manifest["required"] if k != PARCELS]}
        parcel_ref = manifest["properties"][PARCELS]["items"]["$ref"]
        self.parcel = jsonschema_rs.validator_for({"$ref": parcel_ref, "$defs": defs})
        self.header = jsonschema_rs.validator_for(
            {"$ref": "#/$defs/-header", "$defs": {**defs, "-header": header}})


def _errors(validator: Any, value: Any, base: str, unread: set[str]) -> list[Violation]:
    """The schema's errors as violations; the missing members of one object in one (as the
    XSD validator names the first missing element once), so an empty parcel costs one."""
    found: list[Violation] = []
    missing: dict[str, list[str]] = {}
    for error in itertools.islice(validator.iter_errors(value), ERRORS_EXAMINED):
        where = base + pointer(list(error.instance_path))
        if where in unread:
            continue  # reported as a number too large to read
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required):
            if where not in missing:
                missing[where] = []
                found.append(Violation("SCHEMA_VIOLATION", "", where))
            missing[where].append(json.dumps(error.kind.property))
            continue
        instance = error.instance
        shown = None if isinstance(instance, dict | list) or instance is None else str(instance)
        found.append(Violation("SCHEMA_VIOLATION", error.message, where, None, shown))
    return [_required(v, missing[v.path]) if not v.message and v.path in missing else v
            for v in found]


def _required(violation: Violation, names: list[str]) -> Violation:
    said = (f"{names[0]} is a required property" if len(names) == 1
            else f"{', '.join(names)} are required properties")
    return Violation(violation.code, said, violation.path)


class JsonManifestStream:
    """One pass over a JSON manifest: `header` first, then `parcels()` yields each outcome."""

    def __init__(self, data: bytes, schemas: _Schemas, limits: JsonReaderLimits) -> None:
        self._schemas = schemas
        self._limits = limits
        self._events = events(data)
        self._builder = Builder(limits.shape)
        self._members: dict[str, Any] = {}
        self._outside = 0  # values outside the parcels
        with not_json():
            self.header: ManifestHeader = self._read_header()

    def _next(self) -> tuple[str, Any]:
        try:
            return next(self._events)
        except StopIteration:
            raise ManifestRefused("MANIFEST_NOT_WELL_FORMED", "the document ended early") from None

    def _read_header(self) -> ManifestHeader:
        event, _ = self._next()
        if event != "start_map":
            raise ManifestRefused("MANIFEST_WRONG_ROOT",
                                  "the document is not a JSON object (a manifest)")
        while True:
            event, key = self._next()
            if event == "end_map":
                self._check_header()
                raise ManifestRefused("MANIFEST_ENVELOPE_INVALID", "the manifest has no parcels",
                                      [Violation("MANIFEST_ENVELOPE_INVALID",
                                                 '"parcels" is a required property', "")])
            if key == PARCELS:
                if self._next()[0] != "start_array":
                    raise ManifestRefused("MANIFEST_ENVELOPE_INVALID", '"parcels" is not an '
                                          "array", [Violation("MANIFEST_ENVELOPE_INVALID",
                                                              "not an array", "/parcels")])
                return self._check_header()
            self._read_member(key)

    def _read_member(self, key: str) -> None:
        event, value = self._next()
        most = self._limits.shape.values_outside_parcels
        built = self._builder.build(self._events, event, value, where=[key], depth=1,
                                    max_values=most - self._outside)
        self._outside += built.values
        if built.over:
            raise ManifestRefused("MANIFEST_LIMIT_EXCEEDED",
                                  f"the manifest has {built.over} outside the parcels")
        problems = list(built.problems)
        if key in self._members:
            problems.append((pointer([key]), f"the key {key!r} appears twice in one object"))
        if problems:
            raise _envelope_invalid([Violation("MANIFEST_ENVELOPE_INVALID", message, where)
                                     for where, message in problems])
        self._members[key] = built.value

    def _check_header(self) -> ManifestHeader:
        violations = _errors(self._schemas.header, self._members, "", set())
        if violations:
            raise _envelope_invalid(
                [Violation("MANIFEST_ENVELOPE_INVALID", v.message, v.path, None, v.value)
                 for v in violations])
        return header_from_json(self._members)

    def parcels(self) -> Iterator[ParcelOutcome]:
        with not_json():
            yield from self._parcels()

    def _parcels(self) -> Iterator[ParcelOutcome]:
        position = 0
        while True:
            event, value = self._next()
            if event == "end_array":
                break
            position += 1
            if position > self._limits.max_parcels:
                raise ManifestRefused("MANIFEST_TOO_MANY_ELEMENTS",
                                      f"more than {self._limits.max_parcels} parcels in one "
                                      "manifest")
            where = [PARCELS, position - 1]
            built = self._builder.build(self._events, event, value, where=where, depth=2,
                                        max_values=self._limits.shape.values_per_parcel)
            yield self._outcome(built, position)
        self._finish(position)

    def _outcome(self, built: Built, position: int) -> ParcelOutcome:
        base = pointer([PARCELS, position - 1])
        value = built.value
        number = value.get("tracking_number") if isinstance(value, dict) else None
        outcome = ParcelOutcome(position, number if isinstance(number, str) else None, None)
        if built.over:  # as the XML form: the number only if short and plain
            outcome.tracking_number = (number.strip() if isinstance(number, str)
                                       and len(number) <= 64 else None)
            outcome.violations.append(Violation(
                "PARCEL_LIMIT_EXCEEDED", f"the parcel has {built.over}; it was not validated",
                base))
            return outcome
        outcome.violations.extend(Violation("SCHEMA_VIOLATION", message, where)
                                  for where, message in built.problems)
        outcome.violations.extend(_errors(self._schemas.parcel, value, base, built.unread))
        if not outcome.violations:
            outcome.parcel = parcel_from_json(value)
        return outcome

    def _finish(self, count: int) -> None:
        event, key = self._next()
        if event == "map_key":
            raise _envelope_invalid([Violation(
                "MANIFEST_ENVELOPE_INVALID", f"the member {key!r} follows \"parcels\"; every "
                "header member must come before it", pointer([key]))])
        if count == 0:
            raise ManifestRefused("MANIFEST_ENVELOPE_INVALID", "the manifest has no parcels",
                                  [Violation("MANIFEST_ENVELOPE_INVALID",
                                             "[] has less than 1 item", "/parcels")])
        for _ in self._events:  # the parser's end: trailing garbage is an error
            pass


def _envelope_invalid(violations: list[Violation]) -> ManifestRefused:
    return ManifestRefused("MANIFEST_ENVELOPE_INVALID",
                           "the manifest header is invalid: " + violations[0].message,
                           violations)


class JsonManifestReader:
    """The ManifestReader port for JSON manifests."""

    media_type = "application/json"

    def __init__(self, limits: JsonReaderLimits | None = None,
                 schema: dict[str, Any] | None = None) -> None:
        self._limits = limits or JsonReaderLimits()
        schema = schema or load_json_schema()
        self._schemas = _Schemas(schema)
        self._paths = PathMap(schema)

    def open(self, data: bytes) -> JsonManifestStream:
        return JsonManifestStream(data, self._schemas, self._limits)

    def locate(self, path: str) -> str:
        """A field named by its manifest v1 XML path, as a JSON Pointer."""
        return self._paths.pointer(path)
