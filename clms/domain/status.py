"""What the periodic check reads from a case: its alternative status and when the next
action is due. Both are derived from the aggregate and stored (indexed) on each save."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple

from clms.domain.closing import ready_to_close
from clms.domain.model import AlternativeStatus, Case, FollowUp, FollowUpState, Priority
from clms.domain.rules import CountryRules
from clms.states import case as states
from clms.states import referral as referral_states

SOCIAL_WORKER = "social_worker"  # who owes a Duty that is not a provider's


class Duty(StrEnum):
    """What can be due on a case."""

    ASSESS = "assess"
    REFER = "refer"
    ANSWER_REFERRAL = "answer_referral"
    START_SERVICE = "start_service"
    VISIT = "follow_up_visit"
    ACT_ON_UNSATISFACTORY = "act_on_unsatisfactory"
    CLOSE = "close"


def alternative_status(case: Case) -> AlternativeStatus:
    if case.closure_reason and case.closure_reason.verifies_an_alternative:
        return AlternativeStatus.VERIFIED
    if case.state == states.IN_SERVICE:
        last = _last_settled(case)
        if last is None:
            return AlternativeStatus.PENDING
        # a missed visit is not satisfactory
        return (
            AlternativeStatus.SATISFACTORY
            if last.satisfactory
            else AlternativeStatus.UNSATISFACTORY
        )
    if case.state == states.REFERRED and case.live_referral is not None:
        return AlternativeStatus.PENDING
    return AlternativeStatus.NONE


class Due(NamedTuple):
    """The next thing somebody must do on a case: what, who (a role, or the provider's
    code for a referral's answer and start), and by when."""

    action: Duty
    by: str
    at: datetime


def next_action_due(case: Case, rules: CountryRules) -> datetime | None:
    """When somebody must next act on the case; None when nobody must."""
    due = what_is_due(case, rules)
    return due.at if due else None


def what_is_due(case: Case, rules: CountryRules) -> Due | None:
    """What must happen next on the case, by whom and when; None when nothing must."""
    deadlines = rules.deadlines
    since = case.state_entered_at or case.opened_at
    if case.state == states.IN_SERVICE:
        return _due_in_service(case, rules, since)
    if case.state == states.REFERRED and case.live_referral is not None:
        live = case.live_referral
        if live.state == referral_states.SENT:
            return Due(Duty.ANSWER_REFERRAL, live.provider, live.due_at)
        started_by = (live.answered_at or since) + timedelta(days=deadlines.referral_answer_days)
        return Due(Duty.START_SERVICE, live.provider, started_by)
    if case.state not in states.ACTIVE:
        return None
    if case.priority is Priority.URGENT:
        hours = timedelta(hours=deadlines.urgent_referral_hours)
        return Due(Duty.REFER, SOCIAL_WORKER, _needs_referral_since(case) + hours)
    if case.state == states.IDENTIFIED:
        return Due(Duty.ASSESS, SOCIAL_WORKER, since + timedelta(days=deadlines.assess_within_days))
    return Due(Duty.REFER, SOCIAL_WORKER, since + timedelta(days=deadlines.refer_within_days))


def _due_in_service(case: Case, rules: CountryRules, since: datetime) -> Due:
    unsatisfactory = _unsatisfactory_since(case)
    if unsatisfactory is not None:  # not attending, working, or a visit missed: act now
        return Due(Duty.ACT_ON_UNSATISFACTORY, SOCIAL_WORKER, _start_of(unsatisfactory))
    done = case.done_follow_ups()
    if done and ready_to_close(case, rules.closing):  # closing is what is due now
        return Due(Duty.CLOSE, SOCIAL_WORKER, _start_of(done[-1].done_on or done[-1].due_on))
    scheduled = case.scheduled_follow_ups()
    if scheduled:
        return Due(Duty.VISIT, SOCIAL_WORKER, _start_of(scheduled[0].due_on))
    # Every follow-up is done (a case from before visits were kept ahead): act now.
    at = _start_of(done[-1].done_on or done[-1].due_on) if done else since
    return Due(Duty.VISIT, SOCIAL_WORKER, at)


def _last_settled(case: Case) -> FollowUp | None:
    """The latest follow-up done or missed: it says how the child is doing now."""
    settled = [f for f in case.follow_ups if f.state in (FollowUpState.DONE, FollowUpState.MISSED)]
    return max(settled, key=lambda f: f.done_on or f.due_on, default=None)


def _unsatisfactory_since(case: Case) -> date | None:
    """The day of the latest settled follow-up when it found no satisfactory alternative
    (not attending, working, or missed); None otherwise."""
    last = _last_settled(case)
    if last is None or last.satisfactory:
        return None
    return last.done_on or last.due_on


def _needs_referral_since(case: Case) -> datetime:
    """An urgent child must be referred within hours of being found: assessing the case
    does not restart that clock; a relapse, a reopening or a failed referral does."""
    last = case.last_referral
    if case.state == states.REFERRED and last is not None:
        return last.ended_at or last.answered_at or last.due_at
    if case.state == states.ASSESSED and _entered_by(case) == "assess":
        return case.opened_at
    return case.state_entered_at or case.opened_at


def _entered_by(case: Case) -> str | None:
    moves = (entry for entry in reversed(case.history) if entry.from_state != entry.to_state)
    return next((entry.trigger for entry in moves), None)


def _start_of(day: object) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)  # type: ignore[arg-type]
