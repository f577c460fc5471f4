"""The commands on cases: log a child, look cases up, and move a case along its lifecycle.
Each hands one command to the one door (`App.handle`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import typer

from clms.cli.plumbing import (
    AsJson,
    AuthorityConsent,
    CaseNumber,
    Codes,
    Day,
    Expected,
    HoursPerDay,
    LoadKg,
    Now,
    Reason,
    SchoolHolidays,
    Who,
    as_utc,
    change_case,
    day_of,
    emit,
    open_app,
    refusals,
)
from clms.cli.rendering import (
    case_dict,
    case_text,
    identified_dict,
    identified_text,
    summaries_text,
    summary_dict,
)
from clms.domain.errors import InvalidInput
from clms.domain.model import Child, ClosureReason, Observation
from clms.ports import CaseQuery
from clms.services import commands as c


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
    who: Who = "",
    note: Annotated[str, typer.Option(help="What the monitor noted.")] = "",
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Log one child seen working or at risk: prints the case and the classification."""
    with refusals(as_json):
        system = open_app(now, who)
        moment = system.clock()
        seen = Observation(
            submission_id, system.user.username, as_utc(seen_at) if seen_at else moment,
            tuple(activity or ()), tuple(condition or ()), hours, parent_consent,
            free_time_only, in_school, basic_secondary, family_at_risk, note,
            hours_per_day=hours_per_day, school_holidays=school_holidays,
            authority_consent=authority_consent, load_kg=load_kg,
        )  # fmt: skip
        child = Child(first_name, last_name, birth_date.date(), sex, district)
        result = system.handle(c.Identify(child, seen, moment))
        emit(as_json, identified_dict(result), lambda: identified_text(result))


def show(number: CaseNumber, who: Who = "", as_json: AsJson = False) -> None:
    """Show a case with its referrals, follow-ups and full history."""
    with refusals(as_json):
        system = open_app(None, who)
        case = system.handle(c.GetCase(number))
        told = system.handle(c.ListReminders(limit=10_000, case_number=number))
        emit(as_json, case_dict(case, system.rules, told),
             lambda: case_text(case, system.rules, told))  # fmt: skip


def list_cases(
    state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district.")] = None,
    priority: Annotated[str | None, typer.Option(help="urgent or normal.")] = None,
    overdue: Annotated[bool, typer.Option(help="Only cases whose next action is overdue.")] = False,
    ready_to_close: Annotated[
        bool, typer.Option(help="Only cases in service whose closing rule is met.")
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    who: Who = "",
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """List the cases of your area: overdue first, then by the next action due, urgent
    before normal."""
    with refusals(as_json):
        system = open_app(now, who)
        moment = system.clock()
        # One more than asked: to say so when the list is cut, not let it pass for all.
        query = CaseQuery(state, district, priority, moment if overdue else None,
                          True if ready_to_close else None, limit + 1)  # fmt: skip
        found = system.handle(c.ListCases(query))
        rows = found[:limit]
        cut = f"\n(the first {limit} shown; more match: raise --limit)" if found[limit:] else ""
        emit(as_json, [summary_dict(r, moment) for r in rows],
             lambda: summaries_text(rows, moment) + cut)  # fmt: skip


def refer(
    number: CaseNumber,
    provider: Annotated[str, typer.Option(help="Provider code (clms providers list).")],
    service: Annotated[str, typer.Option(help="Service type (clms rules services).")],
    override_reason: Annotated[
        str, typer.Option(help="Why refer outside the child's district.")
    ] = "",
    reason: Reason = "",
    who: Who = "",
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Refer the child to a provider's service."""
    change_case(
        as_json,
        now,
        who,
        number,
        lambda t, actor: c.Refer(
            number, actor, t, reason, expected_version, provider, service, override_reason
        ),
    )


def answer(
    number: CaseNumber,
    accepted: Annotated[bool, typer.Option("--accept/--decline", help="The provider's answer.")],
    reason: Reason = "",
    who: Who = "",
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Record the provider's answer to the live referral."""
    change_case(
        as_json,
        now,
        who,
        number,
        lambda t, actor: c.AnswerReferral(number, actor, t, reason, expected_version, accepted),
    )


def start_service(
    number: CaseNumber,
    on: Day = None,
    reason: Reason = "",
    who: Who = "",
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Record that the service started (default: today); schedules the follow-ups."""
    change_case(
        as_json,
        now,
        who,
        number,
        lambda t, actor: c.StartService(number, actor, t, reason, expected_version, day_of(on)),
    )


def follow_up(
    number: CaseNumber,
    # No defaults: a visit recorded without its outcome must not count as satisfactory.
    attending: Annotated[bool, typer.Option("--attending/--not-attending")],
    working: Annotated[bool, typer.Option("--working/--not-working")],
    on: Day = None,
    evidence: Annotated[str, typer.Option(help="E.g. the school's attendance report.")] = "",
    reason: Reason = "",
    who: Who = "",
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Record a follow-up visit; a child found working again relapses to assessment."""
    change_case(
        as_json,
        now,
        who,
        number,
        lambda t, actor: c.RecordFollowUp(
            number, actor, t, reason, expected_version, day_of(on), attending, working, evidence
        ),
    )


def close(
    number: CaseNumber,
    closure: Annotated[ClosureReason, typer.Option("--closure", help="Why the case closes.")],
    reason: Reason = "",
    who: Who = "",
    expected_version: Expected = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Close the case when its closing rule is met (other: a supervisor)."""
    change_case(
        as_json,
        now,
        who,
        number,
        lambda t, actor: c.Close(number, actor, t, reason, expected_version, closure),
    )


def simple_transition(command: type[c.CaseCommand], doc: str) -> Callable[..., None]:
    """A command that fires one trigger with no data but who, when and why."""

    def run(
        number: CaseNumber,
        reason: Reason = "",
        who: Who = "",
        expected_version: Expected = None,
        now: Now = None,
        as_json: AsJson = False,
    ) -> None:
        change_case(
            as_json,
            now,
            who,
            number,
            lambda t, actor: command(number, actor, t, reason, expected_version),
        )

    run.__doc__ = doc
    return run


assess = simple_transition(c.Assess, "Record the assessment of an identified child.")
screen_out = simple_transition(c.ScreenOut, "Screen out: not child labour, no risk.")
mark_lost = simple_transition(c.MarkLost, "Mark lost to follow-up: the child cannot be found.")
resume = simple_transition(c.Resume, "Resume a case lost to follow-up, where it was.")
reopen = simple_transition(c.Reopen, "Reopen a closed case (a supervisor).")
cancel_referral = simple_transition(
    c.CancelReferral,
    "Cancel the live referral (sent or accepted: not a started service) to the wrong place or "
    "to a provider that closed; --reason is required. The case then needs a new referral.",
)


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
