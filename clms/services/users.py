"""The users' use cases: adding, listing, disabling, resetting a password, logging in and
out, and knowing who holds a session. A session or API token is a random secret given
once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from clms.domain.access import (
    SESSION_LIFETIME,
    NotAuthenticated,
    User,
    check_area,
    check_password,
    check_username,
    locked_until,
)
from clms.domain.errors import InvalidInput, NotFound, one_of
from clms.domain.model import Role
from clms.domain.rules import CountryRules
from clms.ports import AccessEntry, Account, UnitOfWork
from clms.ports.passwords import PasswordHasher

if TYPE_CHECKING:
    from clms.services.commands import ReadAccessLog

WRONG = "wrong username or password, or the account is locked or disabled"
PEOPLE = [r.value for r in Role if r is not Role.SYSTEM and r is not Role.ANONYMOUS]
MODES = ("real", "simulation")


@dataclass(frozen=True)
class Session:
    token: str  # shown once: the only copy
    user: User
    kind: str
    expires_at: datetime


def add_user(
    user: User, password: str, now: datetime, uow: UnitOfWork, rules: CountryRules,
    passwords: PasswordHasher,
) -> User:  # fmt: skip
    username = check_username(user.username)
    role = Role(one_of(str(user.role), PEOPLE, "role"))
    check_password(password, username)
    one_of(user.language, ("kk", "ru", "en"), "language")
    with uow:
        offered = {p.code for p in uow.providers.all()}
        area = check_area(role, user.area.strip(), rules, offered)
        checked = replace(user, username=username, role=role, area=area)
        stored = uow.accounts.add(Account(checked, passwords.hash(password)), now)
        uow.commit()
        return stored


def get_user(username: str, uow: UnitOfWork) -> User:
    with uow:
        return uow.accounts.get(username).user


def list_users(uow: UnitOfWork) -> list[User]:
    with uow:
        return uow.accounts.all()


def disable_user(username: str, now: datetime, uow: UnitOfWork) -> User:
    """The user can no longer log in, and their sessions end now."""
    with uow:
        account = uow.accounts.get(username)
        disabled = replace(account.user, disabled_at=account.user.disabled_at or now)
        uow.accounts.save(replace(account, user=disabled))
        uow.accounts.revoke_sessions(_id(account), now)
        uow.commit()
        return disabled


def reset_password(
    username: str, password: str, now: datetime, uow: UnitOfWork, passwords: PasswordHasher
) -> User:
    """A new password, the lock lifted; every session of the old password ends."""
    check_password(password, username)
    with uow:
        account = uow.accounts.get(username)
        uow.accounts.save(Account(account.user, passwords.hash(password)))
        uow.accounts.revoke_sessions(_id(account), now)
        uow.commit()
        return account.user


def log_in(
    username: str, password: str, kind: str, now: datetime, uow: UnitOfWork,
    passwords: PasswordHasher,
) -> Session:  # fmt: skip
    """A new session for the right password; after repeated failures the account waits
    (clms.domain.access.LOCK_FOR) whatever the password."""
    one_of(kind, SESSION_LIFETIME, "kind")
    with uow:
        account = _account_or_none(username, uow)
        if account is None:
            passwords.verify(_decoy_hash(passwords), password)  # the same time taken
            raise NotAuthenticated(WRONG)
        if not _may_try(account, now) or not passwords.verify(account.password_hash, password):
            _count_failure(account, now, uow)
            raise NotAuthenticated(WRONG)
        return _open_session(account, kind, now, uow)


def session_user(token: str, now: datetime, uow: UnitOfWork) -> tuple[User, str]:
    """The user holding `token` and the session's kind; refused if it is not live."""
    with uow:
        found = uow.accounts.session_user(token_hash(token), now)
    if found is None:
        raise NotAuthenticated("not logged in, or the session has ended")
    return found


def log_out(token: str, now: datetime, uow: UnitOfWork) -> None:
    with uow:
        found = uow.accounts.session_user(token_hash(token), now)
        if found is not None and found[0].id is not None:
            uow.accounts.revoke_sessions(found[0].id, now, token_hash(token))
            uow.commit()


def set_mode(mode: str, uow: UnitOfWork) -> str:
    one_of(mode, MODES, "mode")
    with uow:
        uow.accounts.set_mode(mode)
        uow.commit()
    return mode


def mode(uow: UnitOfWork) -> str:
    with uow:
        return uow.accounts.mode()


def read_access_log(cmd: ReadAccessLog, uow: UnitOfWork) -> list[AccessEntry]:
    with uow:
        return uow.access_log.recent(cmd.limit, cmd.username)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _open_session(account: Account, kind: str, now: datetime, uow: UnitOfWork) -> Session:
    token = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME[kind]
    uow.accounts.save(Account(account.user, account.password_hash))  # failures forgiven
    uow.accounts.open_session(_id(account), token_hash(token), kind, now, expires)
    uow.commit()
    return Session(token, account.user, kind, expires)


def _may_try(account: Account, now: datetime) -> bool:
    waiting = account.locked_until is not None and now < account.locked_until
    return account.user.disabled_at is None and not waiting


def _count_failure(account: Account, now: datetime, uow: UnitOfWork) -> None:
    failures = account.failed_logins + 1
    lock = locked_until(failures, now) or account.locked_until
    uow.accounts.save(replace(account, failed_logins=failures, locked_until=lock))
    uow.commit()


def _account_or_none(username: str, uow: UnitOfWork) -> Account | None:
    try:
        return uow.accounts.get(username)
    except NotFound:
        return None


def _id(account: Account) -> int:
    if account.user.id is None:
        raise InvalidInput("the user is not stored", field="username")
    return account.user.id


_dummy: dict[int, str] = {}


def _decoy_hash(passwords: PasswordHasher) -> str:
    """A hash to verify against when the username is unknown, made once per hasher."""
    return _dummy.setdefault(id(passwords), passwords.hash(secrets.token_hex(16)))
