"""Members of the network and their tokens.

A token is ``secrets.token_urlsafe(32)``: 256 random bits, shown once, stored
only as its SHA-256. A slow password hash (bcrypt, argon2) exists to make
guessing a low-entropy password expensive; nobody can enumerate 2^256 tokens,
so one fast hash is enough and keeps each request's check cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from companion.errors import CompanionError

ROLES = ("member", "admin")


class HubError(CompanionError):
    """A hub operation was refused; the message (French) says why."""


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    role: str
    created_at: str
    revoked_at: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
