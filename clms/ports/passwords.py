"""How passwords are kept: only as slow, salted hashes (the adapter is argon2)."""

from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """False for a wrong password or a malformed hash; never raises."""
