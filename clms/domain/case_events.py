"""The changes to a case that keep its state: an identification attached, a referral
answered or expired, a visit recorded, a follow-up missed, attendance reported. Each
changes the aggregate and appends one history row, like a transition (lifecycle.fire);
the services only load, call one of these, and save."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from clms.domain.closing import next_closing_visit, ready_to_close
from clms.domain.errors import Refused
from clms.domain.lifecycle import Act, fire, fire_referral, note
from clms.domain.model import (
    Case,
    Child,
    FollowUp,
    FollowUpState,
    Identification,
)
from clms.states import case as case_states


@dataclass(frozen=True)
class Visit:
    """What a follow-up found: where the evidence came from, and the child's situation."""

    on: date
    attending: bool
    working: bool | None  # None: not known (a school sees attendance, not work)
    note: str = ""
    evidence: str = ""


def open_case(child: Child, identification: Identification, act: Act) -> Case:
    """A new case for a child seen for the first time, opened by `act` (the monitor's)."""
    category = identification.classification.category
    case = Case(
        number="",
        country=act.rules.code,
        child=child,
        category=category,
        opened_at=act.now,
        state_entered_at=act.now,
        identifications=[identification],
    )
    submission = identification.observation.submission_id
    data = {"submission_id": submission, "category": category.value}
    note(case, "identify", replace(act, data=data), source="")
    return case


def attach_identification(case: Case, identification: Identification, act: Act) -> None:
    """The child was seen again: the finding joins the open case and may only raise its
    category (a worse finding makes the case more urgent, a milder one changes nothing)."""
    found = identification.classification.category
    data = {"submission_id": identification.observation.submission_id, "category": found.value}
    if found.severity < case.category.severity:
        data["category_raised_from"] = case.category.value
        case.category = found
    case.identifications.append(identification)
    note(case, "attach_identification", replace(act, data=data))


def answer_referral(case: Case, accepted: bool, act: Act) -> None:
    """The provider's answer; a declined referral leaves the case needing a new one."""
    referral = case.live_referral
    if referral is None:
        raise Refused(f"cannot record an answer: case {case.number} has no live referral")
    fire_referral(case, referral, "accept" if accepted else "decline")
    referral.answered_at, referral.answer_note = act.now, act.reason
    data = {"provider": referral.provider, "answer": referral.state}
    note(case, "referral_answered", replace(act, data=data))


def expire_referral(case: Case, provider: str, act: Act) -> None:
    """No answer in time: the referral expires and the case needs a new one."""
    referral = case.live_referral
    assert referral is not None and referral.provider == provider  # the check found it so
    fire_referral(case, referral, "expire")
    referral.ended_at = act.now
    note(case, "referral_expired", act)


def record_visit(case: Case, visit: Visit, act: Act) -> None:
    """A follow-up visit's outcome; a child found working again relapses to assessment."""
    complete_follow_up(_slot_for_visit(case, visit.on), visit)
    data = {"visited_on": visit.on.isoformat(), "attending": visit.attending,
            "working": visit.working}  # fmt: skip
    note(case, "record_follow_up", replace(act, data=data))
    if visit.working:
        fire(case, "relapse", replace(act, data={"visited_on": visit.on.isoformat()}))
    _keep_a_visit_ahead(case, act)


def report_attendance(case: Case, follow_up_id: int, visit: Visit, act: Act) -> None:
    """A school's attendance report is the evidence for the follow-up it was asked about,
    while that follow-up is still open; after that it is kept in the history only."""
    follow_up = follow_up_by_id(case, follow_up_id)
    if follow_up is not None and _awaits_evidence(case, follow_up):
        complete_follow_up(follow_up, visit)
    note(case, "attendance_reported", act)
    _keep_a_visit_ahead(case, act)


def miss_follow_up(case: Case, follow_up_id: int, act: Act) -> None:
    """A follow-up long overdue counts as a failed contact."""
    follow_up = follow_up_by_id(case, follow_up_id)
    assert follow_up is not None  # the check found it on this case
    follow_up.state = FollowUpState.MISSED
    case.failed_contacts += 1
    note(case, "follow_up_missed", act)


def complete_follow_up(follow_up: FollowUp, visit: Visit) -> None:
    follow_up.state, follow_up.done_on = FollowUpState.DONE, visit.on
    follow_up.attending, follow_up.working = visit.attending, visit.working
    follow_up.note, follow_up.evidence = visit.note, visit.evidence


def follow_up_by_id(case: Case, follow_up_id: int) -> FollowUp | None:
    return next((f for f in case.follow_ups if f.id == follow_up_id), None)


def _keep_a_visit_ahead(case: Case, act: Act) -> None:
    """A case in service always has its next visit scheduled until it can close: when the
    schedule runs out before the closing rule is met (a run of visits broken by a bad one),
    one more follow-up is scheduled on the first day a visit can meet it, and the
    follow-up reminders chase it like any other."""
    policy = act.rules.closing
    if case.state != case_states.IN_SERVICE or case.scheduled_follow_ups():
        return
    if ready_to_close(case, policy):
        return
    interval = act.rules.follow_up_days[0] if act.rules.follow_up_days else 30
    case.follow_ups.append(FollowUp(due_on=next_closing_visit(case, policy, interval)))


def _awaits_evidence(case: Case, follow_up: FollowUp) -> bool:
    return follow_up.state is FollowUpState.SCHEDULED and case.state == case_states.IN_SERVICE


def _slot_for_visit(case: Case, on: date) -> FollowUp:
    """The visit counts for the scheduled follow-up nearest its date (the earlier of two
    as near), or is an extra one: a visit on day 88 is the day-90 visit, not a late day-30
    one that would leave the day-90 slot to fall overdue."""
    scheduled = sorted(case.scheduled_follow_ups(), key=lambda f: f.due_on)
    if scheduled:
        return min(scheduled, key=lambda f: abs((f.due_on - on).days))
    extra = FollowUp(due_on=case.service_started_on or date.min)
    case.follow_ups.append(extra)
    return extra
