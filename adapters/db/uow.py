"""The unit of work: one session, one transaction; leaving without commit rolls back."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from clms.adapters.db.accounts import SqlAccessLog, SqlAccounts
from clms.adapters.db.cases import SqlCaseRepository
from clms.adapters.db.check import SqlCheckQueries
from clms.adapters.db.directory import SqlProviderRepository, SqlStaff
from clms.adapters.db.outbox import SqlOutbox
from clms.adapters.db.tokens import SqlAnswerTokens
from clms.domain.rules import CountryRules


class SqlUnitOfWork:
    session: Session
    cases: SqlCaseRepository
    providers: SqlProviderRepository
    check: SqlCheckQueries
    outbox: SqlOutbox
    staff: SqlStaff
    tokens: SqlAnswerTokens
    accounts: SqlAccounts
    access_log: SqlAccessLog

    def __init__(self, engine: Engine, rules: CountryRules) -> None:
        self.engine = engine
        self.rules = rules

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        self.cases = SqlCaseRepository(self.session, self.rules)
        self.providers = SqlProviderRepository(self.session)
        self.check = SqlCheckQueries(self.session, self.rules.check)
        self.outbox = SqlOutbox(self.session)
        self.staff = SqlStaff(self.session)
        self.tokens = SqlAnswerTokens(self.session)
        self.accounts = SqlAccounts(self.session)
        self.access_log = SqlAccessLog(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.session.close()

    def commit(self) -> None:
        self.tokens.flush()
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
