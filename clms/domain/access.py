"""Who may do what, and on which children: the users of the system, their scope, and the
rules of a password. Pure: the door (clms.services.access) asks these questions with what
it read of a case; the web and the CLI only say who is asking.

Deny by default: a role reaches a child's record only through the scope named here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from clms.domain.errors import ClmsError, InvalidInput
from clms.domain.model import Actor, Role
from clms.domain.rules import CountryRules

MIN_PASSWORD_LENGTH = 12
# Failed logins in a row before an account waits, and how long it waits.
LOCK_AFTER_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
SESSION_LIFETIME = {"page": timedelta(hours=8), "api": timedelta(days=30)}


class Forbidden(ClmsError):
    """The user may not do this, or not on this child: it is logged, and nothing is
    written. The message never names a child."""


class NotAuthenticated(ClmsError):
    """No session, an expired or revoked one, a wrong password or a locked account: the
    same words for each, so that a guess learns nothing."""


@dataclass(frozen=True)
class User:
    """A person who logs in. `area` is what their role is scoped to: a district for a
    monitor or a social worker, a region for a supervisor or a coordinator, a provider's
    code for a provider, nothing for an administrator."""

    username: str
    role: Role
    area: str = ""
    language: str = "ru"
    id: int | None = None
    disabled_at: datetime | None = None

    @property
    def actor(self) -> Actor:
        """How the history records this user's changes."""
        return Actor(self.username, self.role)


# The system itself (the flows, the schedule, `clms check`): not a person, never logged in.
SYSTEM = User("system", Role.SYSTEM)


class Scope(StrEnum):
    """How far a permission reaches."""

    ANY = "any"  # no child's record is involved (the directory, the users)
    CASE = "case"  # one case: in the user's district, region or referrals
    LIST = "list"  # a list of cases: narrowed to the user's district or region
    OWN = "own"  # what the user submitted themselves


@dataclass(frozen=True)
class CaseScope:
    """Where a case is, as far as access is concerned."""

    district: str
    region: str
    providers: frozenset[str] = frozenset()  # the providers with a referral of it


def reaches(user: User, case: CaseScope) -> bool:
    """Whether `user`'s scope takes in the case."""
    if user.role in (Role.MONITOR, Role.SOCIAL_WORKER):
        return case.district == user.area
    if user.role is Role.SUPERVISOR:
        return case.region == user.area
    if user.role is Role.PROVIDER:
        return user.area in case.providers
    return user.role is Role.SYSTEM


def list_area(user: User) -> tuple[str | None, str | None]:
    """The (district, region) a list of cases is narrowed to for `user`."""
    if user.role is Role.SOCIAL_WORKER:
        return user.area, None
    if user.role is Role.SUPERVISOR:
        return None, user.area
    return None, None


def check_area(role: Role, area: str, rules: CountryRules, providers: set[str]) -> str:
    """The `area` a user of `role` must have, checked against the country and the
    directory; returns it."""
    if role in (Role.MONITOR, Role.SOCIAL_WORKER):
        return rules.district(area).code
    if role in (Role.SUPERVISOR, Role.COORDINATOR):
        regions = sorted({d.region for d in rules.districts.values()})
        if area not in regions:
            known = ", ".join(regions)
            raise InvalidInput(f"unknown region {area!r}; known: {known}", field="area")
        return area
    if role is Role.PROVIDER:
        if area not in providers:
            raise InvalidInput(f"unknown provider {area!r} for a provider's user", field="area")
        return area
    if area:
        raise InvalidInput(f"an {role} has no area; got {area!r}", field="area")
    return ""


def check_password(password: str, username: str) -> None:
    """A password long enough to resist guessing, and not the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if username.casefold() in password.casefold():
        raise InvalidInput("a password must not contain the username", field="password")


def check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or not all(ch.isalnum() or ch in "._-@" for ch in name):
        raise InvalidInput("a username is 1 to 64 letters, digits and . _ - @", field="username")
    return name


def locked_until(failures: int, now: datetime) -> datetime | None:
    """When an account that has now failed `failures` times in a row may try again."""
    return now + LOCK_FOR if failures >= LOCK_AFTER_FAILURES else None
