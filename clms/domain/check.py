"""The daily check's vocabulary: what it looks for (and the few moments told at once),
who must act, and the key that makes a reminder unique (so running the check twice for
the same day sends nothing twice). What each rule does and who it tells is the rule
table's, clms.domain.reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property

from clms.domain.model import Role


class CheckRule(StrEnum):
    NOT_ASSESSED = "not_assessed"
    NOT_REFERRED = "not_referred"
    ACTION_ESCALATION = "action_escalation"
    URGENT_OVERDUE = "urgent_overdue"
    REFERRAL_UNANSWERED = "referral_unanswered"
    REFERRAL_ESCALATION = "referral_escalation"
    REFERRAL_EXPIRED = "referral_expired"
    ATTENDANCE_CHECK = "attendance_check"
    FOLLOW_UP_OVERDUE = "follow_up_overdue"
    FOLLOW_UP_ESCALATION = "follow_up_escalation"
    FOLLOW_UP_MISSED = "follow_up_missed"
    UNSATISFACTORY_ALTERNATIVE = "unsatisfactory_alternative"
    UNSATISFACTORY_ESCALATION = "unsatisfactory_escalation"
    STALLED = "stalled"
    TURNED_18 = "turned_18"
    READY_TO_CLOSE = "ready_to_close"
    TOO_MANY_FAILED_CONTACTS = "too_many_failed_contacts"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    # Told at once, in the transaction of what happened, not found by the nightly check:
    URGENT_FOUND = "urgent_found"  # a worst form identified: the social worker
    URGENT_FOUND_SUPERVISOR = "urgent_found_supervisor"  # ... and the supervisor
    URGENT_REFERRAL = "urgent_referral"  # the provider an urgent case is referred to


@dataclass(frozen=True)
class Finding:
    """One case that a rule found, with what a reminder needs and nothing more."""

    rule: CheckRule
    case_id: int
    case_number: str
    district: str
    region: str
    due: date
    first_name: str
    last_name: str
    provider_code: str | None = None
    service_type: str | None = None
    follow_up_id: int | None = None
    round: int = 0  # 0: the first reminder of this obligation; then one more each repeat

    @cached_property  # asked twice a finding: whether it is known, and to write it
    def key(self) -> str:
        """One reminder per case, rule, due day and round: the check finds an open
        obligation every night, and tells again only when a new round has begun."""
        return reminder_key(self.case_number, self.rule, self.due, self.round)

    def in_round(self, round_: int) -> Finding:
        """The same finding in another round of reminders (dataclasses.replace, field by
        field, is five times slower: the check asks it of every finding every night)."""
        return Finding(self.rule, self.case_id, self.case_number, self.district, self.region,
                       self.due, self.first_name, self.last_name, self.provider_code,
                       self.service_type, self.follow_up_id, round_)  # fmt: skip

    @property
    def child(self) -> str:
        """What a school may see: the first name and the last initial."""
        initial = self.last_name.strip()[:1]
        return f"{self.first_name} {initial}." if initial else self.first_name


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str = ""
    email: str = ""
    webhook_url: str = ""
    language: str = "ru"


def channel_for(contact: Contact | None, audience: Role) -> tuple[str, str]:
    """The channel and address to use, or ("task", "") when there is none usable.
    A school's own system comes first, then e-mail; staff get an SMS first."""
    if contact is None:
        return "task", ""
    order: list[tuple[str, str]] = [("sms", contact.phone), ("email", contact.email)]
    if audience is Role.PROVIDER:
        order = [("webhook", contact.webhook_url), ("email", contact.email), ("sms", contact.phone)]
    return next(((channel, address) for channel, address in order if address.strip()), ("task", ""))


def reminder_key(case_number: str, rule: CheckRule, due: date, round_: int) -> str:
    """Finding.key, for a finding not built yet: the check learns most are known from it."""
    first = f"{case_number}:{rule}:{due.isoformat()}"  # a StrEnum formats as its value
    return f"{first}:{round_}" if round_ else first


def due_and_round(key: str) -> tuple[date, int]:
    """What a reminder's key (Finding.key) says: since when the obligation is due, and
    which round of reminders it is (0: the first)."""
    _, _, due, *more = key.split(":")
    return date.fromisoformat(due), int(more[0]) if more else 0
