"""Flask delivery: app factory, routes, auth, error shape, CLI."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify
from flask.json.provider import DefaultJSONProvider

from api.errors import problem, register_error_handlers
from api.manifests import v1
from api.openapi import docs
from customs import __version__
from customs.bootstrap import Customs, bootstrap
from customs.settings import Settings


class _JSON(DefaultJSONProvider):
    sort_keys = False
    ensure_ascii = False


def create_app(test_config: dict[str, Any] | None = None, *,
               customs: Customs | None = None) -> Flask:
    """The app factory. `test_config` overrides settings (CUSTOMS_* names, lower case)."""
    app = Flask(__name__)
    app.json = _JSON(app)
    app.config["MAX_CONTENT_LENGTH"] = None  # bodies are bounded by read_bounded_body
    if customs is None:
        settings = Settings(**(test_config or {}))
        customs = bootstrap(settings)
    logging.basicConfig(level=customs.settings.log_level)
    app.extensions["customs"] = customs
    register_error_handlers(app)
    app.register_blueprint(v1)
    app.register_blueprint(docs)
    app.add_url_rule("/health", "health", health)
    return app


def health() -> Response:
    customs: Customs = current_app.extensions["customs"]
    if not customs.database_ok():
        return problem(503, "Service Unavailable", "the database is unreachable",
                       code="DATABASE_UNAVAILABLE")
    signing = customs.signing_status()
    status = "ok" if not signing.get("expiring") else "warning"
    return jsonify({"status": status, "database": "ok", "version": __version__,
                    "signing": signing})
