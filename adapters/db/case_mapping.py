"""The case aggregate and its rows, both ways: a case's columns, its referrals,
follow-ups, identifications and history entries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from clms.adapters.db.tables import (
    CaseRow,
    FollowUpRow,
    HistoryRow,
    IdentificationRow,
    ReferralRow,
)
from clms.domain.model import (
    Case,
    Category,
    Child,
    Classification,
    ClosureReason,
    FollowUp,
    FollowUpState,
    HistoryEntry,
    Identification,
    Observation,
    Referral,
)
from clms.domain.names import name_key
from clms.ports import CaseIndex

_Part = TypeVar("_Part", Referral, FollowUp, HistoryEntry)


@dataclass(frozen=True)
class CaseParts:
    """The rows that belong to one case, already mapped, in their order."""

    identifications: list[Identification]
    referrals: list[Referral]
    follow_ups: list[FollowUp]
    history: list[HistoryEntry]


def case_columns(case: Case, index: CaseIndex, region: str) -> dict[str, Any]:
    """The case row's columns but its id, number and version (the repository owns those)."""
    child = case.child
    return {
        "country": case.country,
        "district": child.district,
        "region": region,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "first_key": name_key(child.first_name),
        "last_key": name_key(child.last_name),
        "birth_date": child.birth_date,
        "sex": child.sex,
        "category": case.category.value,
        "priority": case.priority.value,
        "state": case.state,
        "state_entered_at": case.state_entered_at,
        "state_before_lost": case.state_before_lost,
        "alternative_status": index.alternative_status.value,
        "next_action_due": index.next_action_due,
        "ready_to_close": index.ready_to_close,
        "closure_reason": case.closure_reason.value if case.closure_reason else None,
        "assessed_at": case.assessed_at,
        "assessment": case.assessment,
        "service_started_on": case.service_started_on,
        "relapses": case.relapses,
        "failed_contacts": case.failed_contacts,
        "opened_at": case.opened_at,
        "updated_at": case.history[-1].at if case.history else case.opened_at,
    }


def case_from_row(row: CaseRow | Any, parts: CaseParts) -> Case:
    """From an ORM row or a Core row of the cases table (the same names)."""
    return Case(
        id=row.id,
        number=row.number,
        country=row.country,
        child=Child(row.first_name, row.last_name, row.birth_date, row.sex, row.district),
        category=Category(row.category),
        opened_at=row.opened_at,
        state=row.state,
        state_entered_at=row.state_entered_at,
        version=row.version,
        identifications=parts.identifications,
        referrals=parts.referrals,
        follow_ups=parts.follow_ups,
        history=parts.history,
        state_before_lost=row.state_before_lost,
        closure_reason=ClosureReason(row.closure_reason) if row.closure_reason else None,
        assessed_at=row.assessed_at,
        assessment=row.assessment,
        service_started_on=row.service_started_on,
        relapses=row.relapses,
        failed_contacts=row.failed_contacts,
    )


def referral_columns(case_id: int, referral: Referral) -> dict[str, Any]:
    values = _columns_but_id(case_id, referral)
    values["provider_code"] = values.pop("provider")
    return values


def referral_from_row(row: ReferralRow) -> Referral:
    return _part_from_row(Referral, row, provider=row.provider_code)


def follow_up_columns(case_id: int, follow_up: FollowUp) -> dict[str, Any]:
    return {**_columns_but_id(case_id, follow_up), "state": follow_up.state.value}


def follow_up_from_row(row: FollowUpRow) -> FollowUp:
    return _part_from_row(FollowUp, row, state=FollowUpState(row.state))


def identification_columns(case_id: int | None, identification: Identification) -> dict[str, Any]:
    seen = identification.observation
    observation = asdict(seen)
    # The observation is kept whole as JSON, which has no datetime.
    observation["observed_at"] = seen.observed_at.isoformat()
    return {
        "case_id": case_id,
        "submission_id": seen.submission_id,
        "monitor": seen.monitor,
        "observed_at": seen.observed_at,
        "recorded_at": identification.recorded_at,
        "observation": observation,
        "category": identification.classification.category.value,
        "reasons": list(identification.classification.reasons),
        "rules_version": identification.classification.rules_version,
    }


def identification_from_row(row: IdentificationRow) -> Identification:
    values = dict(row.observation)
    values["observed_at"] = datetime.fromisoformat(values["observed_at"])
    values["activities"] = tuple(values["activities"])
    values["conditions"] = tuple(values["conditions"])
    classification = Classification(Category(row.category), tuple(row.reasons), row.rules_version)
    return Identification(Observation(**values), classification, row.recorded_at, persisted=True)


def history_columns(case_id: int, entry: HistoryEntry) -> dict[str, Any]:
    return {**shallow_fields(entry), "case_id": case_id}


def history_entry_from_row(row: HistoryRow) -> HistoryEntry:
    return _part_from_row(HistoryEntry, row, data=dict(row.data))


def _columns_but_id(case_id: int, part: Referral | FollowUp) -> dict[str, Any]:
    """A part's fields as its row's columns, with the case it belongs to. The id is left
    out: the database gives it, and an update must not rewrite it."""
    values = shallow_fields(part)
    values.pop("id")
    return {**values, "case_id": case_id}


def shallow_fields(part: Any) -> dict[str, Any]:
    """A dataclass's fields by name, the values as they are: dataclasses.asdict deep-copies
    every value, a tenth of the daily check's time when it writes thousands of rows."""
    names = _field_names(type(part))  # type: ignore[arg-type]  # a class is hashable
    return {name: getattr(part, name) for name in names}


@cache
def _field_names(kind: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def _part_from_row(kind: type[_Part], row: Any, **unlike: Any) -> _Part:
    """A part from its row: each field from the column of the same name, except the
    fields `unlike` gives (a column named otherwise, or a value to convert)."""
    names = _field_names(kind)  # type: ignore[arg-type]  # a class is hashable
    same = {name: getattr(row, name) for name in names if name not in unlike}
    return kind(**same, **unlike)
