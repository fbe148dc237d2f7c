"""The JSON form of manifest v1 in the OpenAPI document: the committed JSON Schema (generated
from the XSD, schemas/manifest_json.py) with its $defs as components, and the route that
publishes the schema itself (api/routes.py)."""

from __future__ import annotations

import json
from typing import Any

from schemas.manifest_json import load_json_schema

PREFIX = "ManifestV1_"
SCHEMA_PATH = "/v1/schemas/manifest-v1.json"


def _components() -> dict[str, Any]:
    schema = load_json_schema()
    text = json.dumps(schema["$defs"]).replace('"#/$defs/', f'"#/components/schemas/{PREFIX}')
    return {PREFIX + name: value for name, value in json.loads(text).items()}


SCHEMAS = _components()
MANIFEST_REF = {"$ref": "#/components/schemas/" + PREFIX
                + load_json_schema()["$ref"].rsplit("/", 1)[1]}
