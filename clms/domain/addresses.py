"""The addresses reminders go to, checked before they are stored: a mistyped phone number
or e-mail address would otherwise mean a reminder that silently never arrives."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from functools import partial
from urllib.parse import urlsplit

from clms.domain.errors import InvalidInput, one_of

EXAMPLE_PHONE = "+77011234567"
# What people write between the digits of a phone number: "+7 (701) 123-45-67".
_PHONE_SEPARATORS = str.maketrans("", "", " -.()")
_INTERNATIONAL = re.compile(r"\+[0-9]{8,15}")  # E.164: the country code and at most 15 digits


def phone_number(text: str) -> str:
    """The number as stored, + and its digits; "" (no phone) stays ""."""
    compact = text.strip().translate(_PHONE_SEPARATORS)
    if not compact:
        return ""
    if not compact.startswith("+"):
        raise InvalidInput(
            f"phone {text!r}: use the international form, + and the country code, "
            f"e.g. {EXAMPLE_PHONE}",
            field="phone",
        )
    if not _INTERNATIONAL.fullmatch(compact):
        raise InvalidInput(
            f"phone {text!r}: + and 8 to 15 digits, e.g. {EXAMPLE_PHONE}", field="phone"
        )
    return compact


def email_address(text: str) -> str:
    """One @ between a local part and a domain with a dot, no spaces; "" (none) stays ""."""
    return _kept(text, _is_email, "email", "name@domain.tld, e.g. school3@edu.kz")


def webhook_url(text: str) -> str:
    """A school system's address: http:// or https:// and a host; "" (none) stays ""."""
    expected = "http:// or https:// and a host, e.g. https://school.example.kz/clms"
    return _kept(text, _is_web_address, "webhook_url", expected)


def _kept(text: str, well_formed: Callable[[str], bool], field: str, expected: str) -> str:
    """`text` without the spaces around it, if it is `well_formed`."""
    value = text.strip()
    if value and not well_formed(value):
        raise InvalidInput(f"{field} {text!r}: expected {expected}", field=field)
    return value


def _is_email(address: str) -> bool:
    local, _, domain = address.partition("@")
    labels = domain.split(".")  # "edu.kz": two labels, none empty
    return (
        address.count("@") == 1
        and bool(local)
        and len(labels) > 1
        and all(labels)
        and not _has_space(address)
    )


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not _has_space(url)


def _has_space(text: str) -> bool:
    return any(character.isspace() for character in text)


ADDRESS_CHECKS: dict[str, Callable[[str], str]] = {
    "phone": phone_number,
    "email": email_address,
    "webhook_url": webhook_url,
}
CONTACT_FIELDS = (*ADDRESS_CHECKS, "language")


def checked_contact(values: Mapping[str, str], languages: Collection[str]) -> dict[str, str]:
    """`values` (by field: phone, email, webhook_url, language) as they are stored; the first
    wrong one is refused, naming its field. `languages`: those with message templates."""
    language = partial(one_of, known=languages, field="language")
    checks: dict[str, Callable[[str], str]] = {**ADDRESS_CHECKS, "language": language}
    return {field: checks[field](value) for field, value in values.items()}
