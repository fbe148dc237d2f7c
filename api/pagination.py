"""One page format for every list: `{"items": [...], "next_cursor": str | null, "has_more":
bool}`, resumed with `?cursor=<next_cursor>&limit=N`.

Cursors are signed for the caller and the list (customs.domain.cursors): the payload inside
is each list's own resume point, read only once the signature holds, so a client can neither
forge nor alter one (400 INVALID_CURSOR). The feed's `next_cursor` is never null (poll it);
the other lists' is null on the last page.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from api.auth import principal
from customs.domain import cursors


def _key() -> bytes:
    return current_app.extensions["customs"].access.cursor_key()  # type: ignore[no-any-return]


def seal(kind: str, payload: str) -> str:
    """A cursor for list `kind` that resumes at `payload`, for the calling key only."""
    return cursors.seal(_key(), kind, principal().cursor_owner, payload)


def resume_point(kind: str) -> str | None:
    """The payload of the request's `cursor` (None without one, or an empty one: the first
    page); INVALID_CURSOR if it is not one this list gave this key."""
    cursor = request.args.get("cursor")
    if not cursor:
        return None
    return cursors.unseal(_key(), kind, principal().cursor_owner, cursor)


def page(kind: str, items: list[Any], resume_at: str | None, *, has_more: bool | None = None,
         **extra: Any) -> Response:
    """The page; `resume_at`: the payload of the next page's cursor (None: no next page)."""
    more = resume_at is not None if has_more is None else has_more
    return jsonify({**extra, "items": items,
                    "next_cursor": None if resume_at is None else seal(kind, resume_at),
                    "has_more": more})
