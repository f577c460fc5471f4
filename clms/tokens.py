"""The signed token in a school's one-click answer link.

The token carries its id and expiry, signed with HMAC-SHA256 under the server's secret:
a forged or altered token fails the signature, an old one fails the expiry. Single use is
enforced by the database (the token's row is marked used in the answer's transaction).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from clms.domain.errors import Refused


class InvalidToken(Refused):
    """A link that was forged, altered or points at nothing."""


class ExpiredToken(InvalidToken):
    """A genuine link past its expiry."""


class UsedToken(InvalidToken):
    """A genuine link whose answer is already recorded."""


def new_token_id() -> str:
    return secrets.token_urlsafe(16)


def sign(token_id: str, expires_at: datetime, secret: bytes) -> str:
    claim = f"{token_id}.{int(expires_at.timestamp())}".encode()
    return _b64(claim) + "." + _b64(_mac(claim, secret))


def verify(token: str, secret: bytes, now: datetime) -> str:
    """The token id, or InvalidToken (ExpiredToken) saying why not."""
    token_id, expires_at = signed_claim(token, secret)
    if now >= expires_at:
        raise ExpiredToken("this link has expired")
    return token_id


def signed_claim(token: str, secret: bytes) -> tuple[str, datetime]:
    """The token id and expiry of a genuine token, whether or not it has expired (a school
    opening an old link is still answered in its language); InvalidToken if forged."""
    claim_text, _, mac_text = token.partition(".")
    try:
        claim, mac = _unb64(claim_text), _unb64(mac_text)
    except ValueError:
        raise InvalidToken("this link is not valid") from None
    if not hmac.compare_digest(mac, _mac(claim, secret)):
        raise InvalidToken("this link is not valid")
    # Signed, so made here; still read defensively: a claim this code cannot read (another
    # version's, or signed with a leaked secret) is an invalid link, not a server error.
    try:
        token_id, _, expires = claim.decode().rpartition(".")
        return token_id, datetime.fromtimestamp(int(expires), UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidToken("this link is not valid") from None


def _mac(claim: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, claim, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Strict: any character outside the alphabet, or a non-canonical last character,
    makes the link invalid, so that no altered link ever works."""
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (ValueError, TypeError) as error:
        raise ValueError("not base64") from error
    if _b64(data) != text:
        raise ValueError("not canonical base64")
    return data
