"""A school's one-click answer to an attendance check: recorded as an attendance report
that serves as the evidence for the follow-up it was asked about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from clms.domain import case_events
from clms.domain.case_events import Visit
from clms.domain.errors import one_of
from clms.domain.lifecycle import Act
from clms.domain.model import Actor, Case, FollowUp, Role
from clms.domain.rules import CountryRules
from clms.ports import AnswerToken, UnitOfWork
from clms.services import cases
from clms.tokens import InvalidToken, UsedToken, verify


class AttendanceAnswer(StrEnum):
    REGULARLY = "attending_regularly"
    IRREGULARLY = "attending_irregularly"
    NOT_ATTENDING = "not_attending"
    NOT_KNOWN = "not_known"


@dataclass(frozen=True)
class AnswerRequest:
    """What the answer page shows before the school clicks."""

    child: str
    provider: str
    follow_up_due: str


def open_answer(token: str, now: datetime, uow: UnitOfWork, secret: bytes) -> AnswerRequest:
    """Checks the link (forged, expired, used) and says what it is about."""
    with uow:
        stored = _stored_token(token, now, uow, secret)
        if stored.used_at is not None:
            raise UsedToken("this link has already been used: thank you, your answer is recorded")
        case = _case_of(stored, uow)
        provider = uow.providers.get(stored.provider_code).name
        due = _follow_up_of(case, stored).due_on
        return AnswerRequest(
            f"{case.child.first_name} {case.child.last_name[:1]}.", provider, due.isoformat()
        )


def record_answer(
    token: str, answer: str, now: datetime, uow: UnitOfWork, rules: CountryRules, secret: bytes
) -> str:
    """Records the school's answer once; returns the case number. The token is used up in
    the same transaction, so a second click or a replayed link changes nothing."""
    choice = _choice(answer)
    with uow:
        stored = _stored_token(token, now, uow, secret)
        if not uow.tokens.use(stored.token_id, now):
            raise UsedToken("this link has already been used: thank you, your answer is recorded")
        uow.tokens.record_report(stored, choice.value, now)
        case = _case_of(stored, uow)
        _apply_to_follow_up(case, stored, choice, now, rules)
        uow.cases.save(case, cases.index_of(case, rules))
        uow.commit()
        return case.number


def _choice(answer: str) -> AttendanceAnswer:
    return AttendanceAnswer(one_of(answer, (a.value for a in AttendanceAnswer), "answer"))


def _stored_token(token: str, now: datetime, uow: UnitOfWork, secret: bytes) -> AnswerToken:
    stored = uow.tokens.get(verify(token, secret, now))
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


def _apply_to_follow_up(
    case: Case, stored: AnswerToken, choice: AttendanceAnswer, now: datetime, rules: CountryRules
) -> None:
    """The report is the follow-up's evidence: attending regularly is satisfactory;
    irregular attendance, absence or a child unknown at the school is not. A school sees
    attendance, not work: a child found working is still a social worker's finding."""
    follow_up = _follow_up_of(case, stored)
    evidence = f"school attendance report: {choice.value.replace('_', ' ')}"
    data = {"answer": choice.value, "follow_up_due": follow_up.due_on.isoformat()}
    act = Act(Actor(stored.provider_code, Role.PROVIDER), now, rules, reason=evidence, data=data)
    attending = choice is AttendanceAnswer.REGULARLY
    visit = Visit(now.date(), attending, False if attending else None, evidence=evidence)
    case_events.report_attendance(case, stored.follow_up_id, visit, act)
