"""Password hashes for the staff helper: encode, parse and verify, with the standard library only.

Two encodings are accepted (the first is what scripts/staff_password.py prints by default):

    pbkdf2_sha256$<iterations>$<salt>$<base64 hash>           (Django's format, hashlib.pbkdf2_hmac)
    scrypt$<n>$<r>$<p>$<base64 salt>$<base64 hash>             (hashlib.scrypt)

Verification derives the key again and compares with hmac.compare_digest (constant time).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

PBKDF2_ITERATIONS = 600_000  # OWASP 2023 recommendation for PBKDF2-HMAC-SHA256
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCHEMES = ("pbkdf2_sha256", "scrypt")


class BadHash(ValueError):
    """The configured string is not a hash this module understands."""


@dataclass(frozen=True)
class PasswordHash:
    scheme: str
    params: tuple
    salt: bytes
    digest: bytes

    def verify(self, password: str) -> bool:
        candidate = _derive(self.scheme, self.params, password.encode("utf-8"), self.salt, len(self.digest))
        return hmac.compare_digest(candidate, self.digest)


def _derive(scheme: str, params: tuple, password: bytes, salt: bytes, length: int) -> bytes:
    if scheme == "pbkdf2_sha256":
        return hashlib.pbkdf2_hmac("sha256", password, salt, params[0], dklen=length)
    n, r, p = params
    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * 1024 * 1024)


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as e:
        raise BadHash(f"{what} is not valid base64") from e


def parse(encoded: str) -> PasswordHash:
    """Parse an encoded hash; raises BadHash with a message that says what is wrong (never the hash)."""
    encoded = (encoded or "").strip()
    parts = encoded.split("$")
    scheme = parts[0]
    try:
        if scheme == "pbkdf2_sha256":
            if len(parts) != 4:
                raise BadHash("expected pbkdf2_sha256$<iterations>$<salt>$<hash>")
            iterations = int(parts[1])
            if iterations < 1:
                raise BadHash("iterations must be positive")
            digest = _b64decode(parts[3], "the hash")
            salt = parts[2].encode("utf-8")
            params = (iterations,)
        elif scheme == "scrypt":
            if len(parts) != 6:
                raise BadHash("expected scrypt$<n>$<r>$<p>$<salt>$<hash>")
            params = (int(parts[1]), int(parts[2]), int(parts[3]))
            if params[0] < 2 or params[0] & (params[0] - 1) or params[1] < 1 or params[2] < 1:
                raise BadHash("scrypt n must be a power of two > 1, r and p positive")
            salt = _b64decode(parts[4], "the salt")
            digest = _b64decode(parts[5], "the hash")
        else:
            raise BadHash(f"unknown scheme {scheme[:20]!r}; expected one of {', '.join(SCHEMES)}")
    except ValueError as e:
        if isinstance(e, BadHash):
            raise
        raise BadHash("a number in the hash is not an integer") from e
    if len(digest) < 16 or not salt:
        raise BadHash("the hash or salt is too short")
    return PasswordHash(scheme, params, salt, digest)


def make_hash(password: str, scheme: str = "pbkdf2_sha256", iterations: int = PBKDF2_ITERATIONS) -> str:
    """Encode a new hash with a random salt."""
    if not password:
        raise ValueError("empty password")
    if scheme == "pbkdf2_sha256":
        salt = secrets.token_urlsafe(16)  # URL-safe text: never contains '$'
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("utf-8"), iterations, dklen=32)
        return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"
    if scheme == "scrypt":
        salt = secrets.token_bytes(16)
        digest = _derive("scrypt", (SCRYPT_N, SCRYPT_R, SCRYPT_P), password.encode("utf-8"), salt, 32)
        return (
            f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$"
            f"{base64.b64encode(salt).decode('ascii')}${base64.b64encode(digest).decode('ascii')}"
        )
    raise ValueError(f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
