"""When a case may close: the country's closing rule, explained when it is not met."""

from __future__ import annotations

from datetime import date

from clms.domain.model import Case, ClosureReason, FollowUp, Role
from clms.domain.rules import ClosingPolicy
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
    if not case.category.is_child_labour:
        return f"the child was not in child labour ({case.category.value}); close as prevented"
    run = trailing_satisfactory_run(case)
    days = (run[-1].done_on - run[0].done_on).days if len(run) > 1 else 0  # type: ignore[operator]
    needed, span = policy.withdrawn_min_follow_ups, policy.withdrawn_min_days
    if len(run) >= needed and days >= span:
        return None
    return f"{len(run)} of {needed} consecutive satisfactory follow-ups, {days} of {span} days"


def _prevented_problem(case: Case, policy: ClosingPolicy) -> str | None:
    if case.category.is_child_labour:
        return f"the child was in child labour ({case.category.value}); close as withdrawn"
    delivered = (referral_states.STARTED, referral_states.COMPLETED)
    if not any(r.state in delivered for r in case.referrals):
        return "no service has been delivered yet"
    satisfactory = sum(f.satisfactory for f in case.done_follow_ups())
    needed = policy.prevented_min_follow_ups
    return None if satisfactory >= needed else f"{satisfactory} of {needed} satisfactory follow-ups"
