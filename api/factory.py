"""The app factory: settings, the composition root, error shape, blueprints, health."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

from api import console, rate_limit, request_id
from api.errors import register_error_handlers
from api.observability import instrument
from api.openapi import docs
from api.routes import register_api
from customs import logs
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
    register_api(app)
    app.register_blueprint(docs)
    console.init_app(app)
    return app
