"""When a case may close: the country's closing rule, explained when it is not met."""

from __future__ import annotations

from datetime import date, timedelta

from clms.domain.model import Case, ClosureReason, FollowUp, Role
from clms.domain.rules import ClosingPolicy
from clms.states import case as case_states
from clms.states import referral as referral_states

NEEDS_A_WRITTEN_REASON = (ClosureReason.MOVED, ClosureReason.DUPLICATE, ClosureReason.DECEASED)


def closure_refusal(
    case: Case, closure: ClosureReason, role: Role, today: date, policy: ClosingPolicy, reason: str
) -> str | None:
    """Why `case` may not close for `closure` today, or None when it may."""
    prefix = f"cannot close as {closure.value.replace('_', ' ')}: "
    match closure:
        case ClosureReason.WITHDRAWN:
            problem = _withdrawn_problem(case, policy)
        case ClosureReason.PREVENTED:
            problem = _prevented_problem(case, policy)
        case ClosureReason.AGED_OUT:
            age = case.child.age_on(today)
            problem = None if age >= 18 else f"the child is {age}, not yet 18"
        case ClosureReason.OTHER:
            problem = None if role.approves else "needs a supervisor"
        case _:
            problem = None
    if problem is None and closure in (*NEEDS_A_WRITTEN_REASON, ClosureReason.OTHER):
        problem = None if reason.strip() else "a reason is required"
    return prefix + problem if problem else None


def trailing_satisfactory_run(case: Case) -> list[FollowUp]:
    """The latest follow-ups that were all satisfactory, oldest first."""
    run: list[FollowUp] = []
    for follow_up in reversed(case.done_follow_ups()):
        if not follow_up.satisfactory:
            break
        run.insert(0, follow_up)
    return run


def _withdrawn_problem(case: Case, policy: ClosingPolicy) -> str | None:
    """What is missing, said as what a visit can fix: waiting alone never closes a case."""
    if not case.category.is_child_labour:
        return f"the child was not in child labour ({case.category.value}); close as prevented"
    run = trailing_satisfactory_run(case)
    needed, span = policy.withdrawn_min_follow_ups, policy.withdrawn_min_days
    if not run:
        since = " since the last unsatisfactory one" if case.done_follow_ups() else " yet"
        return (f"no satisfactory follow-up{since}: {needed} in a row are needed, the last "
                f"at least {span} days after the first")  # fmt: skip
    days = (run[-1].done_on - run[0].done_on).days  # type: ignore[operator]
    if len(run) >= needed and days >= span:
        return None
    more = max(needed - len(run), 1)
    visits = "another satisfactory follow-up" if more == 1 else f"{more} more satisfactory ones"
    last_on = run[0].done_on + timedelta(days=span)  # type: ignore[operator]
    return (f"needs {visits}, the last on or after {last_on} ({len(run)} of {needed} in a "
            f"row since {run[0].done_on}; the first and the last {span} days apart)")  # fmt: skip


def natural_closure(case: Case) -> ClosureReason:
    """How a case that went well closes: withdrawn from child labour, or prevented."""
    return ClosureReason.WITHDRAWN if case.category.is_child_labour else ClosureReason.PREVENTED


def ready_to_close(case: Case, policy: ClosingPolicy) -> bool:
    """In service and its closing rule met: the social worker should close it."""
    if case.state != case_states.IN_SERVICE:
        return False
    met = (
        _withdrawn_problem
        if natural_closure(case) is ClosureReason.WITHDRAWN
        else _prevented_problem
    )
    return met(case, policy) is None


def next_closing_visit(case: Case, policy: ClosingPolicy, interval_days: int) -> date:
    """When the next visit can bring the case closer to closing: the first of a
    satisfactory run and the rule's span later, and at least `interval_days` after the
    last visit (a case needing more than one more visit gets them that far apart)."""
    done = case.done_follow_ups()
    last = done[-1].done_on or done[-1].due_on if done else case.service_started_on or date.min
    run = trailing_satisfactory_run(case)
    span_end = date.min
    if run and natural_closure(case) is ClosureReason.WITHDRAWN:
        first = run[0].done_on or run[0].due_on  # a done follow-up has its day
        span_end = first + timedelta(days=policy.withdrawn_min_days)
    return max(span_end, last + timedelta(days=interval_days))


def _prevented_problem(case: Case, policy: ClosingPolicy) -> str | None:
    if case.category.is_child_labour:
        return f"the child was in child labour ({case.category.value}); close as withdrawn"
    delivered = (referral_states.STARTED, referral_states.COMPLETED)
    if not any(r.state in delivered for r in case.referrals):
        return "no service has been delivered yet"
    satisfactory = sum(f.satisfactory for f in case.done_follow_ups())
    needed = policy.prevented_min_follow_ups
    return None if satisfactory >= needed else f"{satisfactory} of {needed} satisfactory follow-ups"
