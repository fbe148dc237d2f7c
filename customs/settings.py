"""Settings from the environment (prefix CUSTOMS_); see docs/configuration.md."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTOMS_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///customs.db",
        description="SQLAlchemy URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
    )
    max_manifest_bytes: int = Field(
        default=100 * 1024 * 1024, gt=0, description="Largest manifest body accepted (bytes)")
    max_parcels: int = Field(default=50_000, gt=0, le=50_000,
                             description="Most parcels in one manifest")
    page_size_max: int = Field(default=500, gt=0, description="Largest page a list returns")
    destination_rules: Path | None = Field(
        default=None, description="TOML file of dated destination rules (default: bundled)")
    log_level: str = Field(default="INFO", description="Python logging level")
