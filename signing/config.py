"""Choosing the signer by configuration: callers never know which kind they hold."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signing.errors import KeyLoadError
from signing.keys import Signer, load_certificate, load_software_signer, secret_from


@dataclass(frozen=True)
class SignerConfig:
    kind: str = "software"  # "software" or "pkcs11"
    key: Path | None = None  # PEM or PKCS#12 (.p12/.pfx)
    certificate: Path | None = None  # PEM or DER; for PKCS#11 optional (else from the token)
    passphrase_env: str | None = None
    passphrase_file: Path | None = None
    pkcs11_module: Path | None = None
    pkcs11_token: str | None = None
    pkcs11_key_label: str | None = None
    pin_env: str | None = None
    pin_file: Path | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SignerConfig:
        """From a dict (settings, TOML, environment): unknown keys are an error."""
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - fields)
        if unknown:
            raise KeyLoadError(f"unknown signer settings {unknown}; known: {sorted(fields)}")
        paths = {"key", "certificate", "passphrase_file", "pkcs11_module", "pin_file"}
        arguments: dict[str, Any] = {k: Path(v) if k in paths and v is not None else v
                                     for k, v in values.items()}
        return cls(**arguments)


def load_signer(config: SignerConfig | Mapping[str, Any]) -> Signer:
    """The Signer that `config` describes: a software key or a PKCS#11 token (an HSM)."""
    if not isinstance(config, SignerConfig):
        config = SignerConfig.from_mapping(config)
    if config.kind == "software":
        if config.key is None:
            raise KeyLoadError("no signing key configured")
        passphrase = secret_from(config.passphrase_env, config.passphrase_file)
        return load_software_signer(config.key, config.certificate, passphrase)
    if config.kind == "pkcs11":
        from signing.pkcs11 import Pkcs11Signer

        if not (config.pkcs11_module and config.pkcs11_token and config.pkcs11_key_label):
            raise KeyLoadError("a PKCS#11 signer needs module, token label and key label")
        pin = secret_from(config.pin_env, config.pin_file)
        return Pkcs11Signer(config.pkcs11_module, config.pkcs11_token, config.pkcs11_key_label,
                            None if pin is None else pin.decode(),
                            load_certificate(config.certificate) if config.certificate else None)
    raise KeyLoadError(f"unknown signer kind {config.kind!r}: software or pkcs11")
