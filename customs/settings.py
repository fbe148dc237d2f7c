"""Settings from the environment (prefix CUSTOMS_); see docs/configuration.md."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from customs.domain.errors import SettingsInvalid

PREFIX = "CUSTOMS_"
# CUSTOMS_* variables read elsewhere than Settings (tests), so not reported as unknown.
OTHER_VARIABLES = frozenset({"CUSTOMS_TEST_DATABASE_URL", "CUSTOMS_TEST_POSTGRES_URL"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DATABASE_FORM = "sqlite:///PATH or postgresql+psycopg://USER[:PASSWORD]@HOST[:PORT]/DB"
RATE_LIMIT_FORM = ("limits separated by ';', each COUNT/second|minute|hour|day "
                   "(e.g. 20/second;600/minute), or empty for none")
STORAGE_FORM = "memory:// or redis://HOST:PORT/DB (rediss:// with TLS)"
HTTP_FORM = "an http:// or https:// URL with a host"
DEFAULT_RATE_LIMIT = "600/minute"
SECRETS = frozenset({"metrics_token", "secrets_key", "console_secret_key",
                     "cursor_key"})  # never echoed back


class Settings(BaseSettings):
    """Every CUSTOMS_* setting, checked when built: a value that cannot be used raises
    SettingsInvalid, one line per variable naming it and the form it accepts."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsInvalid([_describe(error) for error in exc.errors()]) from None

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
    log_level: str = Field(default="INFO", description="Python logging level: "
                                                       + ", ".join(LOG_LEVELS))
    log_format: Literal["text", "json"] = Field(
        default="text", description="text, or json (one JSON object per line)")

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
    submit_max_attempts: int = Field(
        default=60, ge=1, description="then TRANSMISSION_FAILED; with the defaults the "
                                      "retries span 25 to 50 hours (docs/authority.md)")
    submit_backoff_seconds: float = Field(default=5, gt=0, description="first retry delay cap")
    submit_backoff_max_seconds: float = Field(default=3600, gt=0, description="largest delay")
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
    secrets_key: str | None = Field(
        default=None, repr=False,
        description="Fernet keys, comma-separated, the current first, that encrypt webhook "
                    "secrets at rest; without one no webhook can be registered "
                    "(docs/webhooks.md)")
    webhook_retry_after_max_seconds: float = Field(
        default=3600, ge=0, description="a receiver's Retry-After delays its next attempt up "
                                        "to this many seconds")
    webhook_lease_seconds: float = Field(
        default=120, gt=0, description="a sender's hold on a delivery; a crashed sender's "
                                       "deliveries are taken over after it")

    # Manifests processed by the workers (docs/api.md, "Large manifests")
    async_manifest_bytes: int = Field(
        default=4 * 1024 * 1024, ge=0, description="a manifest body larger than this is "
        "answered at once (202, status processing) and processed by a worker; smaller ones "
        "get their receipt in the reply unless sent with Prefer: respond-async")
    manifest_job_lease_seconds: float = Field(
        default=60, gt=0, description="a worker's hold on a manifest it processes, renewed "
                                      "while it works; a crashed worker's manifest is taken "
                                      "over after it")
    manifest_job_max_attempts: int = Field(
        default=5, ge=1, description="claims of one manifest before it is failed (a manifest "
                                     "that kills its worker every time)")

    # Workers (docs/deployment.md, "Supervising workers")
    worker_backoff_seconds: float = Field(
        default=1, gt=0, description="first wait before a failed worker stage (database or "
                                     "network fault) runs again")
    worker_backoff_max_seconds: float = Field(default=60, gt=0,
                                              description="longest such wait")

    # API keys (docs/api.md, "Authentication")
    api_key_cache_seconds: float = Field(
        default=5, ge=0, le=300, description="a verified API key is trusted this long without "
                                             "reading it again; a key revoked by another "
                                             "process stops working within it (0: read always)")

    # Lists and POSTs (docs/api.md, "Pagination" and "Idempotency")
    cursor_key: str | None = Field(
        default=None, repr=False, min_length=32,
        description="secret that signs list cursors (at least 32 characters, the same for "
                    "every process); unset: one is generated once and kept in the database")
    idempotency_ttl_hours: float = Field(
        default=24, gt=0, le=24 * 30, description="a POST's stored reply is replayed for its "
                                                  "Idempotency-Key this long, then purged")

    # Per-key rate limits (docs/configuration.md)
    rate_limit: str = Field(
        default=DEFAULT_RATE_LIMIT, description="limits per API key, ';'-separated "
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
    # The Chinese GACC cross-border profile (issue 20; docs/cn-ceb.md)
    cn_profile: str = Field(default="generic", pattern="^(generic|cn-ceb)$",
                            description="profile for parcels destined for CN")
    cn_ceb_schemas: Path | None = Field(
        default=None, description="folder of the GACC CEB message definitions 2022-05 "
                                  "(official XSDs); required by the cn-ceb profile")
    cn_ceb_config: Path | None = Field(
        default=None, description="TOML file of the tenant's GACC registrations (platform, "
                                  "enterprise, agent, logistics, legal units); required by "
                                  "the cn-ceb profile")

    # The web console (docs/console.md)
    console_totp_required: bool = Field(
        default=False, description="officers and supervisors must sign in with a one-time "
                                   "code (customs user totp EMAIL enrols one)")
    console_idle_minutes: float = Field(
        default=30, gt=0, le=24 * 60, description="a console session ends after this long "
                                                  "without a request")
    console_session_hours: float = Field(
        default=12, gt=0, le=24 * 30, description="a console session ends this long after "
                                                  "sign-in, whatever happens")
    console_lockout_attempts: int = Field(
        default=5, ge=1, le=100, description="failed sign-ins in a row that lock an account")
    console_lockout_seconds: float = Field(
        default=30, gt=0, description="the first lock; doubled for each further failure, "
                                      "at most an hour")
    console_secure_cookies: bool | None = Field(
        default=None, description="mark console cookies Secure: true, false, or unset to "
                                  "follow the request (https, or X-Forwarded-Proto from a "
                                  "trusted proxy)")
    console_secret_key: str | None = Field(
        default=None, min_length=32, repr=False,
        description="signs the console's CSRF tokens; shared by every process behind one "
                    "address (unset: derived from CUSTOMS_SECRETS_KEY, else random per "
                    "process)")

    # Metrics (docs/configuration.md, "Metrics")
    metrics_token: str | None = Field(
        default=None, min_length=16, description="Bearer token /metrics requires (at least 16 "
                                                 "characters); unset: /metrics answers 404")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        # A pattern rather than SQLAlchemy's parser: commands that never open the database
        # (validate) do not load SQLAlchemy for it.
        if not re.fullmatch(r"sqlite(\+pysqlite)?://(/[^?#]*)?(\?\S*)?|postgresql\+psycopg://"
                            r"([^:@/?#\s]+(:[^@/?#\s]*)?@)?([^:/?#\s]*)(:\d{1,5})?(/[^/?#\s]*)?"
                            r"(\?\S*)?", value):
            raise ValueError(DATABASE_FORM)
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError("one of " + ", ".join(LOG_LEVELS))
        return value.upper()

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        if not value.strip() or value == DEFAULT_RATE_LIMIT:
            return value  # the default is known good: commands need not load `limits` for it
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(RATE_LIMIT_FORM) from None
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _rate_limit_storage(cls, value: str) -> str:
        if not re.fullmatch(r"memory://|(redis|rediss|redis\+unix)://\S+", value):
            raise ValueError(STORAGE_FORM)
        return value

    @field_validator("authority_url", "authority_poll_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (raises on a port that is not a number)
        except ValueError:
            raise ValueError(HTTP_FORM) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(HTTP_FORM)
        return value

    @model_validator(mode="after")
    def _webhook_lease_outlasts_a_send(self) -> Settings:
        """A delivery's lease is renewed just before its POST: the POST must end within it,
        or another worker could take the delivery over and send it again."""
        longest = self.webhook_connect_timeout_seconds + self.webhook_timeout_seconds
        if self.webhook_lease_seconds <= longest:
            raise ValueError(f"CUSTOMS_WEBHOOK_LEASE_SECONDS ({self.webhook_lease_seconds}) must "
                             f"exceed the connect + read timeouts ({longest})")
        return self


def _describe(error: Any) -> str:
    """One line for one refused value: the variable, the value (a URL without its password),
    and what is accepted."""
    field = str(error["loc"][0]) if error["loc"] else ""
    variable = PREFIX + field.upper() if field else "settings"
    value = error.get("input")
    shown = "" if field in SECRETS or not isinstance(value, str | int | float) else \
        f"={redact_url(str(value))!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if not field:
        return message
    if error["type"] == "value_error":
        return f"{variable}{shown}: expected {message}"
    form = Settings.model_fields[field].description if field in Settings.model_fields else None
    return f"{variable}{shown}: {message[:1].lower()}{message[1:]}" + (
        f" ({form})" if form else "")


def redact_url(url: str) -> str:
    """The URL with its password (if any) replaced by ***: what logs and commands show."""
    parts = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^/@:]*:)([^/@]*)(@.*)$", url)
    return f"{parts[1]}***{parts[3]}" if parts else url


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning line for each CUSTOMS_* variable that is no setting (a misspelling is
    otherwise silently ignored), with the closest setting's name when there is one."""
    environ = os.environ if environ is None else environ
    known = {PREFIX + name.upper() for name in Settings.model_fields} | OTHER_VARIABLES
    # The passphrase and PIN live in variables the operator names.
    known |= {environ.get(PREFIX + "SIGNING_PASSPHRASE_ENV", ""),
              environ.get(PREFIX + "PKCS11_PIN_ENV", "")}
    lines = []
    for name in sorted(n for n in environ if n.upper().startswith(PREFIX)):
        if name.upper() in known:
            continue
        close = difflib.get_close_matches(name.upper(), sorted(known), n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]}?" if close else " (docs/configuration.md)"
        lines.append(f"warning: {name} is not a customs setting, ignored{hint}")
    return lines
