"""What the API takes and gives (Pydantic), kept here in the web layer: the tables and the
domain do not change shape for the API, nor the API for them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from clms.domain.model import Case, Provider
from clms.domain.rules import CountryRules
from clms.services.cases import index_of
from clms.states import CASE_LIFECYCLE


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_at: datetime
    username: str
    role: str


class UserOut(Out):
    username: str
    role: str
    area: str
    language: str
    disabled_at: datetime | None = None


class UserIn(BaseModel):
    username: str = Field(max_length=64)
    role: str = Field(max_length=32)
    area: str = Field(default="", max_length=64)
    language: str = Field(default="ru", max_length=8)
    password: str = Field(max_length=256)


class PasswordIn(BaseModel):
    password: str = Field(max_length=256)


class ChildIn(BaseModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: date
    sex: str = Field(max_length=1)
    district: str = Field(max_length=32)


class IdentificationIn(BaseModel):
    """One child seen by a monitor. `submission_id` (or the Idempotency-Key header) makes a
    resent form one identification."""

    submission_id: str = Field(default="", max_length=128)
    child: ChildIn
    activities: list[str] = Field(default_factory=list, max_length=50)
    conditions: list[str] = Field(default_factory=list, max_length=50)
    hours_per_week: float | None = Field(default=None, ge=0, le=168)
    hours_per_day: float | None = Field(default=None, ge=0, le=24)
    parent_consent: bool = False
    free_time_only: bool = False
    in_school: bool = True
    basic_secondary: bool = False
    family_at_risk: bool = False
    school_holidays: bool = False
    authority_consent: bool = False
    load_kg: float | None = Field(default=None, ge=0, le=500)
    seen_at: datetime | None = None
    note: str = Field(default="", max_length=2000)


class IdentifiedOut(BaseModel):
    case: str
    outcome: str
    category: str
    reasons: list[str]


class ActionIn(BaseModel):
    """What an action on a case may carry; each action reads the fields it needs."""

    reason: str = Field(default="", max_length=2000)
    provider: str = Field(default="", max_length=32)
    service_type: str = Field(default="", max_length=32)
    override_reason: str = Field(default="", max_length=2000)
    accepted: bool = True
    started_on: date | None = None
    visited_on: date | None = None
    attending: bool | None = None
    working: bool | None = None
    evidence: str = Field(default="", max_length=2000)
    closure: str | None = Field(default=None, max_length=16)


class CaseSummaryOut(Out):
    number: str
    name: str
    district: str
    category: str
    priority: str
    state: str
    alternative_status: str
    next_action_due: datetime | None
    version: int
    ready_to_close: bool


class SubmissionOut(Out):
    submission_id: str
    recorded_at: datetime
    case_number: str
    name: str
    district: str
    category: str


class ReferralOut(Out):
    provider: str
    service_type: str
    state: str
    proposed_at: datetime
    due_at: datetime
    answered_at: datetime | None
    started_on: date | None
    ended_at: datetime | None
    override_reason: str


class FollowUpOut(Out):
    due_on: date
    state: str
    done_on: date | None
    attending: bool | None
    working: bool | None
    evidence: str


class HistoryOut(Out):
    seq: int
    at: datetime
    actor: str
    role: str
    trigger: str
    from_state: str
    to_state: str
    reason: str
    data: dict[str, Any]


class CaseOut(BaseModel):
    number: str
    version: int
    state: str
    allowed_now: list[str]
    category: str
    priority: str
    alternative_status: str
    next_action_due: datetime | None
    child: ChildIn
    closure_reason: str | None
    referrals: list[ReferralOut]
    follow_ups: list[FollowUpOut]
    history: list[HistoryOut]


class ProviderCaseOut(BaseModel):
    """A provider sees the minimum: who the child is and what it was asked for."""

    number: str
    version: int
    first_name: str
    last_name: str
    birth_date: date
    referrals: list[ReferralOut]


class ProviderOut(Out):
    code: str
    name: str
    district: str
    phone: str
    email: str
    webhook_url: str
    language: str
    offers: list[str] = Field(description='each "SERVICE_TYPE@DISTRICT"')


def provider_out(provider: Provider) -> ProviderOut:
    offers = sorted(f"{service}@{district}" for service, district in provider.offers)
    return ProviderOut.model_validate({**vars(provider), "offers": offers})


class ProviderIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    district: str = Field(max_length=32)
    offers: list[str] = Field(min_length=1, max_length=50)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    webhook_url: str = Field(default="", max_length=2000)
    language: str = Field(default="ru", max_length=8)


class ProviderChangeIn(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    webhook_url: str | None = Field(default=None, max_length=2000)
    language: str | None = Field(default=None, max_length=8)
    offers: list[str] | None = Field(default=None, min_length=1, max_length=50)


class StaffIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(max_length=32)
    area: str = Field(max_length=64)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    language: str = Field(default="ru", max_length=8)


class StaffChangeIn(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    area: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    language: str | None = Field(default=None, max_length=8)


class StaffOut(Out):
    id: int
    name: str
    role: str
    area: str
    phone: str
    email: str
    language: str


class StaffChangeOut(BaseModel):
    member: StaffOut
    uncovered: str | None


class ReminderOut(Out):
    id: int
    case_number: str
    rule: str
    recipient: str
    channel: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None


def case_out(case: Case, rules: CountryRules) -> CaseOut:
    index = index_of(case, rules)
    return CaseOut(
        number=case.number, version=case.version, state=case.state,
        allowed_now=CASE_LIFECYCLE.triggers_from(case.state),
        category=case.category.value, priority=case.priority.value,
        alternative_status=index.alternative_status.value,
        next_action_due=index.next_action_due,
        child=ChildIn.model_validate(case.child, from_attributes=True),
        closure_reason=case.closure_reason.value if case.closure_reason else None,
        referrals=[ReferralOut.model_validate(r) for r in case.referrals],
        follow_ups=[FollowUpOut.model_validate(f) for f in case.follow_ups],
        history=[HistoryOut.model_validate(h) for h in case.history],
    )  # fmt: skip


def provider_case_out(case: Case, provider: str) -> ProviderCaseOut:
    mine = [r for r in case.referrals if r.provider == provider]
    return ProviderCaseOut(
        number=case.number, version=case.version, first_name=case.child.first_name,
        last_name=case.child.last_name, birth_date=case.child.birth_date,
        referrals=[ReferralOut.model_validate(r) for r in mine],
    )  # fmt: skip
