"""The staff's pages, rendered on the server: logging in and out, the caseload, a case with
the actions allowed now, and the monitor's identification form for a phone. Thin like the
API: each page turns a form into one command for the one door, as the logged-in user; who
may do what is decided at the door, never here.

Each page speaks its user's language (User.language); the login page, before anyone is
known, speaks the one asked with `?lang=`, else Russian. A refusal's reason from the domain
stays an English sentence under a translated heading; the texts said here are translated."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from clms.bootstrap import App
from clms.domain.access import Forbidden, NotAuthenticated, User
from clms.domain.errors import ClmsError, InvalidInput, one_of
from clms.domain.model import Case, Child, ClosureReason, Observation, Provider, Role
from clms.domain.status import SOCIAL_WORKER, Duty, what_is_due
from clms.ports import CaseQuery
from clms.services import commands as c
from clms.services.cases import index_of
from clms.states import CASE_LIFECYCLE
from clms.web import schemas as s
from clms.web.api import ACTIONS, actions_for, observation_of
from clms.web.auth import CSRF_FIELD, SESSION_COOKIE, UserApp, csrf_token, system_of, token_of
from clms.web.i18n import DEFAULT_LANGUAGE, LANGUAGE_CODES, LANGUAGES, N_, TEMPLATES, translations
from clms.web.problems import status_of

router = APIRouter(include_in_schema=False)
M = TypeVar("M", bound=BaseModel)
CASELOAD_SIZE = 200
# The same words for every failed login, so that a guess learns nothing.
LOGIN_FAILED = N_("Wrong username or password, or the account is locked for a while.")

# What can be due on a case, as a case page says it.
DUTIES = {
    Duty.ASSESS: N_("Assess the case"),
    Duty.REFER: N_("Refer the child to a service"),
    Duty.ANSWER_REFERRAL: N_("Answer the referral"),
    Duty.START_SERVICE: N_("Start the service"),
    Duty.VISIT: N_("Follow-up visit"),
    Duty.ACT_ON_UNSATISFACTORY: N_("Act on the unsatisfactory follow-up"),
    Duty.CLOSE: N_("Close the case: its closing rule is met"),
}
# The buttons of the forms without fields of their own, named here so that pybabel finds them.
FORM_LABELS = {
    "assess": N_("Assess"),
    "screen-out": N_("Screen out"),
    "cancel-referral": N_("Cancel the referral"),
    "reopen": N_("Reopen"),
    "mark-lost": N_("Mark as lost to follow-up"),
    "resume": N_("Resume"),
}
CASE_WORKERS = (Role.SOCIAL_WORKER, Role.SUPERVISOR)


async def _ask(system: App, command: c.Command[Any]) -> Any:
    """The door, in a worker thread: the database work must not block the event loop."""
    return await run_in_threadpool(system.handle, command)


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    user: User | None = getattr(request.state, "user", None)
    token = token_of(request)
    lang = _language_of(request, user, str(context.get("lang", "")))
    frame = {
        "user": user,
        "lang": lang,
        "languages": LANGUAGES,
        "csrf_field": CSRF_FIELD,
        "csrf": csrf_token(system_of(request), token) if user and token else "",
        "form_labels": FORM_LABELS,
    }
    if said := context.get("error"):  # the texts said here are msgids; the domain's stay English
        context = {**context, "error": translations(lang).gettext(said)}
    page = {**frame, **context, "lang": lang}
    return TEMPLATES.TemplateResponse(request, name, page, status_code=status)


def _language_of(request: Request, user: User | None, asked: str) -> str:
    """The user's own language; before login, the one the login form or link asked for."""
    if user is not None and user.language in LANGUAGE_CODES:
        return user.language
    asked = asked or request.query_params.get("lang", "")
    return asked if asked in LANGUAGE_CODES else DEFAULT_LANGUAGE


def _local(target: str) -> str:
    """`target` if it is a path on this site; anything else could send the user away."""
    return target if target.startswith("/") and not target.startswith("//") else ""


def _home(user: User) -> str:
    return "/identify" if user.role is Role.MONITOR else "/cases"


# --- logging in and out ----------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "") -> Response:
    return _render(request, "staff/login.html", {"next": _local(next), "error": ""})


@router.post("/login", response_class=HTMLResponse)
async def log_in(request: Request) -> Response:
    form = await request.form()
    target = _local(str(form.get("next", "")))
    try:
        request.app.state.login_throttle.allow(request.client.host if request.client else "")
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        session = await _ask(system_of(request), c.LogIn(username, password, "page"))
    except ClmsError as refused:
        return _login_refused(request, form, refused)
    response = RedirectResponse(target or _home(session.user), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, session.token, httponly=True, samesite="strict", path="/",
        secure=system_of(request).settings.public_url.startswith("https://"),
    )  # fmt: skip
    return response


def _login_refused(request: Request, form: Mapping[str, Any], refused: ClmsError) -> Response:
    """The login form again: the same words for every wrong guess; a throttled address
    is told to wait."""
    guessed = isinstance(refused, NotAuthenticated | InvalidInput)
    error, status = (LOGIN_FAILED, 401) if guessed else (refused.message, status_of(refused))
    context = {"next": _local(str(form.get("next", ""))), "error": error,
               "username": form.get("username", ""), "lang": str(form.get("lang", ""))}  # fmt: skip
    return _render(request, "staff/login.html", context, status)


@router.post("/logout")
async def log_out(request: Request, system: UserApp) -> Response:
    await _ask(system_of(request), c.LogOut(token_of(request)))
    # The login page in the language of the one who just left: nothing else tells it now.
    response = RedirectResponse(f"/login?lang={system.user.language}", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- the caseload and a case -------------------------------------------------------------


@router.get("/cases", response_class=HTMLResponse)
async def caseload(request: Request, system: UserApp) -> Response:
    """The cases of the user's area (the door narrows the list), overdue first."""
    cases = await _ask(system, c.ListCases(CaseQuery(limit=CASELOAD_SIZE)))
    context = {"cases": cases, "now": system.clock(), "area": system.user.area}
    return _render(request, "staff/cases.html", context)


@router.get("/submissions", response_class=HTMLResponse)
async def submissions(request: Request, system: UserApp) -> Response:
    """A monitor's own identifications, newest first: proof that what they sent arrived."""
    sent = await _ask(system, c.ListSubmissions())
    return _render(request, "staff/submissions.html", {"submissions": sent})


@router.get("/cases/{number}", response_class=HTMLResponse)
async def case_page(request: Request, system: UserApp, number: str) -> Response:
    return await _case_page(request, system, number)


@router.post("/cases/{number}/{action}", response_class=HTMLResponse)
async def act(request: Request, system: UserApp, number: str, action: str) -> Response:
    """An action from a case page's form; a refusal shows the page again with its reason."""
    try:
        build = ACTIONS[one_of(action, ACTIONS, "action")]
        form = await request.form()
        await _ask(system, build(number, _action_in(form), _version(form)))
    except ClmsError as refused:
        return await _case_page(request, system, number, refused)
    return RedirectResponse(f"/cases/{number}", status_code=303)


async def _case_page(
    request: Request, system: App, number: str, refused: ClmsError | None = None
) -> Response:
    if system.user.role not in CASE_WORKERS:
        raise Forbidden("the case pages are for social workers and supervisors")
    case = await _ask(system, c.GetCase(number))
    providers = await _ask(system, c.ListProviders())
    context = {
        "case": case, "index": index_of(case, system.rules),
        "due": _due(case, system, providers), "now": system.clock(),
        "history": sorted(case.history, key=lambda h: h.seq, reverse=True),
        "forms": _forms_allowed(case.state), "providers": providers,
        "service_types": system.rules.service_types.values(),
        "closures": [r.value for r in ClosureReason],
        "error": refused.message if refused else "",
    }  # fmt: skip
    status = status_of(refused) if refused else 200
    return _render(request, "staff/case.html", context, status)


def _due(case: Case, system: App, providers: list[Provider]) -> dict[str, Any] | None:
    """What is due next, from whom and by when, as the page says it."""
    due = what_is_due(case, system.rules)
    if due is None:
        return None
    provider = {p.code: p.name for p in providers}.get(due.by, due.by)
    return {"action": DUTIES[due.action], "at": due.at,
            "provider": provider if due.by != SOCIAL_WORKER else ""}  # fmt: skip


def _forms_allowed(state: str) -> list[str]:
    return actions_for(CASE_LIFECYCLE.triggers_from(state))


def _action_in(form: Mapping[str, Any]) -> s.ActionIn:
    """The form's fields that an action reads; a blank field is one not given."""
    given = {k: v for k, v in form.items() if k in s.ActionIn.model_fields and v != ""}
    return _validated(s.ActionIn, given)


def _validated(model: type[M], data: Mapping[str, Any]) -> M:
    """`model` from a form, or InvalidInput naming the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as wrong:
        first = wrong.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from None


def _version(form: Mapping[str, Any]) -> int:
    version = str(form.get("version", ""))
    if not version.isdigit():
        reload = N_("the form lacks the case's version: reload the page")
        raise InvalidInput(reload, field="version")
    return int(version)


# --- identifying a child -------------------------------------------------------------------


@router.get("/identify", response_class=HTMLResponse)
async def identify_page(request: Request, system: UserApp) -> Response:
    return _identify_form(request, system, {"submission_id": str(uuid.uuid4())})


@router.post("/identify", response_class=HTMLResponse)
async def identify(request: Request, system: UserApp) -> Response:
    """One child, from the phone form; its submission id makes a double tap one case."""
    form = await request.form()
    filled = {**form, **{many: form.getlist(many) for many in ("activities", "conditions")}}
    try:
        child, seen = _identification(filled, system.user, system.clock())
        result = await _ask(system, c.Identify(child, seen, system.clock()))
    except ClmsError as refused:
        return _identify_form(request, system, filled, refused)
    context = {"result": result, "category": result.classification.category.value}
    return _render(request, "staff/identified.html", context)


# The form's yes/no boxes: each is an observation's flag of the same name in the API.
FLAGS = {
    "in_school": N_("Goes to school"),
    "school_holidays": N_("Seen during the school holidays"),
    "basic_secondary": N_("Has completed basic secondary school"),
    "parent_consent": N_("A parent consented to the work"),
    "authority_consent": N_("The labour inspectorate or a trade union consented"),
    "free_time_only": N_("Works only in free time from school"),
    "family_at_risk": N_("The family is at risk"),
}
NUMBERS = ("hours_per_week", "hours_per_day", "load_kg")


def _identification(
    form: Mapping[str, Any], user: User, now: datetime
) -> tuple[Child, Observation]:
    """The phone form says what the API's body says, so a child is classified the same
    whichever way the monitor sends it."""
    child_fields = ("first_name", "last_name", "birth_date", "sex", "district")
    body = _validated(s.IdentificationIn, {
        "submission_id": form.get("submission_id", ""),
        "child": {name: form.get(name, "") for name in child_fields},
        "activities": form.get("activities", []),
        "conditions": form.get("conditions", []),
        "note": form.get("note", ""),
        **{name: form.get(name) or None for name in NUMBERS},
        **{name: form.get(name) == "yes" for name in FLAGS},
    })  # fmt: skip
    if not body.submission_id.strip():
        raise InvalidInput(N_("the form lacks its submission id: reload it"), field="submission_id")
    submission = body.submission_id.strip()
    return Child(**body.child.model_dump()), observation_of(body, submission, user.username, now)


def _identify_form(
    request: Request, system: App, filled: Mapping[str, Any], refused: ClmsError | None = None
) -> Response:
    said = translations(_language_of(request, system.user, "")).gettext
    context = {
        "filled": filled,
        "districts": _in_order(said, {d.code: d.name for d in _districts_for(system)}),
        "activities": _in_order(said, {a.code: a.label for a in system.rules.activities.values()}),
        "conditions": _in_order(said, {h.code: h.label for h in system.rules.conditions.values()}),
        "flags": [(name, said(label)) for name, label in FLAGS.items()],
        "error": refused.message if refused else "",
        "error_field": refused.field if refused else "",
    }  # fmt: skip
    return _render(request, "staff/identify.html", context, status_of(refused) if refused else 200)


def _in_order(said: Callable[[str], str], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, label in the reader's language), in the order the reader reads them."""
    return sorted(((code, said(label)) for code, label in labels.items()), key=lambda c: c[1])


def _districts_for(system: App) -> list[Any]:
    """The districts a user may log a child in: their own, their region's, or all."""
    user, districts = system.user, system.rules.districts.values()
    if user.role in (Role.MONITOR, Role.SOCIAL_WORKER):
        return [d for d in districts if d.code == user.area]
    if user.role is Role.SUPERVISOR:
        return [d for d in districts if d.region == user.area]
    return list(districts)
