"""Settings from the environment (prefix CUSTOMS_); see docs/configuration.md."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
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
    body_read_seconds: float = Field(
        default=30, gt=0, le=600, description="a request body not received within this is "
                                              "refused (408); a buffering proxy goes in front")
    destination_rules: Path | None = Field(
        default=None, description="TOML file of dated destination rules (default: bundled)")
    log_level: str = Field(default="INFO", description="Python logging level")

    # Declarations and their signatures (docs/configuration.md, "Signing")
    signer: str = Field(default="software", pattern="^(software|pkcs11)$",
                        description="software (PEM/PKCS#12 file) or pkcs11 (HSM token)")
    signing_key: Path | None = Field(default=None, description="PEM or PKCS#12 private key")
    signing_cert: Path | None = Field(default=None, description="PEM certificate of the key")
    signing_passphrase_env: str | None = Field(
        default=None, description="name of the variable holding the key's passphrase")
    signing_passphrase_file: Path | None = Field(default=None,
                                                 description="file holding the passphrase")
    signing_previous_certs: str = Field(
        default="", description="comma-separated certificates of earlier keys (rotation)")
    pkcs11_module: Path | None = Field(default=None, description="PKCS#11 module (.so)")
    pkcs11_token: str | None = Field(default=None, description="token label")
    pkcs11_key_label: str | None = Field(default=None, description="private key label")
    pkcs11_pin_env: str | None = Field(default=None, description="variable holding the PIN")
    pkcs11_pin_file: Path | None = Field(default=None, description="file holding the PIN")
    declare_inline: bool = Field(
        default=True, description="declare accepted parcels during intake")
    declare_inline_max: int = Field(
        default=10_000, ge=0, description="parcels of one manifest declared and stored with "
        "it, in its transaction; the rest are declared right after, 500 at a time")
    declarant: str = Field(default="customs", description="declarant name in declarations")
    batch_size: int = Field(default=500, gt=0, le=500, description="parcels per batch, at most")
    batch_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0,
                                 description="declaration bytes per batch, at most")
    batch_max_age_seconds: float = Field(
        default=60, ge=0, description="seal a smaller batch once its oldest parcel waited this")
    authority_url: str | None = Field(
        default=None, description="HTTP(S) URL the batches are POSTed to")
    authority_dir: Path | None = Field(
        default=None, description="or: a folder the authority collects batch files from")
    authority_timeout_seconds: float = Field(default=30, gt=0)
    authority_client_cert: Path | None = Field(default=None, description="TLS client cert")
    authority_client_key: Path | None = Field(default=None, description="its key")
    submit_max_attempts: int = Field(default=8, ge=1, description="then TRANSMISSION_FAILED")
    submit_backoff_seconds: float = Field(default=5, gt=0, description="first retry delay cap")
    submit_backoff_max_seconds: float = Field(default=1800, gt=0)
    submit_lease_seconds: float = Field(
        default=120, gt=0, description="a sender's hold on a batch; a crashed sender's batch "
                                       "is taken over after it")
    authority_poll_url: str | None = Field(
        default=None, description="decision feed to poll (GET ?after=N) when it does not push")
    authority_cert: Path | None = Field(
        default=None, description="the authority's certificate, pinned to verify its messages")
    feed_cursor_max_age_days: int = Field(
        default=30, gt=0, description="a feed cursor older than this is refused (410)")
    sender_id: str = Field(default="customs", pattern=r"^[A-Za-z0-9._:\-]{1,64}$",
                           description="our sender id in batch envelopes")

    # Webhooks (docs/webhooks.md)
    webhook_allow_private_urls: bool = Field(
        default=False, description="let webhooks target private, loopback and link-local "
                                   "addresses (tests, demos); never in production")
    webhook_connect_timeout_seconds: float = Field(default=5, gt=0, le=60)
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=60,
                                           description="read timeout of a webhook POST")
    webhook_retry_base_seconds: float = Field(default=10, gt=0,
                                              description="first retry delay cap")
    webhook_retry_max_seconds: float = Field(default=3600, gt=0,
                                             description="largest retry delay cap")
    webhook_retry_hours: float = Field(
        default=24, gt=0, description="retried for this long after the first attempt, then "
                                      "failed (kept for replay)")
    webhook_lease_seconds: float = Field(
        default=120, gt=0, description="a sender's hold on a delivery; a crashed sender's "
                                       "deliveries are taken over after it")

    # API keys (docs/api.md, "Authentication")
    api_key_cache_seconds: float = Field(
        default=5, ge=0, le=300, description="a verified API key is trusted this long without "
                                             "reading it again; a key revoked by another "
                                             "process stops working within it (0: read always)")

    # Per-key rate limits (docs/configuration.md)
    rate_limit: str = Field(
        default="600/minute", description="limits per API key, ';'-separated "
                                          "(e.g. 20/second;600/minute)")
    rate_limit_storage: str = Field(
        default="memory://", description="memory:// (one process) or redis://host:6379/0 "
                                         "(shared by every process)")
    # Duty estimates and the Russian FTS express profile (issue 7; docs/duty.md,
    # docs/ru-fts-express.md)
    duty_rules: Path | None = Field(
        default=None, description="TOML file of dated duty rules (default: bundled)")
    rate_max_age_days: int = Field(
        default=7, ge=0, le=366, description="oldest exchange rate (days before the parcel's "
                                             "day) an estimate may use")
    ru_profile: str = Field(default="generic", pattern="^(generic|ru-fts-express)$",
                            description="profile for parcels destined for RU")
    ru_fts_album: Path | None = Field(
        default=None, description="folder of the FTS format album 5.23.0 (official XSDs); "
                                  "required by the ru-fts-express profile")
    ru_fts_sender: str = Field(default="CUSTOMS-BROKER", pattern=r"^[A-Za-z0-9._\-]{1,36}$",
                               description="our participant id in FTS envelopes")
    ru_fts_broker_name: str = Field(default="customs", min_length=1, max_length=150,
                                    description="BrokerName in registries")

    @model_validator(mode="after")
    def _webhook_lease_outlasts_a_send(self) -> Settings:
        """A delivery's lease is renewed just before its POST: the POST must end within it,
        or another worker could take the delivery over and send it again."""
        longest = self.webhook_connect_timeout_seconds + self.webhook_timeout_seconds
        if self.webhook_lease_seconds <= longest:
            raise ValueError(f"CUSTOMS_WEBHOOK_LEASE_SECONDS ({self.webhook_lease_seconds}) must "
                             f"exceed the connect + read timeouts ({longest})")
        return self
