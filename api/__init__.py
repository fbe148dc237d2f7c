"""Flask delivery: app factory, routes, auth, error shape, CLI."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify
from flask.json.provider import DefaultJSONProvider

from api import rate_limit
from api.authority import authority
from api.errors import problem, register_error_handlers
from api.manifests import v1
from api.openapi import docs
from api.parcels import views
from api.rates import rates
from api.webhooks import hooks
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
    rate_limit.init_app(app, customs.settings.rate_limit, customs.settings.rate_limit_storage)
    app.register_blueprint(v1)
    app.register_blueprint(views)
    app.register_blueprint(hooks)
    app.register_blueprint(authority)
    app.register_blueprint(rates)
    app.register_blueprint(docs)
    app.add_url_rule("/health", "health", health)
    app.add_url_rule("/metrics", "metrics", metrics)
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


def metrics() -> Response:
    """Prometheus text format: signing certificate, parcels by status (more with issue 6)."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

    customs: Customs = current_app.extensions["customs"]
    registry = CollectorRegistry()
    signing = customs.signing_status()
    configured = Gauge("customs_signing_configured", "1 when a signing key is loaded",
                       registry=registry)
    configured.set(1 if signing["configured"] else 0)
    if signing["configured"]:
        Gauge("customs_signing_certificate_days_left", "Days until the signing certificate's "
              "notAfter", registry=registry).set(signing["days_left"])
        Gauge("customs_signing_certificate_expiring", "1 when 30 days or fewer are left",
              registry=registry).set(1 if signing["expiring"] else 0)
    parcels = Gauge("customs_parcels", "Parcels by status", ["status"], registry=registry)
    for status, count in customs.parcel_counts().items():
        parcels.labels(status=status).set(count)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
