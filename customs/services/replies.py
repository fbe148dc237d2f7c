"""Use case: any POST run at most once per (tenant, Idempotency-Key), its reply kept and given
again for the same key and body (manifests keep theirs in their own transaction: intake).

The key is claimed in its own transaction before the request runs, so a second request with
the key while the first runs is told so (IDEMPOTENCY_KEY_IN_USE) instead of running twice.
Only a success (2xx) is kept: after a refusal or a failure the claim is released and the same
key may run again (a retry after a fix, or after a fault, is not answered with the error).
A claim whose process died is taken over after `abandoned_after`; replies expire after
`ttl` (CUSTOMS_IDEMPOTENCY_TTL_HOURS) and are purged by the worker (`purge_expired`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from customs.domain.errors import Conflict, IdempotencyConflict
from customs.services.ports import Clock, ConcurrentWrite, StoredResponse
from customs.services.unit_of_work import UnitOfWork

ABANDONED_AFTER = timedelta(minutes=5)  # longer than any request may run (proxy timeouts)
PURGE_BATCH = 5000


@dataclass(frozen=True, slots=True)
class Reply:
    """What a POST answered: status, JSON body and the headers worth repeating."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    reply: Reply
    replayed: bool


def run_once(tenant_id: int, key: str, fingerprint: str, action: Callable[[], Reply], *,
             uow_factory: Callable[[], UnitOfWork], clock: Clock, ttl: timedelta,
             abandoned_after: timedelta = ABANDONED_AFTER) -> Outcome:
    """`fingerprint`: a digest of the request (method, path, body); another request with the
    key is IDEMPOTENCY_KEY_REUSED."""
    now = clock.now()
    with uow_factory() as uow:
        stored = uow.idempotency.get(tenant_id, key, not_before=now - ttl)
    if stored is not None:
        replayed = _stored_reply(stored, fingerprint, now - abandoned_after)
        if replayed is not None:
            return Outcome(replayed, replayed=True)
    try:
        with uow_factory() as uow:
            uow.idempotency.claim(tenant_id, key, fingerprint, now, expired_before=now - ttl,
                                  abandoned_before=now - abandoned_after)
            uow.commit()
    except ConcurrentWrite:  # claimed by a request that started meanwhile
        raise _in_use() from None
    try:
        reply = action()
    except BaseException:
        _settle(uow_factory, tenant_id, key, None)
        raise
    _settle(uow_factory, tenant_id, key, reply if 200 <= reply.status < 300 else None)
    return Outcome(reply, replayed=False)


def _stored_reply(stored: StoredResponse, fingerprint: str, abandoned_before: Any,
                  ) -> Reply | None:
    """The reply to give again; None when the stored claim was abandoned (run again)."""
    if stored.request_sha256 != fingerprint:
        raise IdempotencyConflict("this Idempotency-Key was used with another request (method, "
                                  "path or body); use a new key")
    if stored.body is not None:
        return Reply(stored.status or 200, stored.body, dict(stored.headers or {}))
    if stored.created_at is not None and stored.created_at < abandoned_before:
        return None
    raise _in_use()


def _in_use() -> Conflict:
    return Conflict("IDEMPOTENCY_KEY_IN_USE", "a request with this Idempotency-Key is still "
                                              "running: retry in a moment for its reply")


def _settle(uow_factory: Callable[[], UnitOfWork], tenant_id: int, key: str,
            kept: Reply | None) -> None:
    with uow_factory() as uow:
        if kept is None:
            uow.idempotency.release(tenant_id, key)
        else:
            uow.idempotency.complete(tenant_id, key, kept.status, kept.body, kept.headers)
        uow.commit()


def purge_expired(*, uow_factory: Callable[[], UnitOfWork], clock: Clock, ttl: timedelta,
                  batch: int = PURGE_BATCH) -> int:
    """Delete the replies older than `ttl` (manifests' receipts too; the manifests stay), one
    transaction per batch; how many went."""
    before, total = clock.now() - ttl, 0
    while True:
        with uow_factory() as uow:
            gone = uow.idempotency.purge(before, batch)
            uow.commit()
        total += gone
        if gone < batch:
            return total
