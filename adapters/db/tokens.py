"""The schools' one-click answer links on the database: the rows that make a signed token
single-use, and the attendance reports the answers become."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from clms.adapters.db.bulk import execute_many
from clms.adapters.db.tables import AnswerTokenRow, AttendanceReportRow
from clms.ports import AnswerToken

_NEW_TOKEN = insert(AnswerTokenRow.__table__)  # type: ignore[attr-defined]


class SqlAnswerTokens:
    def __init__(self, session: Session) -> None:
        self.session = session
        # Written together (one executemany) before they are read and before the commit:
        # the daily check adds thousands, one at a time, and each insert alone costs 4x.
        self._unwritten: list[dict[str, object]] = []

    def add(self, token: AnswerToken) -> None:
        self._unwritten.append(asdict(token))

    def flush(self) -> None:
        if self._unwritten:
            execute_many(self.session, _NEW_TOKEN, self._unwritten)
            self._unwritten = []

    def get(self, token_id: str) -> AnswerToken | None:
        self.flush()
        query = select(AnswerTokenRow).where(AnswerTokenRow.token_id == token_id)
        r = self.session.exec(query).first()
        if r is None:
            return None
        return AnswerToken(
            r.token_id, r.case_id, r.follow_up_id, r.provider_code, r.expires_at, r.used_at
        )

    def use(self, token_id: str, now: datetime) -> bool:
        """Marks the token used; False when it already was (a second click, a replay)."""
        self.flush()
        statement = (
            update(AnswerTokenRow)
            .where(col(AnswerTokenRow.token_id) == token_id, col(AnswerTokenRow.used_at).is_(None))
            .values(used_at=now)
        )
        return bool(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]

    def record_report(self, token: AnswerToken, answer: str, now: datetime) -> None:
        report = {
            "case_id": token.case_id,
            "follow_up_id": token.follow_up_id,
            "provider_code": token.provider_code,
            "answer": answer,
            "answered_at": now,
        }
        self.session.execute(insert(AttendanceReportRow).values(**report))
