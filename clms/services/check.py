"""The daily check: for every open case, does the child have a satisfactory alternative,
and if not, who must act? Each rule is an SQL query (clms.adapters.db.check); this module
acts on what it finds, a chunk of cases per transaction, and writes reminders to the
outbox in the same transaction as the decision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from clms.domain import case_events
from clms.domain.check import AUDIENCE, Audience, CheckRule, Contact, Finding, channel_for
from clms.domain.errors import Conflict, NotFound
from clms.domain.lifecycle import Act, fire
from clms.domain.model import Actor, Case, Provider, Role
from clms.domain.outbox import ReminderStatus
from clms.domain.rules import CountryRules
from clms.messages import render
from clms.ports import AnswerToken, NewReminder, UnitOfWork
from clms.services.cases import index_of
from clms.tokens import new_token_id, sign

SYSTEM = Actor("daily-check", Role.SYSTEM)

# The rules that change cases run first, so that the reminders see the result.
ORDER: tuple[CheckRule, ...] = (
    CheckRule.REFERRAL_EXPIRED,
    CheckRule.FOLLOW_UP_MISSED,
    CheckRule.TOO_MANY_FAILED_CONTACTS,
    CheckRule.URGENT_OVERDUE,
    CheckRule.NOT_ASSESSED,
    CheckRule.NOT_REFERRED,
    CheckRule.REFERRAL_UNANSWERED,
    CheckRule.REFERRAL_ESCALATION,
    CheckRule.ATTENDANCE_CHECK,
    CheckRule.FOLLOW_UP_OVERDUE,
    CheckRule.FOLLOW_UP_ESCALATION,
    CheckRule.TURNED_18,
)


@dataclass(frozen=True)
class Links:
    """Where a school's answer link points, and the key that signs it."""

    public_url: str
    secret: bytes


@dataclass(frozen=True)
class ChunkResult:
    found: dict[str, int]  # cases found, per district
    reminders: int  # new reminders written
    conflicts: int  # cases changed by somebody meanwhile: left for the next run


def candidate_chunks(
    rule: CheckRule, now: datetime, region: str | None, uow: UnitOfWork, size: int
) -> list[list[int]]:
    with uow:
        ids = uow.check.candidate_ids(rule, now, region)
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def act_on_chunk(
    rule: CheckRule,
    case_ids: list[int],
    now: datetime,
    uow: UnitOfWork,
    rules: CountryRules,
    links: Links,
) -> ChunkResult:
    found: Counter[str] = Counter()
    reminders: list[NewReminder] = []
    conflicts = 0
    with uow:
        findings = uow.check.findings(rule, case_ids, now)
        known = uow.outbox.known_keys([f.key for f in findings])
        book = _Directory(uow)
        for finding in findings:
            if finding.key in known or not _change_case(finding, now, uow, rules):
                conflicts += finding.key not in known
                continue
            found[finding.district] += 1
            reminder = _compose(finding, now, uow, book, rules, links)
            reminders += [reminder] if reminder else []
        written = uow.outbox.add(reminders)
        uow.commit()
    return ChunkResult(dict(found), written, conflicts)


# --- what a rule changes ---------------------------------------------------------------


def _change_case(finding: Finding, now: datetime, uow: UnitOfWork, rules: CountryRules) -> bool:
    """Applies the rule's change to the case, with history; False on a conflict."""
    change = CHANGES.get(finding.rule)
    if change is None:
        return True
    try:
        case = uow.cases.get(finding.case_number)
        change(case, finding, Act(SYSTEM, now, rules, reason=_why(finding)))
        uow.cases.save(case, index_of(case, rules))
    except Conflict:
        return False
    return True


def _expire_referral(case: Case, finding: Finding, act: Act) -> None:
    case_events.expire_referral(case, finding.provider_code or "", act)


def _count_missed_follow_up(case: Case, finding: Finding, act: Act) -> None:
    assert finding.follow_up_id is not None  # the follow-up rules always name one
    case_events.miss_follow_up(case, finding.follow_up_id, act)


def _mark_lost(case: Case, finding: Finding, act: Act) -> None:
    fire(case, "mark_lost", act)


CHANGES = {
    CheckRule.REFERRAL_EXPIRED: _expire_referral,
    CheckRule.FOLLOW_UP_MISSED: _count_missed_follow_up,
    CheckRule.TOO_MANY_FAILED_CONTACTS: _mark_lost,
}


def _why(finding: Finding) -> str:
    return {
        CheckRule.REFERRAL_EXPIRED: f"no answer from {finding.provider_code} since {finding.due}",
        CheckRule.FOLLOW_UP_MISSED: f"the follow-up due on {finding.due} was not done",
        CheckRule.TOO_MANY_FAILED_CONTACTS: "too many follow-ups missed",
    }.get(finding.rule, "")


# --- who is told, and how ----------------------------------------------------------------


class _Directory:
    """The providers and staff a chunk's reminders go to, each looked up once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._providers: dict[str, Provider | None] = {}
        self._staff: dict[tuple[str, str], Contact | None] = {}

    def provider(self, code: str) -> Provider | None:
        if code not in self._providers:
            try:
                self._providers[code] = self.uow.providers.get(code)
            except NotFound:  # removed from the directory since the referral
                self._providers[code] = None
        return self._providers[code]

    def staff(self, role: Audience, area: str) -> Contact | None:
        if (role, area) not in self._staff:
            self._staff[(role, area)] = self.uow.staff.contact(role.value, area)
        return self._staff[(role, area)]


def _compose(
    finding: Finding,
    now: datetime,
    uow: UnitOfWork,
    book: _Directory,
    rules: CountryRules,
    links: Links,
) -> NewReminder | None:
    audience = AUDIENCE.get(finding.rule)
    if audience is None:
        return None
    contact = _contact(finding, audience, book)
    channel, address = channel_for(contact, audience)
    if channel == "task":
        return _fix_contact_task(finding, contact, audience, now, book)
    assert contact is not None
    values = _values(finding, contact, rules, book)
    if finding.rule is CheckRule.ATTENDANCE_CHECK:
        link, expires = _answer_link(finding, now, rules, uow, links)
        values |= {"link": link, "expires": expires.date().isoformat()}
    subject, body = render(finding.rule.value, contact.language, values)
    payload = _payload(finding, values, body) if channel == "webhook" else {}
    return NewReminder(
        finding.key,
        finding.case_id,
        finding.rule.value,
        contact.name,
        channel,
        address,
        subject,
        body,
        payload,
        ReminderStatus.PENDING,
        now,
    )


def _contact(finding: Finding, audience: Audience, book: _Directory) -> Contact | None:
    if audience is Audience.PROVIDER:
        p = book.provider(finding.provider_code or "")
        return Contact(p.name, p.phone, p.email, p.webhook_url, p.language) if p else None
    area = finding.district if audience is Audience.SOCIAL_WORKER else finding.region
    return book.staff(audience, area)


def _fix_contact_task(
    finding: Finding, contact: Contact | None, audience: Audience, now: datetime, book: _Directory
) -> NewReminder:
    """No usable phone or e-mail: nothing to send, a task for the district's social worker."""
    worker = book.staff(Audience.SOCIAL_WORKER, finding.district)
    missing = (
        contact.name if contact else f"the {audience.value.replace('_', ' ')} of {finding.district}"
    )
    values = {"recipient": missing, "case": finding.case_number}
    subject, body = render("fix_contact", worker.language if worker else "ru", values)
    assignee = worker.name if worker else f"social worker of {finding.district}"
    return NewReminder(
        finding.key,
        finding.case_id,
        finding.rule.value,
        assignee,
        "task",
        "",
        subject,
        body,
        {},
        ReminderStatus.TASK,
        now,
    )


def _values(
    finding: Finding, contact: Contact, rules: CountryRules, book: _Directory
) -> dict[str, str]:
    known = book.provider(finding.provider_code) if finding.provider_code else None
    provider = known.name if known else finding.provider_code or ""  # removed: its code will do
    service = finding.service_type or ""
    if service in rules.service_types:
        service = rules.service_types[service].label
    return {
        "child": finding.child,
        "case": finding.case_number,
        "provider": provider,
        "service": service,
        "due": finding.due.isoformat(),
        "recipient": contact.name,
    }


def _answer_link(
    finding: Finding, now: datetime, rules: CountryRules, uow: UnitOfWork, links: Links
) -> tuple[str, datetime]:
    assert finding.follow_up_id is not None and finding.provider_code is not None
    expires = now + timedelta(days=rules.check.answer_link_days)
    token = AnswerToken(
        new_token_id(), finding.case_id, finding.follow_up_id, finding.provider_code, expires
    )
    uow.tokens.add(token)
    return (
        f"{links.public_url.rstrip('/')}/answer/{sign(token.token_id, expires, links.secret)}",
        expires,
    )


def _payload(finding: Finding, values: dict[str, str], body: str) -> dict[str, object]:
    """What a school's system receives: the minimum, and for an attendance check, how to
    answer it."""
    if finding.rule is not CheckRule.ATTENDANCE_CHECK:
        return {"type": finding.rule.value, "reference": finding.key, "child": finding.child,
                "due": finding.due.isoformat(), "message": body}  # fmt: skip
    return {
        "type": "attendance_check",
        "reference": finding.key,
        "child": finding.child,
        "follow_up_due": finding.due.isoformat(),
        "answer_url": values["link"],
        "answer_expires": values["expires"],
        "answers": ["attending_regularly", "attending_irregularly", "not_attending", "not_known"],
    }


def summarise(
    results: dict[CheckRule, list[ChunkResult]], now: datetime, region: str | None
) -> dict[str, object]:
    """Counts per rule and district, the new reminders, and the conflicts left for later."""
    rules: dict[str, dict[str, object]] = {}
    for rule, chunks in results.items():
        found: Counter[str] = Counter()
        for chunk in chunks:
            found.update(chunk.found)
        rules[rule.value] = {
            "found": sum(found.values()),
            "by_district": dict(sorted(found.items())),
            "reminders": sum(c.reminders for c in chunks),
            "conflicts": sum(c.conflicts for c in chunks),
        }
    total = sum(int(r["reminders"]) for r in rules.values())  # type: ignore[call-overload]
    return {"now": now.isoformat(), "region": region, "reminders": total, "rules": rules}


def summary_markdown(summary: dict[str, object]) -> str:
    lines = [
        f"# Satisfactory alternative check, {summary['now']}"
        + (f", {summary['region']}" if summary["region"] else ""),
        "",
        f"New reminders: **{summary['reminders']}**",
        "",
        "| rule | district | cases found |",
        "|---|---|---|",
    ]
    rules: dict[str, dict[str, object]] = summary["rules"]  # type: ignore[assignment]
    for rule, counts in rules.items():
        by_district: dict[str, int] = counts["by_district"]  # type: ignore[assignment]
        lines += [f"| {rule} | {district} | {n} |" for district, n in by_district.items()]
    return "\n".join(lines) + "\n"
