"""The case repository: stores the case aggregate with optimistic locking, writing only
what changed, and finds cases by number, submission and child."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from clms.adapters.db.case_lists import case_summaries
from clms.adapters.db.case_mapping import (
    CaseParts,
    case_columns,
    case_from_row,
    follow_up_columns,
    follow_up_from_row,
    history_columns,
    history_entry_from_row,
    identification_columns,
    identification_from_row,
    referral_columns,
    referral_from_row,
)
from clms.adapters.db.tables import (
    CaseRow,
    FollowUpRow,
    HistoryRow,
    IdentificationRow,
    ReferralRow,
)
from clms.domain.errors import Conflict, DuplicateSubmission, NotFound
from clms.domain.model import Case
from clms.domain.rules import CountryRules
from clms.ports import CaseIndex, CaseQuery, CaseSummary, ChildKey
from clms.states import case as case_states


class SqlCaseRepository:
    def __init__(self, session: Session, rules: CountryRules) -> None:
        self.session = session
        self.rules = rules
        self._stored_seq: dict[int, int] = {}
        # The referral and follow-up rows as read or last written: a save writes only
        # the rows that changed (a transition touches one or two of them).
        self._stored_rows: dict[tuple[str, int], dict[str, Any]] = {}

    def add(self, case: Case, index: CaseIndex) -> None:
        row = CaseRow(number=f"pending-{id(case)}", version=0, **self._columns(case, index))
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        row.number = case.number = f"{case.country.upper()}-{row.id:06d}"
        case.id, self._stored_seq[row.id] = row.id, 0
        self._save_parts(case)

    def get(self, number: str) -> Case:
        row = self.session.exec(select(CaseRow).where(CaseRow.number == number)).first()
        if row is None:
            raise NotFound(f"no case {number!r}", field="case")
        case = case_from_row(row, _load_parts(self.session, row.id or 0))
        self._stored_seq[row.id or 0] = case.history[-1].seq if case.history else 0
        self._remember_parts(case)
        return case

    def save(self, case: Case, index: CaseIndex) -> None:
        stored = update(CaseRow).where(
            col(CaseRow.id) == case.id, col(CaseRow.version) == case.version
        )
        values = {**self._columns(case, index), "version": case.version + 1}
        if self.session.execute(stored.values(**values)).rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                f"case {case.number} was changed by somebody else since it was read; "
                "reload and try again"
            )
        case.version += 1
        self._save_parts(case)

    def number_of(self, case_id: int) -> str:
        number = self.session.exec(select(CaseRow.number).where(CaseRow.id == case_id)).first()
        if number is None:
            raise NotFound(f"no case with id {case_id}", field="case")
        return number

    def case_for_submission(self, submission_id: str) -> str | None:
        query = (
            select(CaseRow.number)
            .join(IdentificationRow, col(IdentificationRow.case_id) == col(CaseRow.id))
            .where(IdentificationRow.submission_id == submission_id)
        )
        return self.session.exec(query).first()

    def open_case_of(self, child: ChildKey) -> Case | None:
        query = select(CaseRow).where(
            CaseRow.country == self.rules.code,
            CaseRow.district == child.district,
            CaseRow.birth_date == child.birth_date,
            CaseRow.first_key == child.first_key,
            CaseRow.last_key == child.last_key,
            col(CaseRow.state).in_(case_states.OPEN),
        )
        row = self.session.exec(query.order_by(col(CaseRow.id))).first()
        return self.get(row.number) if row else None

    def summaries(self, query: CaseQuery) -> list[CaseSummary]:
        return case_summaries(self.session, query)

    def referred_to(self, provider: str, states: Collection[str]) -> list[str]:
        query = (
            select(CaseRow.number)
            .join(ReferralRow, col(ReferralRow.case_id) == col(CaseRow.id))
            .where(ReferralRow.provider_code == provider, col(ReferralRow.state).in_(states))
        )
        return sorted(set(self.session.exec(query).all()))

    def _columns(self, case: Case, index: CaseIndex) -> dict[str, Any]:
        region = self.rules.district(case.child.district).region
        return case_columns(case, index, region)

    def _save_parts(self, case: Case) -> None:
        assert case.id is not None
        for referral in case.referrals:
            referral.id = self._upsert(
                ReferralRow, referral.id, referral_columns(case.id, referral)
            )
        for follow_up in case.follow_ups:
            follow_up.id = self._upsert(
                FollowUpRow, follow_up.id, follow_up_columns(case.id, follow_up)
            )
        self._insert_identifications(case)
        self._append_history(case)

    def _upsert(self, table: Any, row_id: int | None, values: dict[str, Any]) -> int:
        if row_id is None:
            inserted = self.session.execute(insert(table).values(**values).returning(table.id))
            row_id = int(inserted.scalar_one())
        elif self._stored_rows.get((table.__tablename__, row_id)) != values:
            self.session.execute(update(table).where(table.id == row_id).values(**values))
        self._stored_rows[(table.__tablename__, row_id)] = values
        return row_id

    def _remember_parts(self, case: Case) -> None:
        assert case.id is not None
        for referral in case.referrals:
            key = (ReferralRow.__tablename__, referral.id or 0)
            self._stored_rows[key] = referral_columns(case.id, referral)
        for follow_up in case.follow_ups:
            key = (FollowUpRow.__tablename__, follow_up.id or 0)
            self._stored_rows[key] = follow_up_columns(case.id, follow_up)

    def _insert_identifications(self, case: Case) -> None:
        for identification in (i for i in case.identifications if not i.persisted):
            try:
                with self.session.begin_nested():
                    self.session.execute(
                        insert(IdentificationRow).values(
                            **identification_columns(case.id, identification)
                        )
                    )
            except IntegrityError as error:
                raise DuplicateSubmission(
                    f"submission {identification.observation.submission_id!r} is already recorded"
                ) from error
            identification.persisted = True

    def _append_history(self, case: Case) -> None:
        assert case.id is not None
        stored = self._stored_seq.get(case.id, 0)
        new = [entry for entry in case.history if entry.seq > stored]
        if new:
            self.session.execute(insert(HistoryRow), [history_columns(case.id, e) for e in new])
            self._stored_seq[case.id] = new[-1].seq


def _load_parts(session: Session, case_id: int) -> CaseParts:
    def rows(table: Any, order: Any) -> list[Any]:
        query = select(table).where(table.case_id == case_id).order_by(order)
        return list(session.exec(query).all())

    return CaseParts(
        identifications=[
            identification_from_row(r) for r in rows(IdentificationRow, IdentificationRow.id)
        ],
        referrals=[referral_from_row(r) for r in rows(ReferralRow, ReferralRow.id)],
        follow_ups=[follow_up_from_row(r) for r in rows(FollowUpRow, FollowUpRow.id)],
        history=[history_entry_from_row(r) for r in rows(HistoryRow, HistoryRow.seq)],
    )
