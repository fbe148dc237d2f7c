"""The route registry: each view declares its operation (`@operation(...)`, under its route
decorator) — the models of its body and replies, its parameters, its error statuses. The
OpenAPI document is generated from these declarations and the app's url_map (document.py);
a route without one fails the generation, so no route goes undescribed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

F = TypeVar("F", bound=Callable[..., Any])
BEARER = ({"bearerAuth": []},)
PUBLIC: tuple[dict[str, list[str]], ...] = ()


@dataclass(frozen=True)
class Param:
    """A path, query or header parameter; `schema` is a type (its JSON Schema is pydantic's)."""

    name: str
    where: str
    schema: Any = str
    description: str = ""
    required: bool = False
    example: Any = None


@dataclass(frozen=True)
class Reply:
    """A success reply: a JSON model, or raw `media` (media type -> schema) for other bodies."""

    description: str
    model: type[BaseModel] | None = None
    status: int = 200
    media: dict[str, Any] | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    example: Any = None


@dataclass(frozen=True)
class Operation:
    id: str
    tag: str
    summary: str
    replies: tuple[Reply, ...]
    errors: tuple[int | tuple[int, str], ...] = ()
    params: tuple[Param, ...] = ()
    body: type[BaseModel] | None = None
    body_required: bool = True
    raw_body: dict[str, Any] | None = None  # media type -> {"schema", "example"}
    description: str = ""
    security: tuple[dict[str, list[str]], ...] = BEARER


def operation(op_id: str, tag: str, summary: str, *replies: Reply, **more: Any) -> Callable[[F], F]:
    """Declare the view's operation; returns the view unchanged (it is only marked)."""
    declared = Operation(op_id, tag, summary, tuple(replies), **more)

    def mark(view: F) -> F:
        view.__operation__ = declared  # type: ignore[attr-defined]
        return view

    return mark


def declared(view: Callable[..., Any]) -> Operation | None:
    """The operation a view declares (through decorators that keep __dict__, as wraps does)."""
    return getattr(view, "__operation__", None)
