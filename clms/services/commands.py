"""What a user, a flow or a page asks the system to do: one small, immutable object per use
case, handed to `App.handle` (clms.bootstrap), which finds its handler
(clms.services.handlers). A command names the type of its result, so `handle` is typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from clms.domain.access import User
from clms.domain.check import CheckRule
from clms.domain.duplicates import Confirmed, PossibleDuplicate
from clms.domain.model import Actor, Case, Child, ClosureReason, Observation, Provider
from clms.ports import AccessEntry, CaseQuery, CaseSummary, StaffMember, StoredReminder, Submission

if TYPE_CHECKING:  # results named in the base classes below, as strings (no import cycle)
    from clms.services.answers import AnswerRequest  # noqa: F401
    from clms.services.cases import Identified  # noqa: F401
    from clms.services.check import ChunkResult  # noqa: F401
    from clms.services.directory import StaffChange  # noqa: F401
    from clms.services.users import Session  # noqa: F401

Result = TypeVar("Result", covariant=True)


class Command(Generic[Result]):
    """Base of every command; `Result` is what its handler returns."""


# --- cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identify(Command["Identified"]):
    child: Child
    observation: Observation
    now: datetime


@dataclass(frozen=True)
class CaseCommand(Command[Case]):
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
    # Both must be said: a visit without its outcome must not count as satisfactory.
    attending: bool | None = None
    working: bool | None = None
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


@dataclass(frozen=True)
class GetCase(Command[Case]):
    case_number: str


@dataclass(frozen=True)
class ListCases(Command[list[CaseSummary]]):
    query: CaseQuery


@dataclass(frozen=True)
class ListSubmissions(Command[list[Submission]]):
    """A monitor's own identifications, newest first: the door names the monitor."""

    monitor: str = ""
    limit: int = 50


@dataclass(frozen=True)
class FindOpenCase(Command[Case | None]):
    """The open case of `child` (matched as an identification would attach), if any."""

    child: Child


# --- the directory ----------------------------------------------------------------------


@dataclass(frozen=True)
class AddProvider(Command[Provider]):
    """Returns the provider as stored (its phone number normalized)."""

    provider: Provider


@dataclass(frozen=True)
class UpdateProvider(Command[Provider]):
    """Changes what is given (None: as it is). `offers`, when given, replace them all, each
    "SERVICE_TYPE" (in the provider's own district) or "SERVICE_TYPE@DISTRICT"."""

    code: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    webhook_url: str | None = None
    language: str | None = None
    offers: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RemoveProvider(Command[None]):
    """Refused while a referral to it is live."""

    code: str
    now: datetime


@dataclass(frozen=True)
class ListProviders(Command[list[Provider]]):
    pass


@dataclass(frozen=True)
class AddStaff(Command[StaffMember]):
    """Returns the member as stored, with its id."""

    member: StaffMember


@dataclass(frozen=True)
class UpdateStaff(Command["StaffChange"]):
    """Changes what is given (None: as it is)."""

    member_id: int
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    language: str | None = None
    area: str | None = None


@dataclass(frozen=True)
class RemoveStaff(Command["StaffChange"]):
    member_id: int


@dataclass(frozen=True)
class ListStaff(Command[list[StaffMember]]):
    pass


# --- the daily check, the reminders and the answers to them ------------------------------


@dataclass(frozen=True)
class FindCheckChunks(Command[list[list[int]]]):
    """The cases `rule` finds (of `region`, or all), in chunks of the configured size."""

    rule: CheckRule
    now: datetime
    region: str | None = None


@dataclass(frozen=True)
class ActOnCheckChunk(Command["ChunkResult"]):
    rule: CheckRule
    case_ids: list[int]
    now: datetime


@dataclass(frozen=True)
class DeliverDue(Command[dict[str, int]]):
    """Send one batch of due reminders as `worker`; returns the outcomes counted."""

    worker: str


@dataclass(frozen=True)
class WaitingWithoutChannel(Command[dict[str, int]]):
    """How many reminders wait for a channel with no adapter configured, by channel."""


@dataclass(frozen=True)
class ListReminders(Command[list[StoredReminder]]):
    status: str | None = None
    limit: int = 100
    case_number: str | None = None  # one case's reminders only


@dataclass(frozen=True)
class RequeueDead(Command[int]):
    """Dead reminders (those `ids`, or all) go out again."""

    ids: list[int] | None
    now: datetime


@dataclass(frozen=True)
class OpenAnswer(Command["AnswerRequest"]):
    """What a school's answer link asks about and where it stands (open, answered and
    still changeable, answered, expired): the link checked, nothing written."""

    token: str
    now: datetime


@dataclass(frozen=True)
class RecordAnswer(Command[str]):
    """A school's one-click answer; returns the case number."""

    token: str
    answer: str
    now: datetime


@dataclass(frozen=True)
class CorrectAnswer(Command[str]):
    """A school changes its answer shortly after a wrong click ([check]
    answer_correction_minutes); returns the case number. Refused after the window."""

    token: str
    answer: str
    now: datetime


@dataclass(frozen=True)
class CancelReferral(CaseCommand):
    """The live referral (sent or accepted) was to the wrong place, or its provider closed:
    it is cancelled, with the reason required, and the case needs a new one."""


# --- possible duplicates (clms.domain.duplicates) ----------------------------------------


@dataclass(frozen=True)
class ListPossibleDuplicates(Command[list[PossibleDuplicate]]):
    status: str | None = "open"  # open, confirmed or dismissed; None: all
    limit: int = 100


@dataclass(frozen=True)
class ConfirmDuplicate(Command[Confirmed]):
    """The flagged cases are one child: the new one closes into the old one if that is open."""

    new_case: str
    old_case: str
    actor: Actor
    now: datetime
    reason: str


@dataclass(frozen=True)
class DismissDuplicate(Command[PossibleDuplicate]):
    """The flagged cases are different children: the flag is kept, dismissed."""

    new_case: str
    old_case: str
    actor: Actor
    now: datetime
    reason: str


# --- users and sessions (clms.services.users) ---------------------------------------------


@dataclass(frozen=True)
class AddUser(Command[User]):
    user: User
    password: str = field(repr=False)


@dataclass(frozen=True)
class GetUser(Command[User]):
    username: str


@dataclass(frozen=True)
class ListUsers(Command[list[User]]):
    pass


@dataclass(frozen=True)
class DisableUser(Command[User]):
    username: str


@dataclass(frozen=True)
class ResetPassword(Command[User]):
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class LogIn(Command["Session"]):
    """A page session ("page") or an API token ("api") for the right password."""

    username: str
    password: str = field(repr=False)
    kind: str = "page"


@dataclass(frozen=True)
class WhoHolds(Command[tuple[User, str]]):
    """The user holding a session or API token, and which kind it is."""

    token: str = field(repr=False)


@dataclass(frozen=True)
class LogOut(Command[None]):
    token: str = field(repr=False)


@dataclass(frozen=True)
class SetMode(Command[str]):
    """ "simulation" (the demo, the tests: commands may name their time) or "real"."""

    mode: str


@dataclass(frozen=True)
class GetMode(Command[str]):
    pass


@dataclass(frozen=True)
class ReadAccessLog(Command[list[AccessEntry]]):
    limit: int = 100
    username: str | None = None
