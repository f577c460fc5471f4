"""What a user asks the system to do: one small, immutable object per use case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from clms.domain.model import Actor, Child, ClosureReason, Observation


@dataclass(frozen=True)
class Identify:
    child: Child
    observation: Observation
    now: datetime


@dataclass(frozen=True)
class CaseCommand:
    """Base of the commands that change one case. `expected_version`, when given, must be
    the version the user last saw: a stale write is a conflict, never applied."""

    case_number: str
    actor: Actor
    now: datetime
    reason: str = ""
    expected_version: int | None = None


@dataclass(frozen=True)
class Assess(CaseCommand):
    pass


@dataclass(frozen=True)
class ScreenOut(CaseCommand):
    pass


@dataclass(frozen=True)
class Refer(CaseCommand):
    provider: str = ""
    service_type: str = ""
    override_reason: str = ""


@dataclass(frozen=True)
class AnswerReferral(CaseCommand):
    accepted: bool = True


@dataclass(frozen=True)
class StartService(CaseCommand):
    started_on: date | None = None


@dataclass(frozen=True)
class RecordFollowUp(CaseCommand):
    visited_on: date | None = None
    attending: bool = True
    working: bool = False
    evidence: str = ""


@dataclass(frozen=True)
class Close(CaseCommand):
    closure: ClosureReason | None = None


@dataclass(frozen=True)
class Reopen(CaseCommand):
    pass


@dataclass(frozen=True)
class MarkLost(CaseCommand):
    pass


@dataclass(frozen=True)
class Resume(CaseCommand):
    pass
