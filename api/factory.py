"""The app factory: settings, the composition root, error shape, blueprints, health."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Flask, Response, current_app, jsonify
from flask.json.provider import DefaultJSONProvider

from api import console, rate_limit, request_id
from api.authority import authority
from api.errors import problem, register_error_handlers
from api.manifests import v1
from api.observability import instrument, metrics
from api.openapi import docs
from api.parcels import views
from api.quarantine import quarantine
from api.quotes import quotes
from api.rates import rates
from api.webhooks import hooks
from customs import __version__, logs
from customs.bootstrap import bootstrap
from customs.settings import Settings
from customs.usecases import Application


class _JSON(DefaultJSONProvider):
    """Flask's JSON, with compact replies encoded by orjson: the same bytes, several times
    faster (docs/performance.md, "Cutting the cost per request"). Types orjson would
    write its own way (dates, dataclasses) go to Flask's `default` as before; anything it
    refuses (integers past 64 bits, lone surrogates) is left to json.dumps, as before."""

    sort_keys = False
    ensure_ascii = False
    _OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def response(self, *args: Any, **kwargs: Any) -> Response:
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)  # indented for people: json.dumps
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=self._OPTIONS)
        except TypeError:  # orjson.JSONEncodeError is one
            return super().response(*args, **kwargs)
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)


def create_app(test_config: dict[str, Any] | None = None, *,
               customs: Application | None = None) -> Flask:
    """The app factory. `test_config` overrides settings (CUSTOMS_* names, lower case)."""
    app = Flask(__name__)
    app.json = _JSON(app)
    app.config["MAX_CONTENT_LENGTH"] = None  # bodies are bounded by read_bounded_body
    if customs is None:
        settings = Settings(**(test_config or {}))
        customs = bootstrap(settings)
    logs.configure(customs.settings.log_level, customs.settings.log_format)
    app.extensions["customs"] = customs
    request_id.init_app(app)  # first: every later hook, log line and error sees the id
    register_error_handlers(app)
    rate_limit.init_app(app, customs.settings.rate_limit, customs.settings.rate_limit_storage)
    instrument(app)
    app.register_blueprint(v1)
    app.register_blueprint(views)
    app.register_blueprint(hooks)
    app.register_blueprint(authority)
    app.register_blueprint(quarantine)
    app.register_blueprint(rates)
    app.register_blueprint(quotes)
    app.register_blueprint(docs)
    console.init_app(app)
    app.add_url_rule("/health", "health", health)
    app.add_url_rule("/ready", "ready", ready)
    app.add_url_rule("/metrics", "metrics", metrics)
    return app


def health() -> Response:
    customs: Application = current_app.extensions["customs"]
    if not customs.operations.database_ok():
        return problem(503, "Service Unavailable", "the database is unreachable",
                       code="DATABASE_UNAVAILABLE")
    signing = customs.operations.signing_status()
    status = "ok" if not signing.expiring else "warning"
    return jsonify({"status": status, "database": "ok", "version": __version__,
                    "signing": signing.to_json()})


def ready() -> Response:
    """Readiness (for load balancers and orchestrators): 200 once the database answers, its
    schema is at this release's head and a configured certificate is in force; else 503.
    /health stays the liveness check."""
    checks = current_app.extensions["customs"].operations.readiness()
    response = jsonify({"status": "ready" if checks.ready else "not ready", **checks.to_json()})
    response.status_code = 200 if checks.ready else 503
    return response
