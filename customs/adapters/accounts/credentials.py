"""Passwords hashed with argon2id (argon2-cffi, RFC 9106 parameters) and time-based one-time
codes (pyotp, RFC 6238: 6 digits, 30-second steps, one step of clock drift either way)."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ISSUER = "customs console"
DRIFT_STEPS = (-1, 0, 1)


class Argon2Credentials:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()  # argon2id, 64 MiB, 3 passes

    def hash_password(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify_password(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return bool(self.hasher.check_needs_rehash(password_hash))

    def new_totp_secret(self) -> str:
        return pyotp.random_base32()

    def totp_uri(self, secret: str, account: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)

    def totp_step(self, secret: str, code: str, at: datetime) -> int | None:
        if not secret or not code.isdigit() or len(code) != 6:
            return None
        totp = pyotp.TOTP(secret)
        for drift in DRIFT_STEPS:
            moment = at + timedelta(seconds=drift * totp.interval)
            if hmac.compare_digest(totp.at(moment), code):
                return int(totp.timecode(moment))
        return None
