"""The JSON form of manifest v1, generated from the XSD: one content model, two syntaxes.

`generate_json_schema` walks the XSD (with xmlschema, which holds every facet) and writes a JSON
Schema (2020-12) that states what the XSD states: the same members (snake_case names of the
elements, plural for repeated ones), the same required/optional members and occurrences, and
each simple type's facets (patterns, lengths, enumerations, bounds; fractionDigits n as
multipleOf 10^-n). Decimals are JSON numbers, every other value a JSON string; an element with
attributes (an amount and its currency) is an object. Each member names its XML counterpart in
`x-xml` ("HSCode", "@currency", "text()"), which is what maps a path of one form to the other.
The generated file is committed (manifest/v1/manifest-v1.json) and a test proves it is what the
generator makes of the XSD today.

What no JSON Schema keyword states, and the JSON reader enforces: strings hold XML characters
only (the XSD's string value space), keys are unique, and the header members precede "parcels"
(so the manifest can be read as a stream).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

MANIFEST_NS = "urn:customs:manifest:1"
SCHEMA_ID = "urn:customs:manifest:1:json"
_HERE = Path(__file__).resolve().parent
_XS = "{http://www.w3.org/2001/XMLSchema}"
_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# The lexical spaces of the XSD built-in types the manifest uses (XSD 1.1, part 2, 3.3).
_YEAR_MONTH_DAY = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_ZONE = r"(?:Z|[+\-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_BUILTIN_PATTERNS = {
    "dateTime": f"^{_YEAR_MONTH_DAY}T{_TIME}{_ZONE}$",
    "date": f"^{_YEAR_MONTH_DAY}{_ZONE}$",
}
_BOUNDS = {"minInclusive": "minimum", "maxInclusive": "maximum",
           "minExclusive": "exclusiveMinimum", "maxExclusive": "exclusiveMaximum"}
_LENGTHS = {"minLength": "minLength", "maxLength": "maxLength"}
_IGNORED_FACETS = {"whiteSpace"}  # the XML text's own whitespace handling: JSON has none


def json_schema_path() -> Path:
    return _HERE / "manifest" / "v1" / "manifest-v1.json"


def json_name(xml_name: str, repeated: bool = False) -> str:
    """'HSCode' → 'hs_code', 'Parcel' repeated → 'parcels'."""
    name = _SNAKE.sub("_", xml_name).lower()
    return name + "s" if repeated else name


# ------------------------------------------------------------------ generation (from the XSD)


def generate_json_schema(xsd_path: Path | None = None) -> dict[str, Any]:
    """The JSON Schema of manifest v1, made from the XSD."""
    import xmlschema  # only to generate: the service loads the committed file

    from schemas.manifest_schema import manifest_xsd_path

    xsd = xmlschema.XMLSchema(str(xsd_path or manifest_xsd_path()))
    defs: dict[str, Any] = {}
    root = xsd.elements["Manifest"]
    _complex(root.type, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Seller manifest, version 1 (JSON form)",
        "description": (
            "Generated from the XSD of urn:customs:manifest:1: the same content model. Also "
            "required, beyond what JSON Schema states: strings hold XML characters only (no "
            "U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+FFFE, U+FFFF, lone surrogates), "
            "keys are unique within an object, and every header member comes before "
            "\"parcels\". Decimals are JSON numbers, read exactly (never as binary floats)."),
        "$ref": f"#/$defs/{root.type.local_name}",
        "$defs": dict(sorted(defs.items())),
    }


def _complex(xsd_type: Any, defs: dict[str, Any]) -> str:
    name = xsd_type.local_name
    if name in defs:
        return name
    defs[name] = {}  # a placeholder against recursion
    if xsd_type.has_simple_content():
        defs[name] = _simple_content(xsd_type, defs)
        return name
    if xsd_type.content.model != "sequence" or xsd_type.attributes:
        raise NotImplementedError(f"{name}: only sequences without attributes are mapped")
    properties: dict[str, Any] = {}
    required = []
    for element in xsd_type.content.iter_elements():
        repeated = element.max_occurs is None or element.max_occurs > 1
        key = json_name(element.local_name, repeated)
        member = _member(element.type, defs)
        if repeated:
            member = {"type": "array", "items": member, "minItems": element.min_occurs}
            if element.max_occurs is not None:
                member["maxItems"] = element.max_occurs
        properties[key] = {**member, "x-xml": element.local_name}
        if element.min_occurs > 0:
            required.append(key)
    defs[name] = {"type": "object", "properties": properties, "required": required,
                  "additionalProperties": False}
    return name


def _member(xsd_type: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if xsd_type.is_simple():
        return {"$ref": f"#/$defs/{_simple(xsd_type, defs)}"}
    return {"$ref": f"#/$defs/{_complex(xsd_type, defs)}"}


def _simple_content(xsd_type: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """An element with text and attributes: an object, its text under 'amount' (money) or
    'value', each attribute under its own name."""
    content = "amount" if xsd_type.local_name.endswith("MoneyType") else "value"
    properties = {content: {"$ref": f"#/$defs/{_simple(xsd_type.content, defs)}",
                            "x-xml": "text()"}}
    required = [content]
    for attribute in xsd_type.attributes.values():
        key = json_name(attribute.local_name)
        properties[key] = {"$ref": f"#/$defs/{_simple(attribute.type, defs)}",
                           "x-xml": "@" + attribute.local_name}
        if attribute.use == "required":
            required.append(key)
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False}


def _simple(xsd_type: Any, defs: dict[str, Any]) -> str:
    """A named simple type as a $defs entry: every restriction step's facets, all of which
    apply (a step's constraint that another step also states goes under allOf)."""
    name = xsd_type.local_name
    if name in defs:
        return name
    steps = []
    node = xsd_type
    while node is not None and not node.is_primitive():
        steps.append(node)
        node = node.base_type
    primitive = node.local_name if node is not None else xsd_type.primitive_type.local_name
    merged: dict[str, Any] = _primitive(primitive)
    extra: list[dict[str, Any]] = []
    for step in reversed(steps):
        for keyword, value in _facets(step).items():
            if keyword in merged and merged[keyword] != value:
                extra.append({keyword: value})
            else:
                merged[keyword] = value
    if extra:
        merged["allOf"] = extra
    documentation = _documentation(xsd_type)
    if documentation:
        merged = {"description": documentation, **merged}
    defs[name] = merged
    return name


def _primitive(name: str) -> dict[str, Any]:
    if name == "decimal":
        return {"type": "number"}
    if name == "string":
        return {"type": "string"}
    if name in _BUILTIN_PATTERNS:
        return {"type": "string", "pattern": _BUILTIN_PATTERNS[name]}
    raise NotImplementedError(f"xs:{name} has no JSON form yet")


def _facets(step: Any) -> dict[str, Any]:
    """The JSON Schema keywords of the facets one restriction step declares."""
    found: dict[str, Any] = {}
    for qname, facet in step.facets.items():
        if qname is None:
            continue
        local = qname.removeprefix(_XS)
        if local in _IGNORED_FACETS:
            continue
        if local == "pattern":
            patterns = [xsd_regex_to_ecma(p) for p in facet.regexps]
            found["pattern"] = patterns[0] if len(patterns) == 1 else "|".join(
                f"(?:{p})" for p in patterns)
        elif local == "enumeration":
            found["enum"] = list(step.enumeration)
        elif local in _LENGTHS:
            found[_LENGTHS[local]] = facet.value
        elif local in _BOUNDS:
            found[_BOUNDS[local]] = _number(facet.value)
        elif local == "fractionDigits":
            found["multipleOf"] = _number(Decimal(1).scaleb(-facet.value))
        else:
            raise NotImplementedError(f"facet xs:{local} has no JSON Schema keyword here")
    return found


def _number(value: Decimal) -> int | float:
    """A facet's bound as a JSON number; the committed file keeps its exact decimal digits (a
    float prints the shortest digits that read back as the same float)."""
    integral = value == value.to_integral_value()
    number = int(value) if integral else float(value)
    if not integral and Decimal(repr(number)) != value:
        raise ValueError(f"{value} does not survive as a JSON number")
    return number


def _documentation(xsd_type: Any) -> str | None:
    annotation = getattr(xsd_type, "annotation", None)
    if annotation is None or not annotation.documentation:
        return None
    return " ".join(" ".join(d.text.split()) for d in annotation.documentation if d.text)


# XSD regular expressions (XSD 1.0, part 2, appendix F) → ECMA-262 patterns, anchored, which
# mean the same in every JSON Schema validator (ECMA, Rust regex, Python re used with
# fullmatch): classes written out instead of \s \S and '.', whose meanings differ.
_XSD_SPACE = r" \t\n\r"
_UNSUPPORTED = set("dDwWiIcCpP")


def xsd_regex_to_ecma(pattern: str) -> str:
    return "^(?:" + "".join(_regex_tokens(pattern)) + ")$"


def _regex_tokens(pattern: str) -> Iterator[str]:
    at = 0
    while at < len(pattern):
        char = pattern[at]
        if char == "[":
            end = _class_end(pattern, at)
            yield _class(pattern[at + 1 : end])
            at = end + 1
            continue
        if char == "\\":
            escape = pattern[at + 1]
            if escape in _UNSUPPORTED:
                raise NotImplementedError(f"\\{escape} in XSD pattern {pattern!r}")
            yield {"s": f"[{_XSD_SPACE}]", "S": f"[^{_XSD_SPACE}]"}.get(escape, "\\" + escape)
            at += 2
            continue
        yield {".": r"[^\n\r]", "^": r"\^", "$": r"\$"}.get(char, char)
        at += 1


def _class_end(pattern: str, start: int) -> int:
    at = start + 1
    while pattern[at] != "]":
        if pattern[at] == "[":
            raise NotImplementedError(f"class subtraction in XSD pattern {pattern!r}")
        at += 2 if pattern[at] == "\\" else 1
    return at


def _class(body: str) -> str:
    negated = body.startswith("^")
    body = body[1:] if negated else body
    parts, non_space, at = [], False, 0
    while at < len(body):
        if body[at] == "\\":
            escape = body[at + 1]
            if escape in _UNSUPPORTED:
                raise NotImplementedError(f"\\{escape} in an XSD character class")
            if escape == "S":
                non_space = True
            else:
                parts.append(_XSD_SPACE if escape == "s" else "\\" + escape)
            at += 2
        else:
            parts.append("\\" + body[at] if body[at] in "[]^" and at else body[at])
            at += 1
    rest = "".join(parts)
    if not non_space:
        return f"[{'^' if negated else ''}{rest}]"
    if negated:
        raise NotImplementedError("\\S in a negated XSD character class")
    return f"(?:[{rest}]|[^{_XSD_SPACE}])" if rest else f"[^{_XSD_SPACE}]"


# ------------------------------------------------------------------ the committed schema


@cache
def load_json_schema() -> dict[str, Any]:
    """The committed JSON Schema (what GET /v1/schemas/manifest-v1.json serves)."""
    return json.loads(json_schema_path().read_text(encoding="utf-8"))


def schema_bytes() -> bytes:
    return json_schema_path().read_bytes()


def write_json_schema(path: Path | None = None) -> Path:
    """Regenerate the committed file (`python -m schemas.manifest_json`)."""
    target = path or json_schema_path()
    text = json.dumps(generate_json_schema(), indent=2, ensure_ascii=False) + "\n"
    target.write_text(text, encoding="utf-8")
    return target


def _definition(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


class PathMap:
    """Paths of the XML form ('/Manifest/Parcel[3]/Item[2]/Value/@currency', as the business
    rules name fields) in the JSON form, as JSON Pointers ('/parcels/2/items/1/value/currency').
    An element with attributes is its object ('/parcels/2/declared_value'), as the XML path
    names the element that holds both."""

    def __init__(self, schema: dict[str, Any] | None = None) -> None:
        self._schema = schema or load_json_schema()
        self._root = _definition(self._schema, self._schema)

    def pointer(self, xml_path: str) -> str:
        steps = xml_path.strip("/").split("/")
        if not steps or steps[0] != "Manifest":
            return xml_path
        node, parts = self._root, []
        for step in steps[1:]:
            found = self._step(node, step)
            if found is None:
                return xml_path
            node, keys = found
            parts.extend(keys)
        return "".join("/" + p for p in parts)

    def _step(self, node: dict[str, Any], step: str) -> tuple[dict[str, Any], list[str]] | None:
        name, _, index = step.partition("[")
        for key, member in node.get("properties", {}).items():
            if member.get("x-xml") != name:
                continue
            if member.get("type") == "array":
                position = int(index.rstrip("]") or 1) - 1
                return _definition(self._schema, member["items"]), [key, str(position)]
            return _definition(self._schema, member), [key]
        return None


# ------------------------------------------------------------------ XML form → JSON form


def xml_to_json(document: bytes, *, indent: int | None = None,
                schema: dict[str, Any] | None = None) -> bytes:
    """A manifest of the XML form written in the JSON form (for the examples, tests,
    benchmarks and `customs sample-manifest --format json`): each element as its member,
    attributes as members, decimal texts as numbers written as they were (when they are
    decimals), everything kept as found: a repeated single element becomes a repeated key, an
    unknown element a member under its snake_case name, so an invalid manifest stays invalid
    in the same place. Trusted input only (entities off all the same)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True, huge_tree=True)
    root = etree.fromstring(document, parser)
    converter = _Converter(schema or load_json_schema())
    out: list[str] = []
    _dump(converter.members(root, converter.root), out, indent, 0)
    return ("".join(out) + ("\n" if indent is not None else "")).encode()


_quoted = json.encoder.encode_basestring  # type: ignore[attr-defined]  # a JSON string, in C


class _Raw(str):
    """A JSON token, written as it is."""


class _Object(list):
    """An object's members in document order, as (key, value) pairs (keys may repeat)."""


_DECIMAL = re.compile(r"[+\-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class _Converter:
    def __init__(self, schema: dict[str, Any]) -> None:
        self._schema = schema
        self.root = _definition(schema, schema)
        self._plans: dict[int, dict[str | None, tuple[str, dict[str, Any], bool]]] = {}

    def _plan(self, node: dict[str, Any]) -> dict[str | None, tuple[str, dict[str, Any], bool]]:
        """XML name → (member, its definition, repeated), for one object definition."""
        plan = self._plans.get(id(node))
        if plan is None:
            plan = {}
            for key, member in node.get("properties", {}).items():
                repeated = member.get("type") == "array"
                target = _definition(self._schema, member["items"] if repeated else member)
                plan[member.get("x-xml")] = (key, target, repeated)
            self._plans[id(node)] = plan
        return plan

    def members(self, element: etree._Element, node: dict[str, Any]) -> _Object:
        plan = self._plan(node)
        found = _Object()
        arrays: dict[str, list[Any]] = {}
        if "text()" in plan:
            key, target, _ = plan["text()"]
            found.append((key, _scalar(element.text, target)))
        for attribute, value in element.attrib.items():
            key, target, _ = plan.get("@" + attribute) or (json_name(attribute), {}, False)
            found.append((key, _scalar(value, target)))
        for child in element:
            name = etree.QName(child).localname
            key, target, repeated = plan.get(name) or (json_name(name), {}, False)
            value = self._value(child, target)
            if not repeated:
                found.append((key, value))
            elif key in arrays:
                arrays[key].append(value)
            else:
                arrays[key] = [value]
                found.append((key, arrays[key]))
        return found

    def _value(self, element: etree._Element, node: dict[str, Any]) -> Any:
        if node.get("type") == "object" or len(element) or (not node and element.attrib):
            return self.members(element, node)
        return _scalar(element.text, node)


def _scalar(text: str | None, node: dict[str, Any]) -> _Raw:
    text = text or ""
    if node.get("type") == "number" and _DECIMAL.fullmatch(text.strip()):
        return _Raw(str(Decimal(text.strip())))
    return _Raw(_quoted(text))


def _dump(value: Any, out: list[str], indent: int | None, level: int) -> None:
    if isinstance(value, _Raw):
        out.append(value)
        return
    is_object = isinstance(value, _Object)
    inner = "" if indent is None else "\n" + " " * (indent * (level + 1))
    outer = "" if indent is None else "\n" + " " * (indent * level)
    out.append("{" if is_object else "[")
    for i, item in enumerate(value):
        out.append(("," if i else "") + inner)
        if is_object:
            key, item = item
            out.append(_quoted(key) + (": " if indent else ":"))
        _dump(item, out, indent, level + 1)
    out.append((outer if value else "") + ("}" if is_object else "]"))


if __name__ == "__main__":
    print(write_json_schema())
