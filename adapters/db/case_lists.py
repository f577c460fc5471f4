"""The case lists: filtered, ordered with the overdue and urgent first, as summaries; and
the possible duplicates, newest first, named by their cases' numbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from clms.adapters.db.tables import CaseRow, IdentificationRow, PossibleDuplicateRow
from clms.domain.duplicates import FlagStatus, PossibleDuplicate, Resemblance
from clms.ports import CaseQuery, CaseSummary, Submission


def case_summaries(session: Session, query: CaseQuery) -> list[CaseSummary]:
    rows = session.exec(_filtered(query).offset(query.offset).limit(query.limit)).all()
    return [_summary(row) for row in rows]


def _filtered(query: CaseQuery) -> Any:
    statement = select(CaseRow)
    for column, value in (
        (CaseRow.state, query.state),
        (CaseRow.district, query.district),
        (CaseRow.region, query.region),
        (CaseRow.priority, query.priority),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if query.ready_to_close is not None:
        statement = statement.where(col(CaseRow.ready_to_close) == query.ready_to_close)
    if query.overdue_at is not None:  # a case ready to close is not late: it is done
        statement = statement.where(
            col(CaseRow.next_action_due) < query.overdue_at, ~col(CaseRow.ready_to_close)
        )
    urgent_first = sql_case((col(CaseRow.priority) == "urgent", 0), else_=1)
    no_due_last = sql_case((col(CaseRow.next_action_due).is_(None), 1), else_=0)
    return statement.order_by(
        no_due_last, col(CaseRow.next_action_due), urgent_first, col(CaseRow.id)
    )


def _summary(row: CaseRow) -> CaseSummary:
    return CaseSummary(
        number=row.number,
        name=f"{row.first_name} {row.last_name}",
        district=row.district,
        category=row.category,
        priority=row.priority,
        state=row.state,
        alternative_status=row.alternative_status,
        next_action_due=row.next_action_due,
        version=row.version,
        ready_to_close=row.ready_to_close,
    )


def submissions_of(session: Session, monitor: str, limit: int) -> list[Submission]:
    statement = (
        select(IdentificationRow, CaseRow)
        .join(CaseRow, col(CaseRow.id) == col(IdentificationRow.case_id))
        .where(IdentificationRow.monitor == monitor)
        .order_by(col(IdentificationRow.recorded_at).desc(), col(IdentificationRow.id).desc())
        .limit(limit)
    )
    return [
        Submission(seen.submission_id, seen.recorded_at, case.number,
                   f"{case.first_name} {case.last_name}", case.district, seen.category)
        for seen, case in session.exec(statement).all()
    ]  # fmt: skip


def possible_duplicates(
    session: Session, status: FlagStatus | None, limit: int, pair: tuple[str, str] | None = None
) -> list[PossibleDuplicate]:
    """The flags in `status` (or all), or the one of the `pair` of case numbers (new, old)."""
    flag, new, old = PossibleDuplicateRow, aliased(CaseRow), aliased(CaseRow)
    statement = (
        select(flag, new.number, old.number)
        .join(new, col(new.id) == col(flag.new_case_id))
        .join(old, col(old.id) == col(flag.old_case_id))
    )
    if status is not None:
        statement = statement.where(flag.status == status.value)
    if pair is not None:
        statement = statement.where(new.number == pair[0], old.number == pair[1])
    newest_first = (col(flag.flagged_at).desc(), col(flag.id).desc())
    rows = session.exec(statement.order_by(*newest_first).limit(limit)).all()
    return [_flag(row, new_case, old_case) for row, new_case, old_case in rows]


def _flag(row: PossibleDuplicateRow, new_case: str, old_case: str) -> PossibleDuplicate:
    return PossibleDuplicate(
        new_case=new_case,
        old_case=old_case,
        resemblance=Resemblance(row.resemblance),
        flagged_at=row.flagged_at,
        status=FlagStatus(row.status),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision=row.decision,
    )
