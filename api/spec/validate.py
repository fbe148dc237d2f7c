"""Request bodies validated with their models: the first error becomes the operation's own
problem, naming the value at fault by its JSON Pointer (RFC 6901)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from api.errors import ApiProblem

M = TypeVar("M", bound=BaseModel)
Refusal = Callable[[str, str], ApiProblem]  # (pointer, message) -> the problem to raise


def validated(model: type[M], body: Any, refuse: Refusal) -> M:
    """`body` as a `model` (strict: no coercion), or the problem `refuse` makes of the first
    error."""
    try:
        return model.model_validate(body, strict=True)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        raise refuse(pointer(error["loc"], body, error["type"]), error["msg"]) from None


def pointer(loc: tuple[Any, ...], body: Any, kind: str = "") -> str:
    """The JSON Pointer of the value at fault. pydantic's `loc` also names union members and
    validators: follow it only as far as it walks into the body, then add the missing key."""
    parts: list[str] = []
    value = body
    for step in loc:
        if _holds(value, step):
            value = value[step]
        elif isinstance(value, dict) and isinstance(step, str) and kind == "missing":
            parts.append(step)
            break
        else:
            break
        parts.append(str(step))
    return "".join("/" + p[:64].replace("~", "~0").replace("/", "~1") for p in parts)


def field_of(pointer_text: str) -> str:
    """The top-level field a pointer names ('' for the body itself)."""
    return pointer_text.split("/")[1].replace("~1", "/").replace("~0", "~") if pointer_text \
        else ""


def _holds(value: Any, step: Any) -> bool:
    if isinstance(value, dict):
        return isinstance(step, str) and step in value
    return isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
