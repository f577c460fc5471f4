"""The HTTP API (/api/…, described at /openapi.json): thin, each endpoint turns its request
into one command for the one door, as the logged-in user, and its result into a schema of
clms.web.schemas. Who may do what is decided at the door, never here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from clms.bootstrap import App
from clms.domain.access import User
from clms.domain.errors import Conflict, InvalidInput, Refused, one_of
from clms.domain.model import Child, ClosureReason, Observation, Role
from clms.ports import CaseQuery
from clms.services import commands as c
from clms.web import schemas as s
from clms.web.auth import CurrentUser, UserApp, system_of, token_of
from clms.web.problems import refusal_problem

router = APIRouter(prefix="/api")
Build = Callable[[str, s.ActionIn, int | None], c.CaseCommand]


def _case_command(kind: type[c.CaseCommand], *names: str) -> Build:
    """An action that passes the named fields of its body on to the command `kind`. The
    actor and the time are placeholders: the door puts the server's in."""

    def build(number: str, body: s.ActionIn, version: int | None) -> c.CaseCommand:
        extra = {name: getattr(body, name) for name in names}
        return kind(number, SERVER, NOW, body.reason, version, **extra)

    return build


def _close(number: str, body: s.ActionIn, version: int | None) -> c.CaseCommand:
    closure = ClosureReason(one_of(body.closure or "", [r.value for r in ClosureReason], "closure"))
    return c.Close(number, SERVER, NOW, body.reason, version, closure)


# The actions on a case: the path's last part → the command it becomes.
ACTIONS: dict[str, Build] = {
    "assess": _case_command(c.Assess),
    "screen-out": _case_command(c.ScreenOut),
    "refer": _case_command(c.Refer, "provider", "service_type", "override_reason"),
    "answer-referral": _case_command(c.AnswerReferral, "accepted"),
    "cancel-referral": _case_command(c.CancelReferral),
    "start-service": _case_command(c.StartService, "started_on"),
    "follow-up": _case_command(c.RecordFollowUp, "visited_on", "attending", "working", "evidence"),
    "close": _close,
    "reopen": _case_command(c.Reopen),
    "mark-lost": _case_command(c.MarkLost),
    "resume": _case_command(c.Resume),
}
# The actions offered for each trigger the lifecycle allows: answering and cancelling a
# referral happen while referred; a relapse is found by a follow-up visit.
ACTIONS_FOR_TRIGGER: dict[str, tuple[str, ...]] = {
    "assess": ("assess",),
    "screen_out": ("screen-out",),
    "refer": ("refer",),
    "cancel_referral": ("answer-referral", "cancel-referral"),
    "start_service": ("start-service",),
    "relapse": ("follow-up",),
    "close": ("close",),
    "reopen": ("reopen",),
    "mark_lost": ("mark-lost",),
    "resume": ("resume",),
}
SERVER = User("server", Role.SYSTEM).actor  # replaced at the door by the logged-in user
NOW = datetime(2000, 1, 1, tzinfo=UTC)  # replaced at the door too


async def _ask(system: App, command: c.Command[Any]) -> Any:
    """The door, in a worker thread: the database work must not block the event loop."""
    return await run_in_threadpool(system.handle, command)


# --- sessions -------------------------------------------------------------------------


@router.post("/sessions", status_code=201, response_model=s.TokenOut, tags=["sessions"])
async def log_in(request: Request, body: s.LoginIn) -> s.TokenOut:
    """An API token for the right password (it expires; see expires_at)."""
    request.app.state.login_throttle.allow(request.client.host if request.client else "")
    session = await _ask(system_of(request), c.LogIn(body.username, body.password, "api"))
    user = session.user
    return s.TokenOut(token=session.token, expires_at=session.expires_at,
                      username=user.username, role=str(user.role))  # fmt: skip


@router.delete("/sessions/current", status_code=204, tags=["sessions"])
async def log_out(request: Request, user: CurrentUser) -> Response:
    await _ask(system_of(request), c.LogOut(token_of(request)))
    return Response(status_code=204)


@router.get("/me", response_model=s.UserOut, tags=["sessions"])
async def me(user: CurrentUser) -> s.UserOut:
    return s.UserOut.model_validate(user)


# --- identifications and cases -----------------------------------------------------------


@router.post("/identifications", response_model=s.IdentifiedOut, tags=["cases"])
async def identify(
    system: UserApp,
    body: s.IdentificationIn,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> s.IdentifiedOut:
    """Log one child. The submission id (or Idempotency-Key) makes a resent form one
    identification: 201 the first time, 200 with the same answer after."""
    submission = _submission_id(body.submission_id, idempotency_key)
    now = system.clock()
    seen = observation_of(body, submission, system.user.username, body.seen_at or now)
    child = Child(**body.child.model_dump())
    result = await _ask(system, c.Identify(child, seen, now))
    response.status_code = 200 if result.outcome == "already recorded" else 201
    return s.IdentifiedOut(case=result.case_number, outcome=result.outcome,
                           category=result.classification.category.value,
                           reasons=list(result.classification.reasons))  # fmt: skip


def observation_of(
    body: s.IdentificationIn, submission: str, monitor: str, seen_at: datetime
) -> Observation:
    """What the monitor saw, from the API's body or the phone form's fields."""
    return Observation(
        submission, monitor, seen_at, tuple(body.activities),
        tuple(body.conditions), body.hours_per_week, body.parent_consent, body.free_time_only,
        body.in_school, body.basic_secondary, body.family_at_risk, body.note,
        hours_per_day=body.hours_per_day, school_holidays=body.school_holidays,
        authority_consent=body.authority_consent, load_kg=body.load_kg,
    )  # fmt: skip


def _submission_id(in_body: str, header: str | None) -> str:
    if in_body and header and in_body != header:
        raise InvalidInput(
            "the Idempotency-Key differs from the submission_id", field="submission_id"
        )
    key = in_body or header or ""
    if not key.strip():
        raise InvalidInput(
            "a submission_id or an Idempotency-Key header is needed", field="submission_id"
        )
    return key.strip()


@router.get("/identifications", response_model=list[s.SubmissionOut], tags=["cases"])
async def my_identifications(
    system: UserApp, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[s.SubmissionOut]:
    """A monitor's own identifications, newest first: which arrived, as which case."""
    found = await _ask(system, c.ListSubmissions(limit=limit))
    return [s.SubmissionOut.model_validate(row) for row in found]


@router.get("/cases", response_model=list[s.CaseSummaryOut], tags=["cases"])
async def list_cases(
    system: UserApp,
    state: str | None = None,
    district: str | None = None,
    priority: str | None = None,
    overdue: bool = False,
    ready_to_close: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[s.CaseSummaryOut]:
    """The cases of your area: overdue first, then by the next action due."""
    overdue_at = system.clock() if overdue else None
    query = CaseQuery(state, district, priority, overdue_at, ready_to_close, limit, offset=offset)
    found = await _ask(system, c.ListCases(query))
    return [s.CaseSummaryOut.model_validate(row) for row in found]


@router.get("/cases/{number}", response_model=s.CaseOut | s.ProviderCaseOut, tags=["cases"])
async def get_case(system: UserApp, number: str, response: Response) -> Any:
    """One case with its referrals, follow-ups and history (a provider: the minimum)."""
    case = await _ask(system, c.GetCase(number))
    response.headers["ETag"] = f'"{case.version}"'
    if system.user.role is Role.PROVIDER:
        return s.provider_case_out(case, system.user.area)
    return s.case_out(case, system.rules)


@router.post("/cases/{number}/{action}", response_model=s.CaseOut, tags=["cases"])
async def act(
    system: UserApp,
    number: str,
    action: str,
    body: s.ActionIn,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=64)] = None,
) -> Any:
    """An action on the case (one of ACTIONS). With If-Match (the version last seen), a
    case changed since is a 409 with its current version, never overwritten."""
    build = ACTIONS.get(one_of(action, ACTIONS, "action"))
    assert build is not None
    try:
        case = await _ask(system, build(number, body, _version(if_match)))
    except Conflict as stale:
        current = await _ask(system, c.GetCase(number))
        return refusal_problem(stale, current_version=current.version)
    except Refused as refused:  # named as this API names its actions, not as triggers
        return refusal_problem(refused, allowed_now=actions_for(refused.allowed_now))
    response.headers["ETag"] = f'"{case.version}"'
    return s.case_out(case, system.rules)


def actions_for(triggers: Iterable[str]) -> list[str]:
    """The lifecycle's triggers as the actions of this API (and of the case page)."""
    return [action for t in triggers for action in ACTIONS_FOR_TRIGGER.get(t, ())]


def _version(if_match: str | None) -> int | None:
    """The version in an If-Match header: `"3"`, `W/"3"` or `3`."""
    if if_match is None:
        return None
    digits = if_match.strip().removeprefix("W/").strip('"')
    if not digits.isdigit():
        raise InvalidInput('If-Match must be the case\'s version, e.g. "3"', field="If-Match")
    return int(digits)


@router.get("/reminders", response_model=list[s.ReminderOut], tags=["reminders"])
async def reminders(
    system: UserApp,
    case: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[s.ReminderOut]:
    """Who was told what (an administrator: all; a case worker: one case's)."""
    found = await _ask(system, c.ListReminders(status, limit, case))
    return [s.ReminderOut.model_validate(r) for r in found]


# --- the directory and the users -----------------------------------------------------------


@router.get("/providers", response_model=list[s.ProviderOut], tags=["directory"])
async def providers(system: UserApp) -> list[s.ProviderOut]:
    return [s.provider_out(p) for p in await _ask(system, c.ListProviders())]


@router.get("/users", response_model=list[s.UserOut], tags=["users"])
async def users(system: UserApp) -> list[s.UserOut]:
    return [s.UserOut.model_validate(u) for u in await _ask(system, c.ListUsers())]


@router.post("/users", status_code=201, response_model=s.UserOut, tags=["users"])
async def add_user(system: UserApp, body: s.UserIn) -> s.UserOut:
    role = one_of(body.role, [r.value for r in Role], "role")
    user = User(body.username, Role(role), body.area, body.language)
    return s.UserOut.model_validate(await _ask(system, c.AddUser(user, body.password)))


@router.post("/users/{username}/disable", response_model=s.UserOut, tags=["users"])
async def disable_user(system: UserApp, username: str) -> s.UserOut:
    return s.UserOut.model_validate(await _ask(system, c.DisableUser(username)))


@router.post("/users/{username}/password", response_model=s.UserOut, tags=["users"])
async def reset_password(system: UserApp, username: str, body: s.PasswordIn) -> s.UserOut:
    return s.UserOut.model_validate(await _ask(system, c.ResetPassword(username, body.password)))
