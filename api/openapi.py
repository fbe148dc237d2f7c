"""The OpenAPI 3.1 document (served at /openapi.json) and the Swagger UI at /docs.

Generated (api/spec/document.py) from the API's routes and the operations and pydantic models
their views declare; built once per process on a bare app that has the same routes."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from api import openapi_manifest
from api.routes import register_api
from api.spec.document import openapi

docs = Blueprint("docs", __name__)


@cache
def _generated() -> dict[str, Any]:
    app = Flask("customs-openapi")
    register_api(app)
    return openapi(app.url_map.iter_rules(), app.view_functions,
                   extra_schemas=openapi_manifest.SCHEMAS)


def openapi_document() -> dict[str, Any]:
    """The document (a copy: callers may change theirs)."""
    return copy.deepcopy(_generated())


@docs.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(_generated())


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>customs API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script></body></html>"""

_INIT = "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#ui'});"


@docs.get("/docs")
def swagger_page() -> Response:
    return Response(_PAGE, mimetype="text/html")


@docs.get("/docs/assets/docs-init.js")
def swagger_init() -> Response:
    return Response(_INIT, mimetype="text/javascript")


@docs.get("/docs/assets/<path:name>")
def swagger_asset(name: str) -> Response:
    return send_from_directory(swagger_ui_path, name)
