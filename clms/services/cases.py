"""The use cases on cases: each takes a command and a unit of work, changes one case
inside one transaction, and returns the case as it was saved."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from clms.domain import case_events, duplicates, lifecycle
from clms.domain.case_events import Visit
from clms.domain.check import CheckRule
from clms.domain.classification import classify
from clms.domain.closing import ready_to_close
from clms.domain.duplicates import Confirmed, FlagStatus, PossibleDuplicate, neighbourhood
from clms.domain.duplicates import child_key as child_key  # re-exported: callers find it here
from clms.domain.errors import Conflict, DuplicateSubmission, InvalidInput, Refused, one_of
from clms.domain.lifecycle import Act, fire
from clms.domain.model import (
    Actor,
    Case,
    Child,
    Classification,
    Identification,
    Observation,
    Priority,
    Role,
)
from clms.domain.rules import CountryRules
from clms.domain.status import alternative_status, next_action_due
from clms.ports import CaseIndex, CaseQuery, CaseSummary, Submission, UnitOfWork
from clms.services import commands as c
from clms.services.telling import tell_at_once
from clms.states import CASE_LIFECYCLE
from clms.states import case as case_states

# A worst form (or another urgent finding) is told to the district's social worker and the
# region's supervisor in the transaction that records it.
_URGENT_FOUND = (CheckRule.URGENT_FOUND, CheckRule.URGENT_FOUND_SUPERVISOR)


@dataclass(frozen=True)
class Identified:
    case_number: str
    outcome: str  # "opened", "attached" to the child's open case, or "already recorded"
    classification: Classification
    # An opened case whose child may be an earlier case's: flagged for a person to decide.
    flagged: tuple[PossibleDuplicate, ...] = ()


def classify_child(child: Child, seen: Observation, rules: CountryRules) -> Classification:
    _check_child(child, seen, rules)
    return classify(child.age_on(seen.observed_at.date()), seen, rules, sex=child.sex)


def identify(cmd: c.Identify, uow: UnitOfWork, rules: CountryRules) -> Identified:
    """Log one child seen by a monitor. The same submission sent twice is recorded once,
    and a child who already has an open case gets this identification attached to it."""
    classification = classify_child(cmd.child, cmd.observation, rules)
    try:
        return _identify(cmd, classification, uow, rules)
    except DuplicateSubmission:  # the same submission arrived twice at the same moment
        with uow:
            recorded = _already_recorded(cmd, uow)
        assert recorded is not None
        return recorded
    except Conflict:  # staff changed the child's open case meanwhile: attach to it as it is
        return _identify(cmd, classification, uow, rules)


def _already_recorded(cmd: c.Identify, uow: UnitOfWork) -> Identified | None:
    """The answer given the first time this submission arrived; refused if it arrived
    then with another child or another observation (a reused id, not a retry)."""
    submission_id = cmd.observation.submission_id
    number = uow.cases.case_for_submission(submission_id)
    if number is None:
        return None
    case = uow.cases.get(number)
    first = next(i for i in case.identifications if i.observation.submission_id == submission_id)
    if not _same_submission(first.observation, cmd):
        raise InvalidInput(
            f"the submission {submission_id!r} was recorded with other details: "
            "a new form needs a new submission id",
            field="submission_id",
        )
    return Identified(number, "already recorded", first.classification)


def _same_submission(stored: Observation, cmd: c.Identify) -> bool:
    """A retry of the same form: the same things seen (the time and the monitor's name
    may be stamped anew). The child is not compared: after a merge of duplicates the form
    is on a case whose child may be written otherwise."""
    unstamped = replace(cmd.observation, observed_at=stored.observed_at, monitor=stored.monitor)
    return unstamped == stored


def _identify(
    cmd: c.Identify, classification: Classification, uow: UnitOfWork, rules: CountryRules
) -> Identified:
    with uow:
        # One at a time per child (and whoever resembles them), or two forms arriving
        # together would each find no case and open one.
        uow.cases.serialize_identification(_neighbourhood(cmd.child, rules))
        recorded = _already_recorded(cmd, uow)
        if recorded is not None:
            return recorded
        identification = Identification(cmd.observation, classification, cmd.now)
        case = _open_case_of_the_same_child(cmd.child, uow)
        flagged: list[PossibleDuplicate] = []
        if case is None:
            case = case_events.open_case(cmd.child, identification, _monitor_act(cmd, rules))
            uow.cases.add(case, index_of(case, rules))
            flagged = _flag_possible_duplicates(case, uow, rules)
            outcome = "opened"
        else:
            case_events.attach_identification(case, identification, _monitor_act(cmd, rules))
            uow.cases.save(case, index_of(case, rules))
            outcome = "attached"
        if classification.priority is Priority.URGENT:  # cannot wait for the nightly check
            tell_at_once(_URGENT_FOUND, case, cmd.now, uow, rules)
        uow.commit()
        return Identified(case.number, outcome, classification, tuple(flagged))


def _flag_possible_duplicates(
    case: Case, uow: UnitOfWork, rules: CountryRules
) -> list[PossibleDuplicate]:
    """Flags the earlier cases the new case's child may be, for a person to decide."""
    key = child_key(case.child)
    if not key.readable:  # resembles nobody: the lookup would find nothing to compare
        return []
    region = rules.district(key.district).region
    earlier, differ = uow.cases.earlier_cases_like(key), uow.cases.children_said_to_differ(key)
    flags = duplicates.flags_for(case.number, key, region, earlier, differ, case.opened_at)
    uow.cases.add_possible_duplicates(flags)
    return flags


def list_possible_duplicates(
    cmd: c.ListPossibleDuplicates, uow: UnitOfWork
) -> list[PossibleDuplicate]:
    status = None if cmd.status is None else FlagStatus(one_of(cmd.status, FlagStatus, "status"))
    with uow:
        return uow.cases.possible_duplicates(status, cmd.limit)


def confirm_duplicate(cmd: c.ConfirmDuplicate, uow: UnitOfWork, rules: CountryRules) -> Confirmed:
    """A person says the two cases are one child (clms.domain.duplicates.confirm)."""
    with uow:
        flag = uow.cases.possible_duplicate(cmd.new_case, cmd.old_case)
        new, old = uow.cases.get(cmd.new_case), uow.cases.get(cmd.old_case)
        confirmed = duplicates.confirm(flag, new, old, _deciding_act(cmd, rules))
        for case in (new, old):  # the new case first: it gives its identifications up
            uow.cases.save(case, index_of(case, rules))
        if confirmed.merged:
            uow.cases.move_identifications(new, old)
        uow.cases.settle_possible_duplicate(confirmed.flag)
        uow.commit()
        return confirmed


def dismiss_duplicate(
    cmd: c.DismissDuplicate, uow: UnitOfWork, rules: CountryRules
) -> PossibleDuplicate:
    """A person says the two cases are different children: the flag is kept, dismissed."""
    with uow:
        flag = uow.cases.possible_duplicate(cmd.new_case, cmd.old_case)
        dismissed = duplicates.dismiss(flag, _deciding_act(cmd, rules))
        uow.cases.settle_possible_duplicate(dismissed)
        uow.commit()
        return dismissed


def assess(cmd: c.Assess, uow: UnitOfWork, rules: CountryRules) -> Case:
    return _transition(cmd, "assess", uow, rules)


def screen_out(cmd: c.ScreenOut, uow: UnitOfWork, rules: CountryRules) -> Case:
    return _transition(cmd, "screen_out", uow, rules)


def refer(cmd: c.Refer, uow: UnitOfWork, rules: CountryRules) -> Case:
    def change(case: Case) -> None:
        rules.service_type(cmd.service_type)
        data = {"provider": cmd.provider, "service_type": cmd.service_type}
        if cmd.override_reason:
            data["override_reason"] = cmd.override_reason
        act = _act(cmd, rules, data, provider=uow.providers.get(cmd.provider))
        fire(
            case,
            "refer",
            replace(act, service_type=cmd.service_type, override_reason=cmd.override_reason),
        )
        if case.priority is Priority.URGENT:  # the provider must know it cannot wait
            tell_at_once((CheckRule.URGENT_REFERRAL,), case, cmd.now, uow, rules)

    return _change(cmd, uow, rules, change)


def answer_referral(cmd: c.AnswerReferral, uow: UnitOfWork, rules: CountryRules) -> Case:
    """The provider's answer; a declined referral leaves the case needing a new one."""

    def change(case: Case) -> None:
        case_events.answer_referral(case, cmd.accepted, _act(cmd, rules, {}))

    return _change(cmd, uow, rules, change)


def start_service(cmd: c.StartService, uow: UnitOfWork, rules: CountryRules) -> Case:
    started = cmd.started_on or cmd.now.date()
    data = {"started_on": started.isoformat()}
    return _transition(cmd, "start_service", uow, rules, data, started_on=started)


def record_follow_up(cmd: c.RecordFollowUp, uow: UnitOfWork, rules: CountryRules) -> Case:
    """A visit's outcome; a child found working again relapses to assessment."""

    def change(case: Case) -> None:
        visited = cmd.visited_on or cmd.now.date()
        _check_follow_up(case, visited, cmd.now.date())
        attending, working = _outcome(cmd)
        visit = Visit(visited, attending, working, cmd.reason, cmd.evidence)
        case_events.record_visit(case, visit, _act(cmd, rules, {}))

    return _change(cmd, uow, rules, change)


def close(cmd: c.Close, uow: UnitOfWork, rules: CountryRules) -> Case:
    closure = cmd.closure.value if cmd.closure else None
    return _transition(cmd, "close", uow, rules, {"closure": closure}, closure=cmd.closure)


def reopen(cmd: c.Reopen, uow: UnitOfWork, rules: CountryRules) -> Case:
    return _transition(cmd, "reopen", uow, rules)


def mark_lost(cmd: c.MarkLost, uow: UnitOfWork, rules: CountryRules) -> Case:
    return _transition(cmd, "mark_lost", uow, rules)


def resume(cmd: c.Resume, uow: UnitOfWork, rules: CountryRules) -> Case:
    return _transition(cmd, "resume", uow, rules)


def cancel_referral(cmd: c.CancelReferral, uow: UnitOfWork, rules: CountryRules) -> Case:
    """A referral to the wrong place, or to a provider that closed, ends with its reason
    (required: the history must say why a child's place was given up)."""
    if not cmd.reason.strip():
        raise InvalidInput("a reason is required to cancel a referral", field="reason")

    def change(case: Case) -> None:
        live = case.live_referral
        data = {"provider": live.provider, "service_type": live.service_type} if live else {}
        fire(case, "cancel_referral", _act(cmd, rules, data))

    return _change(cmd, uow, rules, change)


def get_case(number: str, uow: UnitOfWork) -> Case:
    with uow:
        return uow.cases.get(number)


def open_case_of(child: Child, uow: UnitOfWork) -> Case | None:
    with uow:
        return _open_case_of_the_same_child(child, uow)


def _open_case_of_the_same_child(child: Child, uow: UnitOfWork) -> Case | None:
    """A child whose name the key cannot read (ChildKey.readable) gets a case of their own
    rather than being merged with every other child so written."""
    key = child_key(child)
    return uow.cases.open_case_of(key) if key.readable else None


def list_submissions(command: c.ListSubmissions, uow: UnitOfWork) -> list[Submission]:
    if not command.monitor:
        raise InvalidInput("whose submissions: a monitor is required", field="monitor")
    with uow:
        return uow.cases.submissions_of(command.monitor, min(max(command.limit, 1), 500))


def list_cases(query: CaseQuery, uow: UnitOfWork, rules: CountryRules) -> list[CaseSummary]:
    if query.state is not None:
        one_of(query.state, CASE_LIFECYCLE.states, "state")
    if query.priority is not None:
        one_of(query.priority, (p.value for p in Priority), "priority")
    if query.district is not None:
        rules.district(query.district)
    with uow:
        return uow.cases.summaries(query)


def index_of(case: Case, rules: CountryRules) -> CaseIndex:
    ready = ready_to_close(case, rules.closing)
    return CaseIndex(alternative_status(case), next_action_due(case, rules), ready)


def history_is_consistent(case: Case) -> bool:
    return lifecycle.replay(case.history) == case.state


def _transition(
    cmd: c.CaseCommand,
    trigger: str,
    uow: UnitOfWork,
    rules: CountryRules,
    data: Mapping[str, object] | None = None,
    **act_fields: object,
) -> Case:
    def change(case: Case) -> None:
        act = _act(cmd, rules, data or {})
        fire(case, trigger, replace(act, **act_fields))  # type: ignore[arg-type]

    return _change(cmd, uow, rules, change)


def _change(
    cmd: c.CaseCommand, uow: UnitOfWork, rules: CountryRules, change: Callable[[Case], None]
) -> Case:
    """Load, check the version, change, save and commit: all of it, or nothing."""
    with uow:
        case = uow.cases.get(cmd.case_number)
        if cmd.expected_version is not None and cmd.expected_version != case.version:
            raise Conflict(
                f"case {case.number} is at version {case.version}, not {cmd.expected_version}: "
                "somebody changed it since you read it; reload and try again"
            )
        change(case)
        uow.cases.save(case, index_of(case, rules))
        uow.commit()
        return case


def _act(
    cmd: c.CaseCommand, rules: CountryRules, data: Mapping[str, object], **fields: object
) -> Act:
    return Act(cmd.actor, cmd.now, rules, reason=cmd.reason, data=dict(data), **fields)  # type: ignore[arg-type]


def _neighbourhood(child: Child, rules: CountryRules) -> str:
    return neighbourhood(child_key(child), rules.district(child.district).region)


def _deciding_act(cmd: c.ConfirmDuplicate | c.DismissDuplicate, rules: CountryRules) -> Act:
    return Act(cmd.actor, cmd.now, rules, reason=cmd.reason)


def _monitor_act(cmd: c.Identify, rules: CountryRules) -> Act:
    monitor = Actor(cmd.observation.monitor, Role.MONITOR)
    return Act(monitor, cmd.now, rules, reason=cmd.observation.note)


def _check_child(child: Child, seen: Observation, rules: CountryRules) -> None:
    rules.district(child.district)
    if not child.first_name.strip() or not child.last_name.strip():
        raise InvalidInput("the child's first and last name are required", field="name")
    if not seen.submission_id.strip():
        raise InvalidInput("a submission id is required", field="submission_id")
    if child.birth_date > seen.observed_at.date():
        raise InvalidInput(
            f"birth date {child.birth_date} is after the day the child was seen", field="birth_date"
        )
    if child.sex not in ("f", "m", "x"):
        raise InvalidInput("sex must be f, m or x", field="sex")


def _outcome(cmd: c.RecordFollowUp) -> tuple[bool, bool]:
    for field in ("attending", "working"):
        if getattr(cmd, field) is None:
            raise InvalidInput(f"a follow-up needs its outcome: say whether the child is "
                               f"{field} (yes or no)", field=field)  # fmt: skip
    return bool(cmd.attending), bool(cmd.working)


def _check_follow_up(case: Case, visited: date, today: date) -> None:
    if case.state != case_states.IN_SERVICE:
        raise Refused(
            f"cannot record a follow-up for a case that is {case.state.replace('_', ' ')}",
            allowed_now=CASE_LIFECYCLE.triggers_from(case.state),
        )
    started = case.service_started_on
    if started is not None and visited < started:
        raise InvalidInput(
            f"follow-up on {visited} is before the service started on {started}", field="visited_on"
        )
    if visited > today:
        raise InvalidInput(f"follow-up on {visited} is in the future", field="visited_on")
