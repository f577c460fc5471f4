"""The daily check's rules as indexed SQL: each finds the cases that need somebody to act,
without loading every case into Python. QUERIES holds them under the names the rule table
(clms.domain.reminders) gives; everything else about a rule is there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, exists, literal, select, type_coerce
from sqlmodel import Session, col

from clms.adapters.db.tables import CaseRow, FollowUpRow, ReferralRow
from clms.domain.check import CheckRule, Finding
from clms.domain.model import AlternativeStatus
from clms.domain.reminders import REMINDER_RULES, reminder_rule
from clms.domain.rules import CheckPolicy
from clms.states import case as case_states
from clms.states import referral as referral_states

NEEDS_REFERRAL_STATES = (case_states.IDENTIFIED, case_states.ASSESSED, case_states.REFERRED)


class SqlCheckQueries:
    def __init__(self, session: Session, policy: CheckPolicy) -> None:
        self.session = session
        self.policy = policy

    def candidate_ids(self, rule: CheckRule, now: datetime, region: str | None) -> list[int]:
        """The ids of the cases the rule finds, in id order (the flow chunks them)."""
        query = _with_region(_query_of(rule).select(now, self.policy), region)
        ids: Any = self.session.connection().execute(  # Core rows: no ORM bookkeeping
            query.with_only_columns(col(CaseRow.id)).distinct().order_by(col(CaseRow.id))
        )
        return [row[0] for row in ids]  # stored cases: never None

    def findings(self, rule: CheckRule, case_ids: list[int], now: datetime) -> list[Finding]:
        """What a reminder needs for those cases, the rule checked again (time has passed)."""
        if not case_ids:
            return []
        found = _query_of(rule)
        # The chunk's range of ids, not a list of thousands of parameters (compiled anew
        # each time): the ids are the candidate query's, the few new cases the
        # range holds between them are another chunk's or the next night's.
        wanted = set(case_ids)
        between = col(CaseRow.id).between(min(case_ids), max(case_ids))
        query = found.select(now, self.policy).where(between).order_by(col(CaseRow.id))
        rows = self.session.connection().execute(query)  # Core rows: no ORM bookkeeping
        return [_finding(rule, found.due(_day(row[4])), row) for row in rows if row[0] in wanted]


def _with_region(query: Select[Any], region: str | None) -> Select[Any]:
    return query if region is None else query.where(col(CaseRow.region) == region)


def _cases(
    due: Any, *, provider: Any = None, service: Any = None, follow_up: Any = None
) -> Select[Any]:
    columns: list[Any] = [
        col(CaseRow.id),
        col(CaseRow.number),
        col(CaseRow.district),
        col(CaseRow.region),
        type_coerce(due, String).label("due"),  # as stored: _day reads the day alone
        col(CaseRow.first_name),
        col(CaseRow.last_name),
        (provider if provider is not None else literal(None)).label("provider"),
        (service if service is not None else literal(None)).label("service"),
        (follow_up if follow_up is not None else literal(None)).label("follow_up_id"),
    ]
    return select(*columns)


def _no_live_referral() -> Any:
    live = and_(
        col(ReferralRow.case_id) == col(CaseRow.id),
        col(ReferralRow.state).in_(referral_states.LIVE),
    )
    return ~exists().where(live)


def _waiting_for_referral(now: datetime, urgent: bool) -> Select[Any]:
    waiting = (col(CaseRow.state).in_(NEEDS_REFERRAL_STATES[:2])) | (
        (col(CaseRow.state) == case_states.REFERRED) & _no_live_referral()
    )
    return _cases(CaseRow.next_action_due).where(
        waiting,
        col(CaseRow.priority) == ("urgent" if urgent else "normal"),
        col(CaseRow.next_action_due) < now,
    )


def not_assessed(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _cases(CaseRow.next_action_due).where(
        col(CaseRow.state) == case_states.IDENTIFIED,
        col(CaseRow.priority) == "normal",
        col(CaseRow.next_action_due) < now,
    )


def not_referred(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _waiting_for_referral(now, urgent=False).where(
        col(CaseRow.state) != case_states.IDENTIFIED
    )


def urgent_overdue(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _waiting_for_referral(now, urgent=True)


def action_escalation(now: datetime, policy: CheckPolicy) -> Select[Any]:
    """Not assessed or not referred, long after it was due: the supervisor is told."""
    late = now - timedelta(days=policy.action_escalate_after_days)
    return _waiting_for_referral(late, urgent=False)


def _sent_referrals_late(now: datetime, normal_days: int, urgent_days: int) -> Select[Any]:
    """Sent referrals unanswered so many days past their deadline: an urgent case's
    deadline is hours, and its escalation and expiry come as much sooner."""
    joined = _cases(
        ReferralRow.due_at, provider=ReferralRow.provider_code, service=ReferralRow.service_type
    )
    urgent = col(CaseRow.priority) == "urgent"
    late = ((~urgent) & (col(ReferralRow.due_at) < now - timedelta(days=normal_days))) | (
        urgent & (col(ReferralRow.due_at) < now - timedelta(days=urgent_days))
    )
    return joined.join(ReferralRow, col(ReferralRow.case_id) == col(CaseRow.id)).where(
        col(ReferralRow.state) == referral_states.SENT,
        late,
        col(CaseRow.state).in_(case_states.ACTIVE),
    )


def referral_unanswered(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _sent_referrals_late(now, 0, 0)


def referral_escalation(now: datetime, policy: CheckPolicy) -> Select[Any]:
    """The supervisor: days after a normal deadline, at once after an urgent one."""
    return _sent_referrals_late(now, policy.referral_escalate_after_days, 0)


def referral_expired(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _sent_referrals_late(
        now, policy.referral_expire_after_days, policy.urgent_referral_expire_after_days
    )


def _scheduled_follow_ups(first: date | None, last: date) -> Select[Any]:
    started = and_(
        col(ReferralRow.case_id) == col(CaseRow.id),
        col(ReferralRow.state) == referral_states.STARTED,
    )
    query = (
        _cases(
            FollowUpRow.due_on,
            provider=ReferralRow.provider_code,
            service=ReferralRow.service_type,
            follow_up=FollowUpRow.id,
        )
        .join(FollowUpRow, col(FollowUpRow.case_id) == col(CaseRow.id))
        .outerjoin(ReferralRow, started)
        .where(
            col(FollowUpRow.state) == "scheduled",
            col(FollowUpRow.due_on) <= last,
            col(CaseRow.state) == case_states.IN_SERVICE,
        )
    )
    return query if first is None else query.where(col(FollowUpRow.due_on) >= first)


def attendance_check(now: datetime, policy: CheckPolicy) -> Select[Any]:
    today = now.date()
    window = _scheduled_follow_ups(
        today, today + timedelta(days=policy.attendance_check_days_before)
    )
    return window.where(col(ReferralRow.provider_code).is_not(None))


def follow_up_overdue(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _scheduled_follow_ups(None, now.date() - timedelta(days=1))


def follow_up_escalation(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _scheduled_follow_ups(
        None, now.date() - timedelta(days=policy.follow_up_escalate_after_days)
    )


def follow_up_missed(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _scheduled_follow_ups(
        None, now.date() - timedelta(days=policy.follow_up_missed_after_days)
    )


def unsatisfactory_alternative(now: datetime, policy: CheckPolicy) -> Select[Any]:
    """In service, and the latest follow-up (a visit, a school's answer, or one missed)
    found the child not attending or working: somebody must act now."""
    return _cases(CaseRow.next_action_due).where(
        col(CaseRow.state) == case_states.IN_SERVICE,
        col(CaseRow.alternative_status) == AlternativeStatus.UNSATISFACTORY.value,
        col(CaseRow.next_action_due) < now,
    )


def unsatisfactory_escalation(now: datetime, policy: CheckPolicy) -> Select[Any]:
    late = now - timedelta(days=policy.unsatisfactory_escalate_after_days)
    return unsatisfactory_alternative(late, policy)


def stalled(now: datetime, policy: CheckPolicy) -> Select[Any]:
    """Any case somebody should have acted on a month ago (the ladders' top rung); a case
    ready to close is not stalled: its child has a satisfactory alternative."""
    late = now - timedelta(days=policy.coordinator_after_days)
    return _cases(CaseRow.next_action_due).where(
        col(CaseRow.state).in_(case_states.ACTIVE),
        col(CaseRow.next_action_due) < late,
        ~col(CaseRow.ready_to_close),
    )


def ready_to_close(now: datetime, policy: CheckPolicy) -> Select[Any]:
    """In service with the closing rule met (the domain decides it on every save)."""
    return _cases(CaseRow.next_action_due).where(
        col(CaseRow.state) == case_states.IN_SERVICE,
        col(CaseRow.ready_to_close),
        col(CaseRow.next_action_due) < now,
    )


def turned_18(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _cases(CaseRow.birth_date).where(
        col(CaseRow.state).in_(case_states.OPEN),
        col(CaseRow.birth_date) <= _eighteen_years_before(now.date()),
    )


def too_many_failed_contacts(now: datetime, policy: CheckPolicy) -> Select[Any]:
    return _cases(CaseRow.next_action_due).where(
        col(CaseRow.state).in_(case_states.ACTIVE),
        col(CaseRow.failed_contacts) >= policy.max_failed_contacts,
    )


def lost_to_follow_up(now: datetime, policy: CheckPolicy) -> Select[Any]:
    """Lost, by the check or by hand: the supervisor is told, and reminded while it lasts."""
    return _cases(CaseRow.state_entered_at).where(
        col(CaseRow.state) == case_states.LOST, col(CaseRow.state_entered_at) <= now
    )


def _eighteen_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 18)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28)


def _eighteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February: of age on 1 March
        return date(born.year + 18, 3, 1)


def _day(due: str | date | datetime | None) -> date:
    """A rule's due column, as the driver gives it, as a day in UTC (a deadline is a
    moment; a case without one: never). SQLite gives text, naive UTC (UTCDateTime) or a
    date: its first ten characters are the day, without parsing the rest of a moment."""
    if isinstance(due, str):
        return date.fromisoformat(due[:10])
    if isinstance(due, datetime):
        return (due if due.tzinfo is None else due.astimezone(UTC)).date()
    return due or date.min


def _finding(rule: CheckRule, due: date, row: Any) -> Finding:
    # By position, in _cases's order (id, number, district, region, due, first name, last
    # name, provider, service, follow-up): a row's attributes cost more, thousands a chunk.
    case_id, number, district, region, _, first, last, provider, service, follow_up = row
    return Finding(rule, case_id, number, district, region, due, first, last, provider,
                   service, follow_up)  # fmt: skip


@dataclass(frozen=True)
class Query:
    """A rule's SQL, and what the `due` column it selects means as a due day."""

    select: Callable[[datetime, CheckPolicy], Select[Any]]
    due: Callable[[date], date] = lambda day: day  # the due day from the column's day


# Keyed by the names in clms.domain.reminders.REMINDER_RULES.
QUERIES: dict[str, Query] = {
    "not_assessed": Query(not_assessed),
    "not_referred": Query(not_referred),
    "urgent_overdue": Query(urgent_overdue),
    "action_escalation": Query(action_escalation),
    "referral_unanswered": Query(referral_unanswered),
    "referral_escalation": Query(referral_escalation),
    "referral_expired": Query(referral_expired),
    "attendance_check": Query(attendance_check),
    "follow_up_overdue": Query(follow_up_overdue),
    "follow_up_escalation": Query(follow_up_escalation),
    "follow_up_missed": Query(follow_up_missed),
    "unsatisfactory_alternative": Query(unsatisfactory_alternative),
    "unsatisfactory_escalation": Query(unsatisfactory_escalation),
    "stalled": Query(stalled),
    "ready_to_close": Query(ready_to_close),
    "turned_18": Query(turned_18, due=_eighteenth_birthday),  # it selects the birth date
    "too_many_failed_contacts": Query(too_many_failed_contacts),
    "lost_to_follow_up": Query(lost_to_follow_up),
}

# A rule whose query is missing would find nothing, silently: refuse to start instead.
_WITHOUT_SQL = sorted(str(entry.query) for entry in REMINDER_RULES if entry.query not in QUERIES)
if _WITHOUT_SQL:
    raise LookupError(f"daily-check rules without a query in QUERIES: {_WITHOUT_SQL}")


def _query_of(rule: CheckRule) -> Query:
    return QUERIES[reminder_rule(rule).query or ""]  # the check runs only rules with a query
