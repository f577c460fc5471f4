"""The daily check's rules as one table: for each rule, in the order the check runs them,
the query that finds its cases, what it changes on a case (and the reason its history row
gives), who is told, and with which message. The SQL is the adapter's (the domain does not
speak SQL): `query` names it in clms.adapters.db.check.QUERIES. The messages are
config/messages/<language>.toml's, one table a template.

A new rule: a CheckRule, an entry here, a query of that name in the adapter, and, when
somebody is told, a template of that name in every language (tests/unit/test_reminder_rules.py
checks all four)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from clms.domain import case_events
from clms.domain.check import CheckRule, Finding
from clms.domain.lifecycle import Act, fire
from clms.domain.model import Case, Role
from clms.domain.rules import CheckPolicy

NOBODY = None  # a rule that only changes the case: no reminder goes out
AT_ONCE = None  # a rule without a query: the use case tells it when it happens


@dataclass(frozen=True)
class CaseChange:
    """What a rule does to a case it found, through the domain, and the reason the
    case's history gives for it ({provider} and {due} are the finding's)."""

    apply: Callable[[Case, Finding, Act], None]
    reason: str

    def reason_for(self, finding: Finding) -> str:
        return self.reason.format(provider=finding.provider_code, due=finding.due)


@dataclass(frozen=True, kw_only=True)
class ReminderRule:
    """Everything about one rule of the check; each field must be named (no defaults but
    the answer link), so that "nobody is told" and "no change" are said, not forgotten."""

    rule: CheckRule
    query: str | None  # its SQL, in the adapter's QUERIES; AT_ONCE: not the check's
    change: CaseChange | None  # None: the case is left as it is
    audience: Role | None  # NOBODY: the rule only changes the case
    template: str | None  # the message's table in config/messages/<language>.toml
    answer_link: bool = False  # the message carries a signed link to the attendance answer page
    # How long after the obligation's due day the rule's query first finds it (the
    # escalations): its rounds of reminders are counted from then.
    found_after_days: Callable[[CheckPolicy], int] | None = None

    def in_round(self, finding: Finding, today: date, policy: CheckPolicy) -> Finding:
        """The finding in the round of reminders `today` falls in: a new round every
        `repeat_every_days` of this rule while the obligation stays open."""
        round_ = self.round_on(finding.due, today, policy)
        return finding.in_round(round_) if round_ else finding

    def round_on(self, due: date, today: date, policy: CheckPolicy) -> int:
        """The round of reminders `today` falls in for an obligation due on `due`."""
        every = policy.repeat_every_days.get(self.rule.value, 0)
        late = self.found_after_days(policy) if self.found_after_days else 0
        first = due + timedelta(days=late)
        return (today - first).days // every if every > 0 and today > first else 0


# --- the changes: a finding turned into the domain's verbs -------------------------------


def _expire_referral(case: Case, finding: Finding, act: Act) -> None:
    case_events.expire_referral(case, finding.provider_code or "", act)


def _count_missed_follow_up(case: Case, finding: Finding, act: Act) -> None:
    assert finding.follow_up_id is not None  # the follow-up rules always name one
    case_events.miss_follow_up(case, finding.follow_up_id, act)


def _mark_lost(case: Case, finding: Finding, act: Act) -> None:
    fire(case, "mark_lost", act)


# --- the table ---------------------------------------------------------------------------

# In the order the check runs them: the rules that change cases come first, so that the
# reminders after them see the result (an expired referral is not also "unanswered").
REMINDER_RULES: tuple[ReminderRule, ...] = (
    ReminderRule(
        rule=CheckRule.REFERRAL_EXPIRED,
        query="referral_expired",
        change=CaseChange(_expire_referral, "no answer from {provider} since {due}"),
        audience=Role.SOCIAL_WORKER,
        template="referral_expired",
    ),
    ReminderRule(
        rule=CheckRule.FOLLOW_UP_MISSED,
        query="follow_up_missed",
        change=CaseChange(_count_missed_follow_up, "the follow-up due on {due} was not done"),
        audience=NOBODY,
        template=None,
    ),
    ReminderRule(
        rule=CheckRule.TOO_MANY_FAILED_CONTACTS,
        query="too_many_failed_contacts",
        change=CaseChange(_mark_lost, "too many follow-ups missed"),
        audience=Role.SOCIAL_WORKER,
        template="marked_lost",
    ),
    ReminderRule(
        rule=CheckRule.LOST_TO_FOLLOW_UP,
        query="lost_to_follow_up",
        change=None,
        audience=Role.SUPERVISOR,
        template="lost_to_follow_up",
    ),
    ReminderRule(
        rule=CheckRule.URGENT_OVERDUE,
        query="urgent_overdue",
        change=None,
        audience=Role.SUPERVISOR,
        template="urgent_overdue",
    ),
    ReminderRule(
        rule=CheckRule.NOT_ASSESSED,
        query="not_assessed",
        change=None,
        audience=Role.SOCIAL_WORKER,
        template="not_assessed",
    ),
    ReminderRule(
        rule=CheckRule.NOT_REFERRED,
        query="not_referred",
        change=None,
        audience=Role.SOCIAL_WORKER,
        template="not_referred",
    ),
    ReminderRule(
        rule=CheckRule.ACTION_ESCALATION,
        query="action_escalation",
        change=None,
        audience=Role.SUPERVISOR,
        template="action_escalation",
        found_after_days=lambda policy: policy.action_escalate_after_days,
    ),
    ReminderRule(
        rule=CheckRule.REFERRAL_UNANSWERED,
        query="referral_unanswered",
        change=None,
        audience=Role.PROVIDER,
        template="referral_unanswered",
    ),
    ReminderRule(
        rule=CheckRule.REFERRAL_ESCALATION,
        query="referral_escalation",
        change=None,
        audience=Role.SUPERVISOR,
        template="referral_escalation",
        found_after_days=lambda policy: policy.referral_escalate_after_days,
    ),
    ReminderRule(
        rule=CheckRule.ATTENDANCE_CHECK,
        query="attendance_check",
        change=None,
        audience=Role.PROVIDER,
        template="attendance_check",
        answer_link=True,
    ),
    ReminderRule(
        rule=CheckRule.FOLLOW_UP_OVERDUE,
        query="follow_up_overdue",
        change=None,
        audience=Role.SOCIAL_WORKER,
        template="follow_up_overdue",
    ),
    ReminderRule(
        rule=CheckRule.FOLLOW_UP_ESCALATION,
        query="follow_up_escalation",
        change=None,
        audience=Role.SUPERVISOR,
        template="follow_up_escalation",
        found_after_days=lambda policy: policy.follow_up_escalate_after_days,
    ),
    ReminderRule(
        rule=CheckRule.UNSATISFACTORY_ALTERNATIVE,
        query="unsatisfactory_alternative",
        change=None,
        audience=Role.SOCIAL_WORKER,
        template="unsatisfactory_alternative",
    ),
    ReminderRule(
        rule=CheckRule.UNSATISFACTORY_ESCALATION,
        query="unsatisfactory_escalation",
        change=None,
        audience=Role.SUPERVISOR,
        template="unsatisfactory_escalation",
        found_after_days=lambda policy: policy.unsatisfactory_escalate_after_days,
    ),
    # The top rung of every ladder: whatever a case waits for, a month late the region's
    # coordinator hears of it (the case number and district only: coordinators see no names).
    ReminderRule(
        rule=CheckRule.STALLED,
        query="stalled",
        change=None,
        audience=Role.COORDINATOR,
        template="stalled",
        found_after_days=lambda policy: policy.coordinator_after_days,
    ),
    ReminderRule(
        rule=CheckRule.READY_TO_CLOSE,
        query="ready_to_close",
        change=None,
        audience=Role.SOCIAL_WORKER,
        template="ready_to_close",
    ),
    ReminderRule(
        rule=CheckRule.TURNED_18,
        query="turned_18",
        change=None,
        audience=Role.SOCIAL_WORKER,
        template="turned_18",
    ),
)

# What cannot wait for the night: told by the use case, in the same transaction as what
# happened (the identification, the referral), through the same outbox.
TOLD_AT_ONCE: tuple[ReminderRule, ...] = (
    ReminderRule(
        rule=CheckRule.URGENT_FOUND,
        query=AT_ONCE,
        change=None,
        audience=Role.SOCIAL_WORKER,
        template="urgent_found",
    ),
    ReminderRule(
        rule=CheckRule.URGENT_FOUND_SUPERVISOR,
        query=AT_ONCE,
        change=None,
        audience=Role.SUPERVISOR,
        template="urgent_found",
    ),
    ReminderRule(
        rule=CheckRule.URGENT_REFERRAL,
        query=AT_ONCE,
        change=None,
        audience=Role.PROVIDER,
        template="urgent_referral",
    ),
)

RUN_ORDER: tuple[CheckRule, ...] = tuple(entry.rule for entry in REMINDER_RULES)
_BY_RULE: dict[CheckRule, ReminderRule] = {
    entry.rule: entry for entry in (*REMINDER_RULES, *TOLD_AT_ONCE)
}


def reminder_rule(rule: CheckRule) -> ReminderRule:
    return _BY_RULE[rule]
