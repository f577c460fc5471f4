"""A school's one-click answer to an attendance check: recorded as an attendance report
that serves as the evidence for the follow-up it was asked about. A wrong click can be
corrected for a short while ([check] answer_correction_minutes) through the same link;
after that the answer stands and only the social worker can change the follow-up."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from clms.domain import case_events
from clms.domain.case_events import Visit
from clms.domain.errors import Refused, one_of
from clms.domain.lifecycle import Act, note
from clms.domain.model import Actor, Case, FollowUp, FollowUpState, Role
from clms.domain.rules import CheckPolicy, CountryRules
from clms.ports import AnswerToken, UnitOfWork
from clms.services import cases
from clms.services.telling import contact_line
from clms.states import case as case_states
from clms.tokens import InvalidToken, UsedToken, signed_claim, verify

# The history rows that carry a school's answer: the first, then each correction.
ANSWERED = ("attendance_reported", "attendance_corrected")


class AttendanceAnswer(StrEnum):
    REGULARLY = "attending_regularly"
    IRREGULARLY = "attending_irregularly"
    NOT_ATTENDING = "not_attending"
    NOT_KNOWN = "not_known"


class LinkState(StrEnum):
    OPEN = "open"  # waiting for the school's answer
    CHANGEABLE = "changeable"  # answered; a wrong click can still be corrected
    ANSWERED = "answered"  # answered for good: the social worker can change it
    EXPIRED = "expired"  # never answered, and too late now


class TooLateToChange(Refused):
    """A correction after the window: the answer stands."""


@dataclass(frozen=True)
class AnswerRequest:
    """What the answer page shows: the question, in the school's language, and once
    answered, the answer recorded and for how many more minutes it can be changed."""

    child: str
    provider: str
    follow_up_due: str
    language: str  # the school's, from the service directory
    social_worker: str  # the district's social worker to contact ("name, phone"), or ""
    state: LinkState
    answer: str | None = None
    minutes_to_change: int = 0


def open_answer(
    token: str, now: datetime, uow: UnitOfWork, secret: bytes, policy: CheckPolicy
) -> AnswerRequest:
    """Checks the link (forged: InvalidToken) and says what it is about and where it
    stands; an expired or answered link still says so in the school's language."""
    with uow:
        stored = _genuine_token(token, uow, secret)
        case = _case_of(stored, uow)
        follow_up = _follow_up_of(case, stored)
        provider = uow.providers.get(stored.provider_code)
        worker = uow.staff.contact(Role.SOCIAL_WORKER.value, case.child.district)
        state, minutes = _state_of(stored, now, policy)
        answer = None if stored.used_at is None else _recorded_answer(case, stored, follow_up)
        return AnswerRequest(
            f"{case.child.first_name} {case.child.last_name[:1]}.", provider.name,
            follow_up.due_on.isoformat(), provider.language, contact_line(worker), state,
            answer, minutes,
        )  # fmt: skip


def record_answer(
    token: str, answer: str, now: datetime, uow: UnitOfWork, rules: CountryRules, secret: bytes
) -> str:
    """Records the school's answer once; returns the case number. The token is used up in
    the same transaction, so a second click or a replayed link changes nothing."""
    choice = _choice(answer)
    with uow:
        stored = _valid_token(token, now, uow, secret)
        if not uow.tokens.use(stored.token_id, now):
            raise UsedToken("this link has already been used: thank you, your answer is recorded")
        uow.tokens.record_report(stored, choice.value, now)
        case = _case_of(stored, uow)
        _apply_to_follow_up(case, stored, choice, now, rules)
        uow.cases.save(case, cases.index_of(case, rules))
        uow.commit()
        return case.number


def correct_answer(
    token: str, answer: str, now: datetime, uow: UnitOfWork, rules: CountryRules, secret: bytes
) -> str:
    """Replaces the school's answer within the correction window after its first click;
    returns the case number. The first answer stays in the history and the reports: the
    correction is one more of each. The same answer again changes nothing."""
    choice = _choice(answer)
    with uow:
        stored = _genuine_token(token, uow, secret)
        _refuse_unless_changeable(stored, now, rules.check)
        case = _case_of(stored, uow)
        follow_up = _follow_up_of(case, stored)
        previous = _recorded_answer(case, stored, follow_up)
        if previous == choice.value:
            return case.number
        uow.tokens.record_report(stored, choice.value, now)
        _correct_follow_up(case, follow_up, stored, (previous, choice), now, rules)
        uow.cases.save(case, cases.index_of(case, rules))
        uow.commit()
        return case.number


def _choice(answer: str) -> AttendanceAnswer:
    return AttendanceAnswer(one_of(answer, (a.value for a in AttendanceAnswer), "answer"))


def _valid_token(token: str, now: datetime, uow: UnitOfWork, secret: bytes) -> AnswerToken:
    """Genuine and not expired (ExpiredToken)."""
    return _row_of(verify(token, secret, now), uow)


def _genuine_token(token: str, uow: UnitOfWork, secret: bytes) -> AnswerToken:
    """Genuine, expired or not: a school may open an old link, and correct a click made
    just before the link expired."""
    token_id, _ = signed_claim(token, secret)
    return _row_of(token_id, uow)


def _row_of(token_id: str, uow: UnitOfWork) -> AnswerToken:
    stored = uow.tokens.get(token_id)
    if stored is None:
        raise InvalidToken("this link is not valid")
    return stored


def _case_of(stored: AnswerToken, uow: UnitOfWork) -> Case:
    return uow.cases.get(uow.cases.number_of(stored.case_id))


def _follow_up_of(case: Case, stored: AnswerToken) -> FollowUp:
    found = case_events.follow_up_by_id(case, stored.follow_up_id)
    if found is None:
        raise InvalidToken("this link is not valid")
    return found


# --- where a link stands ----------------------------------------------------------------


def _window(policy: CheckPolicy) -> timedelta:
    return timedelta(minutes=policy.answer_correction_minutes)


def _state_of(stored: AnswerToken, now: datetime, policy: CheckPolicy) -> tuple[LinkState, int]:
    """The link's state, and the minutes left to change the answer (rounded up)."""
    if stored.used_at is None:
        return (LinkState.EXPIRED if now >= stored.expires_at else LinkState.OPEN), 0
    left = (stored.used_at + _window(policy) - now).total_seconds()
    if left <= 0:
        return LinkState.ANSWERED, 0
    return LinkState.CHANGEABLE, math.ceil(left / 60)


def _refuse_unless_changeable(stored: AnswerToken, now: datetime, policy: CheckPolicy) -> None:
    if stored.used_at is None:
        raise Refused("cannot change the answer: this link has not been answered yet")
    if now >= stored.used_at + _window(policy):
        raise TooLateToChange(
            f"cannot change the answer: it was recorded at {stored.used_at:%Y-%m-%d %H:%M} UTC "
            f"and could be corrected for {policy.answer_correction_minutes} minutes "
            "([check] answer_correction_minutes); the district social worker can change the "
            "follow-up"
        )


def _recorded_answer(case: Case, stored: AnswerToken, follow_up: FollowUp) -> str:
    """The school's latest answer about this follow-up, as the case's history tells it
    ("" if it tells none: the history row is written with the answer, so never)."""
    due = follow_up.due_on.isoformat()
    told = [
        str(entry.data["answer"])
        for entry in case.history
        if entry.trigger in ANSWERED
        and entry.actor == stored.provider_code
        and entry.data.get("follow_up_due") == due
    ]
    return told[-1] if told else ""


# --- what an answer changes -------------------------------------------------------------


def _apply_to_follow_up(
    case: Case, stored: AnswerToken, choice: AttendanceAnswer, now: datetime, rules: CountryRules
) -> None:
    """The report is the follow-up's evidence: attending regularly is satisfactory;
    irregular attendance, absence or a child unknown at the school is not. A school sees
    attendance, not work: a child found working is still a social worker's finding."""
    follow_up = _follow_up_of(case, stored)
    data = {"answer": choice.value, "follow_up_due": follow_up.due_on.isoformat()}
    act = _school_act(stored, now, rules, _evidence(choice.value), data)
    case_events.report_attendance(case, stored.follow_up_id, _visit(choice, now), act)


def _correct_follow_up(
    case: Case,
    follow_up: FollowUp,
    stored: AnswerToken,
    answers: tuple[str, AttendanceAnswer],
    now: datetime,
    rules: CountryRules,
) -> None:
    """The corrected answer becomes the follow-up's evidence where the first one was,
    while the case is still in service; either way one history row says what changed."""
    previous, choice = answers
    evidence = _evidence(choice.value)
    if (
        follow_up.state is FollowUpState.DONE
        and follow_up.evidence == _evidence(previous)
        and case.state == case_states.IN_SERVICE
    ):
        case_events.complete_follow_up(follow_up, _visit(choice, now))
    data = {"answer": choice.value, "previous_answer": previous,
            "follow_up_due": follow_up.due_on.isoformat()}  # fmt: skip
    reason = f"{evidence} (corrected by the school; it was: {previous.replace('_', ' ')})"
    note(case, "attendance_corrected", _school_act(stored, now, rules, reason, data))


def _school_act(
    stored: AnswerToken, now: datetime, rules: CountryRules, reason: str, data: dict[str, str]
) -> Act:
    return Act(Actor(stored.provider_code, Role.PROVIDER), now, rules, reason=reason, data=data)


def _evidence(answer: str) -> str:
    return f"school attendance report: {answer.replace('_', ' ')}"


def _visit(choice: AttendanceAnswer, now: datetime) -> Visit:
    attending = choice is AttendanceAnswer.REGULARLY
    evidence = _evidence(choice.value)
    return Visit(now.date(), attending, False if attending else None, evidence=evidence)
