"""Profiles: how parcels are declared to an authority, chosen by destination and settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from customs.settings import Settings


class ProfileBuilder:
    """The BatchBuilder port choosing the builder of the batch's profile."""

    def __init__(self, default: Any, by_profile: dict[str, Any]) -> None:
        self.default, self.by_profile = default, by_profile

    def build(self, message_id: str, office: str, profile: str, at: datetime,
              declarations: list[bytes]) -> Any:
        builder = self.by_profile.get(profile, self.default)
        return builder.build(message_id, office, profile, at, declarations)

    def capacity_for(self, profile: str) -> int | None:
        """How many declarations one message of `profile` holds at most (None: no own limit)."""
        return getattr(self.by_profile.get(profile, self.default), "capacity", None)


def load_album(settings: Settings) -> Any:
    """The FTS album when the ru-fts-express profile is chosen; it refuses to start without."""
    if settings.ru_profile != "ru-fts-express":
        return None
    from customs.domain.errors import ConfigurationError
    from schemas.ru_fts import Album, AlbumError

    if settings.ru_fts_album is None:
        raise ConfigurationError(
            "the ru-fts-express profile needs CUSTOMS_RU_FTS_ALBUM: the folder of the FTS "
            "format album 5.23.0 (official XSDs, e.g. ../shared/schemas/ru-fts-5.23.0-express)")
    try:
        return Album.load(settings.ru_fts_album)
    except AlbumError as exc:
        raise ConfigurationError(str(exc)) from None


def load_ceb(settings: Settings) -> Any:
    """(schemas, tenant configuration) when the cn-ceb profile is chosen; it refuses to start
    without either."""
    if settings.cn_profile != "cn-ceb":
        return None
    from customs.adapters.documents.profiles.cn_ceb_config import ConfigError, load_config
    from customs.domain.errors import ConfigurationError
    from schemas.cn_ceb import CebSchemaError, CebSchemas

    if settings.cn_ceb_schemas is None or settings.cn_ceb_config is None:
        raise ConfigurationError(
            "the cn-ceb profile needs CUSTOMS_CN_CEB_SCHEMAS (the folder of the GACC CEB "
            "message definitions 2022-05, e.g. ../shared/schemas/cn-gacc-ceb-2022-05) and "
            "CUSTOMS_CN_CEB_CONFIG (the tenant's registrations, e.g. "
            "examples/cn-ceb-tenant.toml)")
    try:
        return CebSchemas.load(settings.cn_ceb_schemas), load_config(settings.cn_ceb_config)
    except (CebSchemaError, ConfigError) as exc:
        raise ConfigurationError(f"cn-ceb: {exc}") from None
