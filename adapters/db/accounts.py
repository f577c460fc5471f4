"""The users, their sessions, the installation's mode and the access log on the database."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from clms.adapters.db.tables import AccessLogRow, SessionRow, SettingRow, UserRow
from clms.domain.access import User
from clms.domain.errors import Conflict, NotFound
from clms.domain.model import Role
from clms.ports import AccessEntry, Account


class SqlAccounts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, account: Account, now: datetime) -> User:
        row = UserRow(**_user_columns(account), created_at=now)
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError:
            raise Conflict(
                f"the username {account.user.username!r} is taken", field="username"
            ) from None
        return _user(row)

    def get(self, username: str) -> Account:
        row = self.session.exec(select(UserRow).where(UserRow.username == username)).first()
        if row is None:
            raise NotFound(f"no user {username!r}", field="username")
        return Account(_user(row), row.password_hash, row.failed_logins, row.locked_until)

    def all(self) -> list[User]:
        return [_user(r) for r in self.session.exec(select(UserRow).order_by(UserRow.username))]

    def save(self, account: Account) -> None:
        statement = (
            update(UserRow)
            .where(col(UserRow.username) == account.user.username)
            .values(**_user_columns(account))
        )
        self.session.execute(statement)

    def open_session(
        self, user_id: int, token_hash: str, kind: str, now: datetime, expires_at: datetime
    ) -> None:
        values = {"token_hash": token_hash, "user_id": user_id, "kind": kind,
                  "created_at": now, "expires_at": expires_at}  # fmt: skip
        self.session.execute(insert(SessionRow).values(**values))

    def session_user(self, token_hash: str, now: datetime) -> tuple[User, str] | None:
        query = (
            select(UserRow, SessionRow.kind)
            .join(SessionRow, col(SessionRow.user_id) == col(UserRow.id))
            .where(
                SessionRow.token_hash == token_hash,
                col(SessionRow.revoked_at).is_(None),
                col(SessionRow.expires_at) > now,
                col(UserRow.disabled_at).is_(None),
            )
        )
        found = self.session.exec(query).first()
        return (_user(found[0]), found[1]) if found else None

    def revoke_sessions(self, user_id: int, now: datetime, token_hash: str | None = None) -> None:
        statement = update(SessionRow).where(
            col(SessionRow.user_id) == user_id, col(SessionRow.revoked_at).is_(None)
        )
        if token_hash is not None:
            statement = statement.where(col(SessionRow.token_hash) == token_hash)
        self.session.execute(statement.values(revoked_at=now))

    def mode(self) -> str:
        row = self.session.get(SettingRow, "mode")
        return row.value if row else "real"

    def set_mode(self, mode: str) -> None:
        self.session.merge(SettingRow(key="mode", value=mode))


class SqlAccessLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: AccessEntry) -> None:
        self.session.execute(insert(AccessLogRow).values(**asdict(entry)))

    def recent(self, limit: int, username: str | None = None) -> list[AccessEntry]:
        query = select(AccessLogRow).order_by(col(AccessLogRow.id).desc()).limit(limit)
        if username is not None:
            query = query.where(AccessLogRow.username == username)
        return [
            AccessEntry(r.at, r.username, r.role, r.action, r.case_number, r.allowed, r.reason)
            for r in self.session.exec(query)
        ]


def _user_columns(account: Account) -> dict[str, Any]:
    u = account.user
    return {"username": u.username, "password_hash": account.password_hash, "role": str(u.role),
            "area": u.area, "language": u.language, "failed_logins": account.failed_logins,
            "locked_until": account.locked_until, "disabled_at": u.disabled_at}  # fmt: skip


def _user(row: UserRow) -> User:
    return User(row.username, Role(row.role), row.area, row.language, row.id, row.disabled_at)
