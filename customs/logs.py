"""Structured logs: one JSON object per line, shared by the app, the stdlib and gunicorn.

Never log personal data or whole documents: messages carry ids and hashes (manifest, batch,
parcel ids, tracking numbers are ids), and extra fields passed as `extra={...}` are copied as
they are, so pass only ids, counts and hashes there. gunicorn's access log is turned into
fields (method, path without the query string, status, bytes, duration); the client address,
user agent and query string are left out.
"""

from __future__ import annotations

import json
import logging
import os
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# The X-Request-Id of the HTTP request being served (set by api.request_id): copied onto every
# log record made while it is served, so each line of a request can be found by its id.
request_id: ContextVar[str | None] = ContextVar("customs_request_id", default=None)
_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    current = request_id.get()
    if current is not None:
        record.request_id = current
    return record


class TextFormatter(logging.Formatter):
    """One line per record; the request's id at its end when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        current = getattr(record, "request_id", None)
        return line if current is None else f"{line} [request_id={current}]"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "pid": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            out |= {"event": "request", "method": atoms.get("m"), "path": atoms.get("U"),
                    "status": _int(atoms.get("s")), "bytes": _int(atoms.get("B")),
                    "duration_ms": round(float(atoms.get("L") or 0) * 1000, 2),
                    "request_id": (atoms.get("{x-request-id}i") or "-").strip("-") or None}
        else:
            out["message"] = record.getMessage()
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        try:  # orjson: far cheaper than json.dumps, and this runs on every access line
            return orjson.dumps(out, default=str).decode()
        except TypeError:  # what orjson refuses (integers past 64 bits, lone surrogates)
            return json.dumps(out, ensure_ascii=False, default=str)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def log_format() -> str:
    return os.environ.get("CUSTOMS_LOG_FORMAT", "text")


def configure(level: str = "INFO", fmt: str | None = None) -> None:
    """Root logging: JSON lines (CUSTOMS_LOG_FORMAT=json) or plain text. Under gunicorn the
    handlers already exist (gunicorn_logconfig): only the level is set then."""
    logging.setLogRecordFactory(_record_with_request_id)
    root = logging.getLogger()
    root.setLevel(level)
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if (fmt or log_format()) == "json" else
                         TextFormatter())
    root.addHandler(handler)


def gunicorn_logconfig(level: str = "INFO") -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its error and access logs and the root logger, as JSON."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": "customs.logs.JsonFormatter"}},
        "handlers": {"stderr": handler, "access": {**handler, "stream": "ext://sys.stdout"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }
