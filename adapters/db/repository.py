"""The repositories: map the case aggregate to rows and back, with optimistic locking."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from clms.adapters.db.tables import (
    CaseRow,
    FollowUpRow,
    HistoryRow,
    IdentificationRow,
    OfferRow,
    ProviderRow,
    ReferralRow,
)
from clms.domain.errors import Conflict, DuplicateSubmission, NotFound
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
    Provider,
    Referral,
)
from clms.domain.names import name_key
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
        case = self._load(row)
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
        rows = self.session.exec(_filtered(query).limit(query.limit)).all()
        return [_summary(row) for row in rows]

    def _columns(self, case: Case, index: CaseIndex) -> dict[str, Any]:
        child = case.child
        return {
            "country": case.country,
            "district": child.district,
            "region": self.rules.district(child.district).region,
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
            "closure_reason": case.closure_reason.value if case.closure_reason else None,
            "assessed_at": case.assessed_at,
            "assessment": case.assessment,
            "service_started_on": case.service_started_on,
            "relapses": case.relapses,
            "failed_contacts": case.failed_contacts,
            "opened_at": case.opened_at,
            "updated_at": case.history[-1].at if case.history else case.opened_at,
        }

    def _save_parts(self, case: Case) -> None:
        assert case.id is not None
        for referral in case.referrals:
            referral.id = self._upsert(
                ReferralRow, referral.id, _referral_columns(case.id, referral)
            )
        for follow_up in case.follow_ups:
            follow_up.id = self._upsert(
                FollowUpRow, follow_up.id, _follow_up_columns(case.id, follow_up)
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
            self._stored_rows[key] = _referral_columns(case.id, referral)
        for follow_up in case.follow_ups:
            key = (FollowUpRow.__tablename__, follow_up.id or 0)
            self._stored_rows[key] = _follow_up_columns(case.id, follow_up)

    def _insert_identifications(self, case: Case) -> None:
        for identification in (i for i in case.identifications if not i.persisted):
            try:
                with self.session.begin_nested():
                    self.session.execute(
                        insert(IdentificationRow).values(
                            **_identification_columns(case.id, identification)
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
            self.session.execute(insert(HistoryRow), [_history_columns(case.id, e) for e in new])
            self._stored_seq[case.id] = new[-1].seq

    def _load(self, row: CaseRow) -> Case:
        parts = _Parts(self.session, row.id or 0)
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
            identifications=parts.identifications(),
            referrals=parts.referrals(),
            follow_ups=parts.follow_ups(),
            history=parts.history(),
            state_before_lost=row.state_before_lost,
            closure_reason=ClosureReason(row.closure_reason) if row.closure_reason else None,
            assessed_at=row.assessed_at,
            assessment=row.assessment,
            service_started_on=row.service_started_on,
            relapses=row.relapses,
            failed_contacts=row.failed_contacts,
        )


class SqlProviderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str) -> Provider:
        row = self.session.exec(select(ProviderRow).where(ProviderRow.code == code)).first()
        if row is None:
            raise NotFound(f"no provider {code!r} in the directory", field="provider")
        return self._provider(row)

    def add(self, provider: Provider) -> None:
        self.session.add(
            ProviderRow(
                code=provider.code,
                name=provider.name,
                district=provider.district,
                phone=provider.phone,
                email=provider.email,
                webhook_url=provider.webhook_url,
                language=provider.language,
            )
        )
        self.session.flush()
        for service_type, district in sorted(provider.offers):
            self.session.add(
                OfferRow(provider_code=provider.code, service_type=service_type, district=district)
            )
        self.session.flush()

    def all(self) -> list[Provider]:
        rows = self.session.exec(select(ProviderRow).order_by(col(ProviderRow.code))).all()
        return [self._provider(row) for row in rows]

    def _provider(self, row: ProviderRow) -> Provider:
        offers = self.session.exec(select(OfferRow).where(OfferRow.provider_code == row.code)).all()
        served = frozenset((o.service_type, o.district) for o in offers)
        return Provider(
            row.code,
            row.name,
            row.district,
            served,
            row.phone,
            row.email,
            row.webhook_url,
            row.language,
        )


class _Parts:
    """Loads the rows that belong to one case, in their order."""

    def __init__(self, session: Session, case_id: int) -> None:
        self.session, self.case_id = session, case_id

    def _rows(self, table: Any, order: Any) -> list[Any]:
        query = select(table).where(table.case_id == self.case_id).order_by(order)
        return list(self.session.exec(query).all())

    def identifications(self) -> list[Identification]:
        return [_identification(r) for r in self._rows(IdentificationRow, IdentificationRow.id)]

    def referrals(self) -> list[Referral]:
        return [_referral(r) for r in self._rows(ReferralRow, ReferralRow.id)]

    def follow_ups(self) -> list[FollowUp]:
        return [_follow_up(r) for r in self._rows(FollowUpRow, FollowUpRow.id)]

    def history(self) -> list[HistoryEntry]:
        return [_history(r) for r in self._rows(HistoryRow, HistoryRow.seq)]


def _filtered(query: CaseQuery) -> Any:
    statement = select(CaseRow)
    for column, value in (
        (CaseRow.state, query.state),
        (CaseRow.district, query.district),
        (CaseRow.priority, query.priority),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if query.overdue_at is not None:
        statement = statement.where(col(CaseRow.next_action_due) < query.overdue_at)
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
    )


def _referral_columns(case_id: int, referral: Referral) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "provider_code": referral.provider,
        "service_type": referral.service_type,
        "state": referral.state,
        "proposed_at": referral.proposed_at,
        "due_at": referral.due_at,
        "override_reason": referral.override_reason,
        "answered_at": referral.answered_at,
        "started_on": referral.started_on,
        "ended_at": referral.ended_at,
        "answer_note": referral.answer_note,
    }


def _referral(row: ReferralRow) -> Referral:
    return Referral(
        id=row.id,
        provider=row.provider_code,
        service_type=row.service_type,
        proposed_at=row.proposed_at,
        due_at=row.due_at,
        state=row.state,
        override_reason=row.override_reason,
        answered_at=row.answered_at,
        started_on=row.started_on,
        ended_at=row.ended_at,
        answer_note=row.answer_note,
    )


def _follow_up_columns(case_id: int, follow_up: FollowUp) -> dict[str, Any]:
    values = asdict(follow_up)
    values.pop("id")
    return {**values, "case_id": case_id, "state": follow_up.state.value}


def _follow_up(row: FollowUpRow) -> FollowUp:
    return FollowUp(
        id=row.id,
        due_on=row.due_on,
        state=FollowUpState(row.state),
        done_on=row.done_on,
        attending=row.attending,
        working=row.working,
        note=row.note,
        evidence=row.evidence,
    )


def _identification_columns(case_id: int | None, identification: Identification) -> dict[str, Any]:
    seen = identification.observation
    observation = asdict(seen)
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


def _identification(row: IdentificationRow) -> Identification:
    values = dict(row.observation)
    values["observed_at"] = datetime.fromisoformat(values["observed_at"])
    values["activities"] = tuple(values["activities"])
    values["conditions"] = tuple(values["conditions"])
    classification = Classification(Category(row.category), tuple(row.reasons), row.rules_version)
    return Identification(Observation(**values), classification, row.recorded_at, persisted=True)


def _history_columns(case_id: int, entry: HistoryEntry) -> dict[str, Any]:
    return {**asdict(entry), "case_id": case_id}


def _history(row: HistoryRow) -> HistoryEntry:
    return HistoryEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        role=row.role,
        trigger=row.trigger,
        from_state=row.from_state,
        to_state=row.to_state,
        reason=row.reason,
        data=dict(row.data),
    )
