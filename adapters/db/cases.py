"""The case repository: stores the case aggregate with optimistic locking, writing only
what changed, and finds cases by number, submission and child; it keeps the possible
duplicates flagged between cases."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, insert, text, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from clms.adapters.db.bulk import execute_many
from clms.adapters.db.case_lists import case_summaries, possible_duplicates, submissions_of
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
    PossibleDuplicateRow,
    ReferralRow,
)
from clms.domain.access import CaseScope
from clms.domain.duplicates import (
    ChildKey,
    EarlierCase,
    FlagStatus,
    PossibleDuplicate,
    birth_dates_to_look_for,
)
from clms.domain.errors import Conflict, DuplicateSubmission, NotFound
from clms.domain.model import Case
from clms.domain.rules import CountryRules
from clms.ports import CaseIndex, CaseQuery, CaseSummary, Submission
from clms.states import case as case_states

# The tables themselves, for the batch statements: Core, without the ORM's bookkeeping
# of each row (a tenth of the time per row here).
CASES = CaseRow.__table__  # type: ignore[attr-defined]
HISTORY = HistoryRow.__table__  # type: ignore[attr-defined]
# The batch statements, constants: execute_many compiles each once per process.
_SAVE_STORED = (
    update(CASES)
    .where(CASES.c.id == bindparam("case_id"), CASES.c.version == bindparam("read"))
    .values(version=bindparam("read") + 1)
)
_PART_TABLES: dict[Any, Any] = {
    ReferralRow: ReferralRow.__table__,  # type: ignore[attr-defined]
    FollowUpRow: FollowUpRow.__table__,  # type: ignore[attr-defined]
}
_UPDATE_PART = {
    row: update(table).where(table.c.id == bindparam("part_id"))
    for row, table in _PART_TABLES.items()
}
_NEW_HISTORY = insert(HISTORY)


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

    def get_many(self, case_ids: list[int]) -> dict[int, Case]:
        """The cases with those ids, a query per table for all of them (the daily check's
        chunk); on PostgreSQL their rows stay locked until the transaction ends, so that
        nobody changes them between this read and save_many."""
        if not case_ids:
            return {}
        query = (
            core_select(CASES)
            .where(CASES.c.id.in_(case_ids))
            .order_by(CASES.c.id)
            .with_for_update(of=CASES)
        )
        rows = self.session.execute(query).all()
        parts = _load_parts_of_many(self.session, [row.id for row in rows])
        cases = {row.id: case_from_row(row, parts[row.id]) for row in rows}
        for case in cases.values():
            self._stored_seq[case.id or 0] = case.history[-1].seq if case.history else 0
            self._remember_parts(case)
        return cases

    def save_many(self, changed: list[tuple[Case, CaseIndex]]) -> None:
        """Stores changed cases as save does, with one statement per table for all of them
        (executemany); raises Conflict when any stored version is not its case's."""
        if not changed:
            return
        rows = [
            {**self._columns(case, index), "case_id": case.id, "read": case.version}
            for case, index in changed
        ]
        if execute_many(self.session, _SAVE_STORED, rows) != len(rows):
            numbers = ", ".join(case.number for case, _ in changed[:3])
            raise Conflict(
                f"one of {len(rows)} cases ({numbers}, ...) was changed by somebody else "
                "since it was read; reload and try again"
            )
        for case, _ in changed:
            case.version += 1
        self._save_parts_of_many([case for case, _ in changed])

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
            *self._of_child(child), col(CaseRow.state).in_(case_states.OPEN)
        )
        row = self.session.exec(query.order_by(col(CaseRow.id))).first()
        return self.get(row.number) if row else None

    def serialize_identification(self, neighbourhood: str) -> None:
        """PostgreSQL: a transaction-level advisory lock on a number hashed from the
        neighbourhood, released by the commit or the rollback; it holds back only the
        identifications of the same child and of children who resemble them.

        Why a lock rather than a unique partial index on the open case per child key: the
        index would refuse the second case, but the refused transaction would then have to
        be run again from the start, and no index can say "resembles", so two resembling
        children arriving together would each miss the other's case and raise no flag. The
        lock makes them take turns, and each then sees what the other committed (READ
        COMMITTED: every statement reads the latest commits). SQLite needs nothing: every
        transaction begins IMMEDIATE (clms.adapters.db.engine), so writers take turns."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = _lock_number(f"{self.rules.code}|{neighbourhood}")
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def earlier_cases_like(self, child: ChildKey) -> list[EarlierCase]:
        region = self.rules.district(child.district).region
        districts = [d.code for d in self.rules.districts.values() if d.region == region]
        names = (child.first_key, child.last_key)
        query = select(CaseRow).where(  # ix_cases_child: country, district, birth date
            CaseRow.country == self.rules.code,
            col(CaseRow.district).in_(districts),
            col(CaseRow.birth_date).in_(birth_dates_to_look_for(child)),
            col(CaseRow.first_key).in_(names),
            col(CaseRow.last_key).in_(names),
        )
        rows = self.session.exec(query.order_by(col(CaseRow.id))).all()
        return [
            EarlierCase(r.number, _key_of(r), r.region, r.state in case_states.OPEN) for r in rows
        ]

    def children_said_to_differ(self, child: ChildKey) -> frozenset[ChildKey]:
        flag, partner = PossibleDuplicateRow, aliased(CaseRow)
        # By the child's case ids, both ways round (indexed); the status is read, not
        # searched on, or the database could choose to read every dismissed flag.
        ids = select(CaseRow.id).where(*self._of_child(child))
        pairs = [
            select(partner, flag.status)
            .join(flag, col(flag_side) == col(partner.id))
            .where(col(child_side).in_(ids))
            for child_side, flag_side in (
                (flag.new_case_id, flag.old_case_id),
                (flag.old_case_id, flag.new_case_id),
            )
        ]
        rows = [row for query in pairs for row in self.session.exec(query).all()]
        return frozenset(_key_of(case) for case, status in rows if status == FlagStatus.DISMISSED)

    def move_identifications(self, from_case: Case, to_case: Case) -> None:
        moved = update(IdentificationRow).where(col(IdentificationRow.case_id) == from_case.id)
        self.session.execute(moved.values(case_id=to_case.id))

    def add_possible_duplicates(self, flags: list[PossibleDuplicate]) -> None:
        for flag in flags:
            self.session.execute(insert(PossibleDuplicateRow).values(**self._flag_columns(flag)))

    def possible_duplicate(self, new_case: str, old_case: str) -> PossibleDuplicate:
        found = possible_duplicates(self.session, None, 1, pair=(new_case, old_case))
        if not found:
            raise NotFound(
                f"{new_case} was not flagged as a possible duplicate of {old_case} "
                "(clms duplicates list)",
                field="case",
            )
        return found[0]

    def possible_duplicates(self, status: FlagStatus | None, limit: int) -> list[PossibleDuplicate]:
        return possible_duplicates(self.session, status, limit)

    def settle_possible_duplicate(self, flag: PossibleDuplicate) -> None:
        pair = self._flag_columns(flag)
        settled = update(PossibleDuplicateRow).where(
            PossibleDuplicateRow.new_case_id == pair["new_case_id"],
            PossibleDuplicateRow.old_case_id == pair["old_case_id"],
            col(PossibleDuplicateRow.status) == FlagStatus.OPEN.value,
        )
        decision = {k: pair[k] for k in ("status", "decided_by", "decided_at", "decision")}
        if self.session.execute(settled.values(**decision)).rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                f"the flag on {flag.new_case} and {flag.old_case} was decided by somebody else "
                "meanwhile; list it again"
            )

    def _of_child(self, child: ChildKey) -> tuple[Any, ...]:
        return (
            CaseRow.country == self.rules.code,
            CaseRow.district == child.district,
            CaseRow.birth_date == child.birth_date,
            CaseRow.first_key == child.first_key,
            CaseRow.last_key == child.last_key,
        )

    def _flag_columns(self, flag: PossibleDuplicate) -> dict[str, Any]:
        def id_of(number: str) -> Any:
            return select(CaseRow.id).where(CaseRow.number == number).scalar_subquery()

        return {
            "new_case_id": id_of(flag.new_case),
            "old_case_id": id_of(flag.old_case),
            "resemblance": flag.resemblance.value,
            "flagged_at": flag.flagged_at,
            "status": flag.status.value,
            "decided_by": flag.decided_by,
            "decided_at": flag.decided_at,
            "decision": flag.decision,
        }

    def summaries(self, query: CaseQuery) -> list[CaseSummary]:
        return case_summaries(self.session, query)

    def submissions_of(self, monitor: str, limit: int) -> list[Submission]:
        return submissions_of(self.session, monitor, limit)

    def referred_to(self, provider: str, states: Collection[str]) -> list[str]:
        query = (
            select(CaseRow.number)
            .join(ReferralRow, col(ReferralRow.case_id) == col(CaseRow.id))
            .where(ReferralRow.provider_code == provider, col(ReferralRow.state).in_(states))
        )
        return sorted(set(self.session.exec(query).all()))

    def scope_of(self, number: str) -> CaseScope:
        row = self.session.exec(
            select(CaseRow.id, CaseRow.district, CaseRow.region).where(CaseRow.number == number)
        ).first()
        if row is None:
            raise NotFound(f"no case {number!r}", field="case")
        providers = select(ReferralRow.provider_code).where(ReferralRow.case_id == row[0])
        return CaseScope(row[1], row[2], frozenset(self.session.exec(providers).all()))

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

    def _save_parts_of_many(self, cases: list[Case]) -> None:
        """The parts of many cases: the changed referral and follow-up rows updated and the
        new history rows inserted, each as one executemany; new parts one by one (rare in
        a batch: their ids come back from the database)."""
        changed: dict[Any, list[dict[str, Any]]] = {ReferralRow: [], FollowUpRow: []}
        history: list[dict[str, Any]] = []
        for case in cases:
            assert case.id is not None
            for table, part, values in _parts_with_columns(case):
                key = (table.__tablename__, part.id or 0)
                if part.id is None:
                    part.id = self._upsert(table, None, values)
                elif self._stored_rows.get(key) != values:
                    changed[table].append({**values, "part_id": part.id})
                    self._stored_rows[key] = values
            self._insert_identifications(case)
            history += self._new_history(case)
        for table, rows in changed.items():
            execute_many(self.session, _UPDATE_PART[table], rows)
        execute_many(self.session, _NEW_HISTORY, history)

    def _new_history(self, case: Case) -> list[dict[str, Any]]:
        assert case.id is not None
        stored = self._stored_seq.get(case.id, 0)
        new = [history_columns(case.id, e) for e in case.history if e.seq > stored]
        if new:
            self._stored_seq[case.id] = new[-1]["seq"]
        return new

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


def _load_parts_of_many(session: Session, case_ids: list[int]) -> dict[int, CaseParts]:
    """The parts of many cases, one query per table (Core rows: no ORM identity map)."""
    if not case_ids:
        return {}

    # The chunk's range of ids, not thousands of parameters compiled anew for each table;
    # the other cases' rows in the range are skipped here.
    def rows_by_case(table: Any, order: Any) -> dict[int, list[Any]]:
        in_range = table.c.case_id.between(min(case_ids), max(case_ids))
        query = core_select(table).where(in_range).order_by(*order)
        grouped: dict[int, list[Any]] = {case_id: [] for case_id in case_ids}
        for row in session.connection().execute(query):
            if row.case_id in grouped:
                grouped[row.case_id].append(row)
        return grouped

    tables: list[Any] = [IdentificationRow.__table__, ReferralRow.__table__, FollowUpRow.__table__]  # type: ignore[attr-defined]
    identified, referred, followed = (rows_by_case(t, (t.c.case_id, t.c.id)) for t in tables)
    history = rows_by_case(HISTORY, (HISTORY.c.case_id, HISTORY.c.seq))
    return {
        case_id: CaseParts(
            identifications=[identification_from_row(r) for r in identified[case_id]],
            referrals=[referral_from_row(r) for r in referred[case_id]],
            follow_ups=[follow_up_from_row(r) for r in followed[case_id]],
            history=[history_entry_from_row(r) for r in history[case_id]],
        )
        for case_id in case_ids
    }


def _parts_with_columns(case: Case) -> list[tuple[Any, Any, dict[str, Any]]]:
    assert case.id is not None
    return [(ReferralRow, r, referral_columns(case.id, r)) for r in case.referrals] + [
        (FollowUpRow, f, follow_up_columns(case.id, f)) for f in case.follow_ups
    ]


def _key_of(row: CaseRow) -> ChildKey:
    return ChildKey(row.district, row.birth_date, row.first_key, row.last_key)


def _lock_number(name: str) -> int:
    """A stable 64-bit number for `name` (Python's hash() differs from process to process)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
