"""The case lists: filtered, ordered with the overdue and urgent first, as summaries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case as sql_case
from sqlmodel import Session, col, select

from clms.adapters.db.tables import CaseRow
from clms.ports import CaseQuery, CaseSummary


def case_summaries(session: Session, query: CaseQuery) -> list[CaseSummary]:
    rows = session.exec(_filtered(query).limit(query.limit)).all()
    return [_summary(row) for row in rows]


def _filtered(query: CaseQuery) -> Any:
    statement = select(CaseRow)
    for column, value in (
        (CaseRow.state, query.state),
        (CaseRow.district, query.district),
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
