"""The command line: thin, it parses, calls one service and prints (text or --json).
Every refusal is printed with its reason and exits non-zero (see clms.domain.errors)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from sqlalchemy import inspect

from clms.bootstrap import App, bootstrap, system_clock
from clms.config_files import available_countries, load_country
from clms.domain.classification import classify as classify_age
from clms.domain.errors import ClmsError, Conflict, InvalidInput, NotFound, Refused
from clms.domain.model import Actor, Case, Child, ClosureReason, Observation, Provider, Role
from clms.domain.rules import CountryRules
from clms.ports import CaseQuery, StaffMember
from clms.services import cases as services
from clms.services import commands as c
from clms.services import directory
from clms.settings import Settings
from clms.views import (
    case_dict,
    case_text,
    check_text,
    classification_dict,
    classification_text,
    provider_dict,
    provider_line,
    reminder_dict,
    reminders_text,
    summaries_text,
    summary_dict,
)

app = typer.Typer(
    help="CLMS: follow every child in child labour to a satisfactory alternative.",
    no_args_is_help=True,
)
rules_app = typer.Typer(help="The country rules in config/: their version and sources.")
providers_app = typer.Typer(help="The service directory.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(providers_app, name="providers")

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Who = Annotated[
    str, typer.Option("--as", envvar="CLMS_ACTOR", help="Who acts (recorded in the history).")
]
ActingRole = Annotated[Role, typer.Option("--role", envvar="CLMS_ROLE", help="The actor's role.")]
Now = Annotated[datetime | None, typer.Option("--now", help="Act as at this UTC time.")]
Expected = Annotated[
    int | None,
    typer.Option("--expected-version", help="Refuse if the case changed since this version."),
]
Reason = Annotated[str, typer.Option("--reason", help="Why (recorded in the history).")]
CaseNumber = Annotated[str, typer.Argument(help="The case number, e.g. KZ-000042.")]
Day = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="A date, YYYY-MM-DD.")]
Country = Annotated[str | None, typer.Option(help="Country code (default: from settings).")]
Codes = Annotated[list[str] | None, typer.Option(help="A code (repeat the option for more).")]


# --- plumbing ---------------------------------------------------------------------------


@contextmanager
def refusals(as_json: bool) -> Iterator[None]:
    """Print a refusal with its reason and exit with its code (nothing was written)."""
    try:
        yield
    except ClmsError as error:
        if as_json:
            typer.echo(json.dumps(error.as_dict(), ensure_ascii=False))
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(exit_code(error)) from None


# What each kind of refusal exits with (a subclass as its base): the README lists them.
EXIT_CODES: tuple[tuple[type[ClmsError], int], ...] = (
    (InvalidInput, 2),
    (NotFound, 3),
    (Refused, 4),
    (Conflict, 5),
)


def exit_code(error: ClmsError) -> int:
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), 1)


def emit(as_json: bool, data: Any, text: str | Callable[[], str]) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(text if isinstance(text, str) else text())


def open_app(now: datetime | None = None) -> App:
    fixed = _utc(now) if now else None
    system = bootstrap(Settings(), clock=(lambda: fixed) if fixed else system_clock)
    if not inspect(system.engine).has_table("alembic_version"):
        raise InvalidInput("the database is not initialised: run `clms init`", field="database")
    return system


def country_rules(country: str | None) -> CountryRules:
    settings = Settings()
    return load_country(country or settings.country, settings.config_dir)


def change_case(
    as_json: bool,
    now: datetime | None,
    use_case: Callable[[Any, Any, CountryRules], Case],
    build: Callable[[datetime], c.CaseCommand],
) -> None:
    with refusals(as_json):
        system = open_app(now)
        case = use_case(build(system.clock()), system.uow(), system.rules)
        data = case_dict(case, system.rules)
        allowed = ", ".join(data["allowed_now"]) or "nothing"
        emit(
            as_json,
            data,
            f"{case.number} is {case.state} (version {case.version}); allowed now: {allowed}",
        )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _day(moment: datetime | None) -> Any:
    return moment.date() if moment else None


# --- set-up ----------------------------------------------------------------------------


@app.command()
def init() -> None:
    """Create the database, or upgrade it to the latest schema."""
    settings = Settings()
    with refusals(False):
        bootstrap(settings).migrate()
    typer.echo(f"database ready: {settings.database_url}")


@app.command()
def demo(
    cases: Annotated[int, typer.Option(help="How many children to log.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same demo.")] = 7,
    if_empty: Annotated[bool, typer.Option(help="Do nothing if there are cases already.")] = False,
    as_json: AsJson = False,
) -> None:
    """Load a realistic Kazakhstan demo: a service directory and cases in every state."""
    from clms import demo as demo_data

    with refusals(as_json):
        counts = demo_data.load(open_app(), cases=cases, seed=seed, if_empty=if_empty)
        emit(as_json, counts, lambda: "\n".join(f"{k:<26} {v}" for k, v in counts.items()))


# --- rules --------------------------------------------------------------------------------

HoursPerDay = Annotated[float | None, typer.Option(help="Hours of work a day.")]
SchoolHolidays = Annotated[bool, typer.Option(help="Seen during the school holidays.")]
AuthorityConsent = Annotated[
    bool, typer.Option(help="A trade union or the labour inspectorate consented.")
]
LoadKg = Annotated[float | None, typer.Option(help="The heaviest load carried by hand, kg.")]


@app.command()
def classify(
    age: Annotated[int, typer.Option(help="The child's age in years.")],
    activity: Codes = None,
    condition: Codes = None,
    hours: Annotated[float | None, typer.Option(help="Hours of work a week.")] = None,
    parent_consent: Annotated[bool, typer.Option(help="A parent consented in writing.")] = False,
    free_time_only: Annotated[bool, typer.Option(help="Works outside school hours only.")] = False,
    in_school: Annotated[bool, typer.Option(help="Attends school.")] = True,
    basic_secondary: Annotated[bool, typer.Option(help="Completed basic secondary.")] = False,
    family_at_risk: Annotated[bool, typer.Option(help="The family is at risk.")] = False,
    hours_per_day: HoursPerDay = None,
    school_holidays: SchoolHolidays = False,
    authority_consent: AuthorityConsent = False,
    load_kg: LoadKg = None,
    sex: Annotated[str, typer.Option(help="f or m: chooses the load limit.")] = "",
    country: Country = None,
    as_json: AsJson = False,
) -> None:
    """Classify a child by the country's rules, and say why."""
    with refusals(as_json):
        seen = Observation(
            "classify", "cli", system_clock(), tuple(activity or ()), tuple(condition or ()),
            hours, parent_consent, free_time_only, in_school, basic_secondary, family_at_risk,
            hours_per_day=hours_per_day, school_holidays=school_holidays,
            authority_consent=authority_consent, load_kg=load_kg,
        )  # fmt: skip
        result = classify_age(age, seen, country_rules(country), sex=sex)
        emit(as_json, classification_dict(result), lambda: classification_text(result))


@rules_app.callback(invoke_without_command=True)
def rules_overview(ctx: typer.Context, country: Country = None, as_json: AsJson = False) -> None:
    """The version of the rules, the ages and limits they set, and their sources."""
    if ctx.invoked_subcommand is not None:
        return
    with refusals(as_json):
        data = rules_dict(country_rules(country))
        emit(as_json, data, lambda: rules_text(data))


def rules_dict(rules: CountryRules) -> dict[str, Any]:
    """What `clms rules` shows: every value with its source; `unverified` says what to check."""
    return {
        "country": rules.code,
        "version": rules.version,
        "hazardous_list": rules.hazardous_list,
        "minimum_age": asdict(rules.minimum_age),
        "admissions": [asdict(a) for a in rules.admissions],
        "compulsory_education": asdict(rules.compulsory_education)
        if rules.compulsory_education
        else None,
        "hours_limits": [asdict(h) for h in rules.hours_limits],
        "load_limits": [asdict(x) for x in rules.load_limits],
        "documents": [asdict(d) for d in rules.documents],
    }


def rules_text(data: dict[str, Any]) -> str:
    def line(row: dict[str, Any], text: str) -> str:
        flag = f"\n      unverified: {row['unverified']}" if row.get("unverified") else ""
        return f"  {text}\n      source: {row['source']}{flag}"

    lines = [f"{data['country']} rules, version {data['version']}"]
    lines.append(f"hazardous list: {data['hazardous_list']}")
    lines.append(line(data["minimum_age"], f"minimum age {data['minimum_age']['age']}"))
    for a in data["admissions"]:
        lines.append(line(a, f"from {a['from_age']}: {a['label']} ({', '.join(a['requires'])})"))
    if data["compulsory_education"]:
        until = data["compulsory_education"]["until_age"]
        lines.append(line(data["compulsory_education"], f"education compulsory until {until}"))
    for h in data["hours_limits"]:
        caps = {k: v for k, v in h.items() if k.startswith("max_") and v is not None}
        lines.append(
            line(h, f"under {h['below_age']}: " + ", ".join(f"{k} {v:g}" for k, v in caps.items()))
        )
    for x in data["load_limits"]:
        lines.append(line(x, f"load {x['sex']} {x['from_age']}: at most {x['max_kg']:g} kg"))
    lines.append("sources:")
    for d in data["documents"]:
        flag = f"\n      unverified: {d['unverified']}" if d["unverified"] else ""
        lines.append(f"  {d['code']}: {d['title']}\n      found: {d['found']}{flag}")
    return "\n".join(lines)


@rules_app.command("activities")
def rules_activities(country: Country = None, as_json: AsJson = False) -> None:
    """List the activity codes and how each is classified."""
    with refusals(as_json):
        found = country_rules(country).activities.values()
        rows = [
            {"code": a.code, "kind": a.kind.value, "label": a.label, "source": a.citation}
            for a in found
        ]
        emit(
            as_json,
            rows,
            lambda: "\n".join(
                f"{r['code']:<32} {r['kind']:<11} {r['label']}\n{'':<44} {r['source']}"
                for r in rows
            ),
        )


@rules_app.command("conditions")
def rules_conditions(country: Country = None, as_json: AsJson = False) -> None:
    """List the hazardous conditions."""
    with refusals(as_json):
        rows = [
            {"code": h.code, "label": h.label, "source": h.citation}
            for h in country_rules(country).conditions.values()
        ]
        emit(as_json, rows, lambda: "\n".join(f"{r['code']:<24} {r['label']}" for r in rows))


@rules_app.command("districts")
def rules_districts(country: Country = None, as_json: AsJson = False) -> None:
    """List the district codes."""
    with refusals(as_json):
        found = country_rules(country).districts.values()
        rows = [{"code": d.code, "name": d.name, "region": d.region} for d in found]
        emit(
            as_json,
            rows,
            lambda: "\n".join(f"{r['code']:<12} {r['name']} ({r['region']})" for r in rows),
        )


@rules_app.command("services")
def rules_services(country: Country = None, as_json: AsJson = False) -> None:
    """List the service types and the ages they fit."""
    with refusals(as_json):
        found = country_rules(country).service_types.values()
        rows = [
            {"code": s.code, "label": s.label, "min_age": s.min_age, "max_age": s.max_age}
            for s in found
        ]
        emit(
            as_json,
            rows,
            lambda: "\n".join(
                f"{r['code']:<22} {r['min_age']:>2}-{r['max_age']:<3} {r['label']}" for r in rows
            ),
        )


@rules_app.command("countries")
def rules_countries(as_json: AsJson = False) -> None:
    """List the countries that have a rules file."""
    codes = available_countries(Settings().config_dir)
    emit(as_json, codes, "\n".join(codes))


# --- the directory ----------------------------------------------------------------------


@providers_app.command("add")
def providers_add(
    code: Annotated[str, typer.Option(help="A short unique code.")],
    name: Annotated[str, typer.Option()],
    district: Annotated[str, typer.Option(help="Where the provider is.")],
    offer: Annotated[
        list[str], typer.Option(help="SERVICE_TYPE or SERVICE_TYPE@DISTRICT (repeatable).")
    ],
    phone: Annotated[str, typer.Option()] = "",
    email: Annotated[str, typer.Option()] = "",
    as_json: AsJson = False,
) -> None:
    """Add a provider to the directory, with the services it offers and where."""
    with refusals(as_json):
        system = open_app()
        offers = frozenset(directory.parse_offer(text, district) for text in offer)
        provider = Provider(code, name, district, offers, phone, email)
        directory.add_provider(provider, system.uow(), system.rules)
        emit(as_json, provider_dict(provider), f"added {code}: {name}")


@providers_app.command("list")
def providers_list(as_json: AsJson = False) -> None:
    """List the directory."""
    with refusals(as_json):
        rows = [provider_dict(p) for p in directory.list_providers(open_app().uow())]
        emit(as_json, rows, lambda: "\n".join(provider_line(r) for r in rows))


# --- cases ------------------------------------------------------------------------------


@app.command()
def identify(
    submission_id: Annotated[str, typer.Option(help="The form's id: sent twice, recorded once.")],
    first_name: Annotated[str, typer.Option()],
    last_name: Annotated[str, typer.Option()],
    birth_date: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
    sex: Annotated[str, typer.Option(help="f, m or x.")],
    district: Annotated[str, typer.Option(help="District code (clms rules districts).")],
    activity: Codes = None,
    condition: Codes = None,
    hours: Annotated[float | None, typer.Option(help="Hours of work a week.")] = None,
    parent_consent: Annotated[bool, typer.Option()] = False,
    free_time_only: Annotated[bool, typer.Option()] = False,
    in_school: Annotated[bool, typer.Option()] = True,
    basic_secondary: Annotated[bool, typer.Option()] = False,
    family_at_risk: Annotated[bool, typer.Option()] = False,
    hours_per_day: HoursPerDay = None,
    school_holidays: SchoolHolidays = False,
    authority_consent: AuthorityConsent = False,
    load_kg: LoadKg = None,
    seen_at: Annotated[datetime | None, typer.Option(help="When (default: now).")] = None,
    monitor: Annotated[
        str, typer.Option("--as", envvar="CLMS_ACTOR", help="The monitor.")
    ] = "monitor",
    note: Annotated[str, typer.Option(help="What the monitor noted.")] = "",
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Log one child seen working or at risk: prints the case and the classification."""
    with refusals(as_json):
        system = open_app(now)
        moment = system.clock()
        seen = Observation(
            submission_id, monitor, _utc(seen_at) if seen_at else moment,
            tuple(activity or ()), tuple(condition or ()), hours, parent_consent,
            free_time_only, in_school, basic_secondary, family_at_risk, note,
            hours_per_day=hours_per_day, school_holidays=school_holidays,
            authority_consent=authority_consent, load_kg=load_kg,
        )  # fmt: skip
        child = Child(first_name, last_name, birth_date.date(), sex, district)
        result = services.identify(c.Identify(child, seen, moment), system.uow(), system.rules)
        data = {
            "case": result.case_number,
            "outcome": result.outcome,
            **classification_dict(result.classification),
        }
        emit(
            as_json,
            data,
            lambda: (
                f"{result.case_number} ({result.outcome})\n"
                + classification_text(result.classification)
            ),
        )


@app.command()
def show(number: CaseNumber, as_json: AsJson = False) -> None:
    """Show a case with its referrals, follow-ups and full history."""
    with refusals(as_json):
        system = open_app()
        case = services.get_case(number, system.uow())
        emit(as_json, case_dict(case, system.rules), lambda: case_text(case, system.rules))


@app.command("list")
def list_cases(
    state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district.")] = None,
    priority: Annotated[str | None, typer.Option(help="urgent or normal.")] = None,
    overdue: Annotated[bool, typer.Option(help="Only cases whose next action is overdue.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """List cases: overdue first, then by the next action due, urgent before normal."""
    with refusals(as_json):
        system = open_app(now)
        moment = system.clock()
        query = CaseQuery(state, district, priority, moment if overdue else None, limit)
        rows = services.list_cases(query, system.uow())
        emit(as_json, [summary_dict(r, moment) for r in rows], lambda: summaries_text(rows, moment))


@app.command()
def refer(
    number: CaseNumber,
    provider: Annotated[str, typer.Option(help="Provider code (clms providers list).")],
    service: Annotated[str, typer.Option(help="Service type (clms rules services).")],
    override_reason: Annotated[
        str, typer.Option(help="Why refer outside the child's district.")
    ] = "",
    reason: Reason = "",
    who: Who = "social_worker",
    role: ActingRole = Role.SOCIAL_WORKER,
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Refer the child to a provider's service."""
    change_case(
        as_json,
        now,
        services.refer,
        lambda t: c.Refer(
            number,
            Actor(who, role),
            t,
            reason,
            expected_version,
            provider,
            service,
            override_reason,
        ),
    )


@app.command()
def answer(
    number: CaseNumber,
    accepted: Annotated[bool, typer.Option("--accept/--decline", help="The provider's answer.")],
    reason: Reason = "",
    who: Who = "social_worker",
    role: ActingRole = Role.SOCIAL_WORKER,
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Record the provider's answer to the live referral."""
    change_case(
        as_json,
        now,
        services.answer_referral,
        lambda t: c.AnswerReferral(number, Actor(who, role), t, reason, expected_version, accepted),
    )


@app.command("start-service")
def start_service(
    number: CaseNumber,
    on: Day = None,
    reason: Reason = "",
    who: Who = "social_worker",
    role: ActingRole = Role.SOCIAL_WORKER,
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Record that the service started (default: today); schedules the follow-ups."""
    change_case(
        as_json,
        now,
        services.start_service,
        lambda t: c.StartService(number, Actor(who, role), t, reason, expected_version, _day(on)),
    )


@app.command("follow-up")
def follow_up(
    number: CaseNumber,
    on: Day = None,
    attending: Annotated[bool, typer.Option("--attending/--not-attending")] = True,
    working: Annotated[bool, typer.Option("--working/--not-working")] = False,
    evidence: Annotated[str, typer.Option(help="E.g. the school's attendance report.")] = "",
    reason: Reason = "",
    who: Who = "social_worker",
    role: ActingRole = Role.SOCIAL_WORKER,
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Record a follow-up visit; a child found working again relapses to assessment."""
    change_case(
        as_json,
        now,
        services.record_follow_up,
        lambda t: c.RecordFollowUp(
            number,
            Actor(who, role),
            t,
            reason,
            expected_version,
            _day(on),
            attending,
            working,
            evidence,
        ),
    )


@app.command()
def close(
    number: CaseNumber,
    closure: Annotated[ClosureReason, typer.Option("--closure", help="Why the case closes.")],
    reason: Reason = "",
    who: Who = "social_worker",
    role: ActingRole = Role.SOCIAL_WORKER,
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Close the case when its closing rule is met (other: a supervisor)."""
    change_case(
        as_json,
        now,
        services.close,
        lambda t: c.Close(number, Actor(who, role), t, reason, expected_version, closure),
    )


def _simple_transition(
    name: str,
    use_case: Callable[[Any, Any, CountryRules], Case],
    command: type[c.CaseCommand],
    doc: str,
    default_role: Role = Role.SOCIAL_WORKER,
) -> None:
    """Registers a command that fires one trigger with no data but who, when and why."""

    def run(
        number: CaseNumber,
        reason: Reason = "",
        who: Who = default_role.value,
        role: ActingRole = default_role,
        expected_version: Expected = None,
        now: Now = None,
        as_json: AsJson = False,
    ) -> None:
        actor = Actor(who, role)
        change_case(
            as_json, now, use_case, lambda t: command(number, actor, t, reason, expected_version)
        )

    run.__doc__ = doc
    app.command(name)(run)


_simple_transition(
    "assess", services.assess, c.Assess, "Record the assessment of an identified child."
)
_simple_transition(
    "screen-out", services.screen_out, c.ScreenOut, "Screen out: not child labour, no risk."
)
_simple_transition(
    "mark-lost",
    services.mark_lost,
    c.MarkLost,
    "Mark lost to follow-up: the child cannot be found.",
)
_simple_transition(
    "resume", services.resume, c.Resume, "Resume a case lost to follow-up, where it was."
)
_simple_transition(
    "reopen", services.reopen, c.Reopen, "Reopen a closed case (a supervisor).", Role.SUPERVISOR
)


@app.command()
def diagram(lifecycle: Annotated[str, typer.Argument(help="case or referral")] = "case") -> None:
    """Print a lifecycle's state diagram (Mermaid), generated from its table."""
    from clms.states import CASE_LIFECYCLE, REFERRAL_LIFECYCLE

    tables = {"case": CASE_LIFECYCLE, "referral": REFERRAL_LIFECYCLE}
    with refusals(False):
        if lifecycle not in tables:
            raise InvalidInput(
                f"unknown lifecycle {lifecycle!r}; known: case, referral", field="lifecycle"
            )
        typer.echo(tables[lifecycle].mermaid(), nl=False)


# --- staff ----------------------------------------------------------------------------------

staff_app = typer.Typer(
    help="Who gets the reminders: social workers and supervisors.", no_args_is_help=True
)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
def staff_add(
    name: Annotated[str, typer.Option()],
    role: Annotated[
        str, typer.Option(help="social_worker (of a district) or supervisor (of a region).")
    ],
    area: Annotated[
        str, typer.Option(help="The district code, or the region's name for a supervisor.")
    ],
    phone: Annotated[str, typer.Option()] = "",
    email: Annotated[str, typer.Option()] = "",
    language: Annotated[str, typer.Option(help="ru, kk or en.")] = "ru",
    as_json: AsJson = False,
) -> None:
    """Add a social worker or a supervisor who gets reminders."""
    with refusals(as_json):
        system = open_app()
        member = StaffMember(name, role, area, phone, email, language)
        directory.add_staff(member, system.uow(), system.rules)
        emit(as_json, asdict(member), f"added {role} {name} for {area}")


@staff_app.command("list")
def staff_list(as_json: AsJson = False) -> None:
    """List the staff who get reminders."""
    with refusals(as_json):
        rows = [asdict(m) for m in directory.list_staff(open_app().uow())]
        emit(
            as_json,
            rows,
            lambda: "\n".join(
                f"{r['role']:<14} {r['area']:<14} {r['name']} {r['phone']} {r['email']}"
                for r in rows
            ),
        )


# --- the daily check and the reminders -----------------------------------------------------


def _quiet_prefect() -> None:
    # No network here, and the CLI prints its own summary: Prefect's log lines go.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@app.command()
def check(
    region: Annotated[str | None, typer.Option(help="Only this region.")] = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Run the daily check once: who must act for every open case; writes the reminders."""
    _quiet_prefect()
    from clms.bootstrap import use_app
    from clms.workflows.check import satisfactory_alternative_check

    with refusals(as_json):
        system = open_app(now)
        use_app(system)
        summary = satisfactory_alternative_check(now=system.clock(), region=region)
        emit(as_json, summary, lambda: check_text(summary))


@app.command()
def deliver(as_json: AsJson = False) -> None:
    """Send the due reminders once (retries wait for their time)."""
    _quiet_prefect()
    from clms.bootstrap import use_app
    from clms.workflows.deliver import deliver_reminders

    with refusals(as_json):
        use_app(open_app())
        outcomes = deliver_reminders()
        emit(
            as_json,
            outcomes,
            lambda: ", ".join(f"{k}: {v}" for k, v in outcomes.items()) or "nothing was due",
        )


@app.command()
def reminders(
    status: Annotated[str | None, typer.Option(help="pending, sent, dead or task.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: AsJson = False,
) -> None:
    """What went out and what did not, with the reasons."""
    from clms.services.outbox import list_reminders

    with refusals(as_json):
        rows = list_reminders(open_app().uow(), status, limit)
        emit(as_json, [reminder_dict(r) for r in rows], lambda: reminders_text(rows))


@app.command()
def requeue(
    reminder: Annotated[
        list[int] | None, typer.Argument(help="Reminder ids (default: every dead one).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Send dead reminders again, once the contact or the gateway is fixed."""
    from clms.services.outbox import requeue_dead

    with refusals(as_json):
        system = open_app()
        count = requeue_dead(system.uow(), reminder or None, system.clock())
        emit(as_json, {"requeued": count}, f"{count} reminders back in the queue")


@app.command()
def scheduler() -> None:
    """Run the schedule alone (check daily, delivery every few minutes), in this process only."""
    _quiet_prefect()
    from clms.bootstrap import use_app
    from clms.workflows.check import satisfactory_alternative_check
    from clms.workflows.deliver import deliver_reminders
    from clms.workflows.schedule import background_scheduler, lock_for

    with refusals(False):
        system = open_app()
        use_app(system)
        lock = lock_for(system)
        lock.acquire()
    schedule = background_scheduler(system, satisfactory_alternative_check, deliver_reminders)
    schedule.start()
    settings = system.settings
    typer.echo(
        f"schedule running: check {settings.check_cron}, delivery {settings.deliver_cron} (UTC)"
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        schedule.shutdown(wait=False)
        lock.release()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_scheduler: Annotated[
        bool, typer.Option("--scheduler/--no-scheduler", help="Also run the schedule here.")
    ] = True,
) -> None:
    """Serve the answer pages, and run the schedule in this process (the embedded mode)."""
    _quiet_prefect()
    import uvicorn

    from clms.bootstrap import use_app
    from clms.web.app import create_app
    from clms.workflows.check import satisfactory_alternative_check
    from clms.workflows.deliver import deliver_reminders
    from clms.workflows.schedule import background_scheduler, lock_for

    with refusals(False):
        system = open_app()
        use_app(system)
        lock = lock_for(system)
        if with_scheduler:
            lock.acquire()
    schedule = background_scheduler(system, satisfactory_alternative_check, deliver_reminders)
    if with_scheduler:
        schedule.start()
    try:
        uvicorn.run(create_app(system), host=host, port=port, log_level="warning")
    finally:
        if with_scheduler:
            schedule.shutdown(wait=False)
            lock.release()
