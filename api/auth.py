"""Bearer API keys: every /v1 request carries `Authorization: Bearer <key>`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from api import rate_limit
from api.errors import ApiProblem
from customs.services.ports import Principal

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="customs"'}


def authenticate_request() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(401, "UNAUTHENTICATED",
                         "send an API key as 'Authorization: Bearer <key>'", headers=CHALLENGE)
    principal = current_app.extensions["customs"].access.authenticate(token.strip())
    if principal is None:
        raise ApiProblem(401, "UNAUTHENTICATED", "the API key is unknown, revoked or expired",
                         headers=CHALLENGE)
    g.principal = principal
    rate_limit.enforce(principal.key_id)  # per key, once the key is known


def principal() -> Principal:
    return g.principal  # type: ignore[no-any-return]


def roles(*allowed: str) -> Callable:
    """Only these roles may call the operation; others get 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if principal().role not in allowed:
                raise ApiProblem(403, "FORBIDDEN_ROLE",
                                 f"this operation is for the {', '.join(allowed)} role")
            return view(*args, **kwargs)

        return wrapper

    return decorate
