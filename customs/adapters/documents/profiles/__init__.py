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
