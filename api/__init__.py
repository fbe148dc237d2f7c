"""Flask delivery: app factory (api.factory), routes, auth, error shape, CLI (api.cli).

Importing `api` loads nothing of Flask: `customs --help` imports this package, and the app
factory (Flask, SQLAlchemy, lxml, every blueprint) is loaded on first use of `create_app`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from api.factory import create_app

        return create_app
    raise AttributeError(f"module 'api' has no attribute {name!r}")
