"""Validation without a database (`customs validate`): the manifest reader and the dated
destination rules, built from settings and nothing else, so the command loads no engine,
signer or web framework."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from customs.adapters.documents.json_manifest_reader import JsonManifestReader, JsonReaderLimits
from customs.adapters.documents.manifest_reader import ReaderLimits, XmlManifestReader
from customs.adapters.reference.files import load_destination_rules
from customs.domain.regimes import DestinationRules
from customs.services import intake
from customs.services.ports import Clock
from customs.settings import Settings


@dataclass(frozen=True)
class OfflineValidator:
    reader: XmlManifestReader
    rules: DestinationRules
    clock: Clock | None = None  # None: the system's
    json_reader: JsonManifestReader | None = None

    def validate(self, document: bytes, progress: Callable[[int], None] | None = None,
                 *, json: bool = False) -> Any:
        """Schema and rules of every parcel: (header, outcomes); raises ManifestRefused for
        the whole. `progress` is told how many parcels were checked, after each one."""
        now = self.clock.now() if self.clock is not None else datetime.now(UTC)
        reader = self.json_reader if json and self.json_reader is not None else self.reader
        return intake.check_offline(document, reader=reader, rules=self.rules,
                                    today=now.date(), progress=progress)


def offline_validator(settings: Settings) -> OfflineValidator:
    return OfflineValidator(
        XmlManifestReader(limits=ReaderLimits(max_parcels=settings.max_parcels)),
        load_destination_rules(settings.destination_rules),
        json_reader=JsonManifestReader(JsonReaderLimits(max_parcels=settings.max_parcels)))
