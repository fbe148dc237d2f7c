"""Webhook secrets sealed at rest: the first key seals, any listed key opens, reseal moves a
secret to the first key; plaintext from before is read and resealed; no key, no sealing."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from customs.adapters.webhooks.secret_box import PREFIX, FernetSecretBox, is_plaintext, parse_keys
from customs.domain.errors import SecretsUnavailable

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SECRET = "whsec_" + "x" * 43


def test_sealed_with_the_first_key_and_never_in_clear() -> None:
    stored = FernetSecretBox([OLD]).seal(SECRET)
    assert stored.startswith(PREFIX) and SECRET not in stored and not is_plaintext(stored)
    assert len(stored) <= 400  # the column (migration 0009)
    assert FernetSecretBox([OLD]).open(stored) == SECRET


def test_rotation_new_key_first_reseal_then_drop_the_old() -> None:
    stored = FernetSecretBox([OLD]).seal(SECRET)
    both = FernetSecretBox([NEW, OLD])
    assert both.open(stored) == SECRET  # during the rotation either key opens
    resealed = both.reseal(stored)
    assert resealed is not None and both.reseal(resealed) is None  # already current
    assert FernetSecretBox([NEW]).open(resealed) == SECRET
    with pytest.raises(SecretsUnavailable) as gone:
        FernetSecretBox([NEW]).open(stored)  # the old key removed too early
    assert gone.value.code == "SECRETS_KEY_UNKNOWN"


def test_plaintext_from_before_is_read_and_resealed() -> None:
    box = FernetSecretBox([NEW])
    assert is_plaintext(SECRET) and not is_plaintext(None)
    assert box.open(SECRET) == SECRET
    resealed = box.reseal(SECRET)
    assert resealed is not None and box.open(resealed) == SECRET


def test_without_a_key_nothing_is_sealed_or_opened() -> None:
    box = FernetSecretBox([])
    for call in (lambda: box.seal(SECRET), lambda: box.open(PREFIX + "token"),
                 lambda: box.reseal(SECRET)):
        with pytest.raises(SecretsUnavailable) as missing:
            call()
        assert missing.value.code == "SECRETS_KEY_MISSING" and missing.value.status == 503


def test_keys_parsed_in_order_and_a_bad_one_named_by_position_only() -> None:
    assert parse_keys(f" {NEW} , {OLD} ,") == [NEW, OLD]
    assert parse_keys(None) == parse_keys("") == []
    with pytest.raises(SecretsUnavailable) as bad:
        parse_keys(f"{NEW},not-a-key-at-all")
    assert bad.value.code == "SECRETS_KEY_INVALID"
    assert "key 2" in bad.value.detail and "not-a-key" not in bad.value.detail
