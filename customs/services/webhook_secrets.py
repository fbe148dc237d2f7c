"""Use case: re-seal every stored webhook secret with the current key (after a key rotation,
and for secrets stored in plaintext before encryption at rest existed).

Each webhook is replaced by compare-and-set (a rotation meanwhile wins; the next run seals
it), one transaction per page, so it can run while the service works.
"""

from __future__ import annotations

from dataclasses import dataclass

from customs.services.unit_of_work import UnitOfWork
from customs.services.webhook_ports import SecretBox, StoredSecrets

PAGE = 200


@dataclass
class ResealReport:
    checked: int = 0
    resealed: int = 0
    changed_meanwhile: int = 0


def reseal_all(*, uow: UnitOfWork, box: SecretBox, page: int = PAGE) -> ResealReport:
    report = ResealReport()
    after = ""
    while True:
        with uow:
            rows = uow.webhooks.stored_secrets(after, page)
            for row in rows:
                _reseal(row, uow=uow, box=box, report=report)
            uow.commit()
        report.checked += len(rows)
        if len(rows) < page:
            return report
        after = rows[-1].webhook_id


def _reseal(row: StoredSecrets, *, uow: UnitOfWork, box: SecretBox,
            report: ResealReport) -> None:
    secret = box.reseal(row.secret)
    previous = None if row.previous_secret is None else box.reseal(row.previous_secret)
    if secret is None and previous is None:
        return
    new = StoredSecrets(row.webhook_id, secret or row.secret, previous or row.previous_secret)
    if uow.webhooks.replace_secrets(row, new):
        report.resealed += 1
    else:
        report.changed_meanwhile += 1
