"""Webhook signing secrets encrypted at rest (the SecretBox port).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under the keys of
CUSTOMS_SECRETS_KEY, a comma-separated list: new secrets are sealed with the FIRST key, a stored
one is opened with whichever key sealed it (MultiFernet), so a new key is put first, every
secret re-sealed (`customs webhooks reencrypt`), then the old key removed. A stored value is
`enc1:<Fernet token>`; a value without that prefix is a secret stored in plaintext before
encryption existed: it is still used, and re-sealed by `customs webhooks reencrypt` (run by
`customs db upgrade` too). Without any key nothing is sealed: registering or rotating a
webhook is refused (503 SECRETS_KEY_MISSING), never stored in plaintext.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from customs.domain.errors import SecretsUnavailable

PREFIX = "enc1:"
MISSING = ("CUSTOMS_SECRETS_KEY is not set: webhook secrets are encrypted at rest; generate a "
           "key with `customs webhooks generate-key` (docs/webhooks.md)")


def parse_keys(text: str | None) -> list[str]:
    """The keys of CUSTOMS_SECRETS_KEY, first the current one; a bad one is named by its
    position, never by its value (SECRETS_KEY_INVALID: the service does not start)."""
    keys = [part.strip() for part in (text or "").split(",") if part.strip()]
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise SecretsUnavailable(
                "SECRETS_KEY_INVALID", f"CUSTOMS_SECRETS_KEY: key {position} is not a Fernet "
                "key (32 url-safe base64 bytes; `customs webhooks generate-key`)") from None
    return keys


def is_plaintext(stored: str | None) -> bool:
    """A secret stored before encryption at rest (None: no secret)."""
    return stored is not None and not stored.startswith(PREFIX)


def generate_key() -> str:
    return Fernet.generate_key().decode()


class FernetSecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        self._current = Fernet(keys[0]) if keys else None
        self._all = MultiFernet([Fernet(k) for k in keys]) if keys else None

    @property
    def configured(self) -> bool:
        return self._current is not None

    def seal(self, secret: str) -> str:
        if self._current is None:
            raise SecretsUnavailable("SECRETS_KEY_MISSING", MISSING)
        return PREFIX + self._current.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # stored before encryption: re-sealed by `customs webhooks reencrypt`
        if self._all is None:
            raise SecretsUnavailable("SECRETS_KEY_MISSING", MISSING)
        try:
            return self._all.decrypt(stored[len(PREFIX):].encode()).decode()
        except InvalidToken:
            raise SecretsUnavailable(
                "SECRETS_KEY_UNKNOWN", "no key of CUSTOMS_SECRETS_KEY opens this webhook "
                "secret: keep the key it was sealed with in the list until "
                "`customs webhooks reencrypt` has run") from None

    def reseal(self, stored: str) -> str | None:
        """The value sealed with the current key, or None when it already is."""
        if self._current is None:
            raise SecretsUnavailable("SECRETS_KEY_MISSING", MISSING)
        if stored.startswith(PREFIX):
            try:
                self._current.decrypt(stored[len(PREFIX):].encode())
                return None
            except InvalidToken:
                pass
        return self.seal(self.open(stored))
