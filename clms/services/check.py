"""The daily check: for every open case, does the child have a satisfactory alternative,
and if not, who must act? Each rule is an entry of clms.domain.reminders (what it changes,
who is told, with which message) and an SQL query (clms.adapters.db.check); this module
acts on what the query finds, a chunk of cases per transaction, and writes reminders to
the outbox in the same transaction as the decision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from clms.config_files import configured_config_dir
from clms.domain.check import CheckRule, Contact, Finding, channel_for
from clms.domain.errors import Conflict, NotFound
from clms.domain.lifecycle import Act
from clms.domain.model import Actor, Provider, Role
from clms.domain.outbox import ReminderStatus
from clms.domain.reminders import ReminderRule, reminder_rule
from clms.domain.rules import CountryRules
from clms.messages import render, templates
from clms.ports import AnswerToken, NewReminder, UnitOfWork
from clms.services.answers import contact_line
from clms.services.cases import index_of
from clms.tokens import new_token_id, sign

SYSTEM = Actor("daily-check", Role.SYSTEM)


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
    entry = reminder_rule(rule)
    found: Counter[str] = Counter()
    reminders: list[NewReminder] = []
    conflicts = 0
    with uow:
        found_now = uow.check.findings(rule, case_ids, now)
        findings = [entry.in_round(finding, now.date(), rules.check) for finding in found_now]
        known = uow.outbox.known_keys([f.key for f in findings])
        book = _Directory(uow)
        for finding in findings:
            if finding.key in known or not _change_case(entry, finding, now, uow, rules):
                conflicts += finding.key not in known
                continue
            found[finding.district] += 1
            reminder = _compose(entry, finding, now, uow, book, rules, links)
            reminders += [reminder] if reminder else []
        written = uow.outbox.add(reminders)
        uow.commit()
    return ChunkResult(dict(found), written, conflicts)


# --- what a rule changes ---------------------------------------------------------------


def _change_case(
    entry: ReminderRule, finding: Finding, now: datetime, uow: UnitOfWork, rules: CountryRules
) -> bool:
    """Applies the rule's change to the case, with history; False on a conflict."""
    if entry.change is None:
        return True
    try:
        case = uow.cases.get(finding.case_number)
        act = Act(SYSTEM, now, rules, reason=entry.change.reason_for(finding))
        entry.change.apply(case, finding, act)
        uow.cases.save(case, index_of(case, rules))
    except Conflict:
        return False
    return True


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

    def staff(self, role: Role, area: str) -> Contact | None:
        if (role, area) not in self._staff:
            self._staff[(role, area)] = self.uow.staff.contact(role.value, area)
        return self._staff[(role, area)]


def _compose(
    entry: ReminderRule,
    finding: Finding,
    now: datetime,
    uow: UnitOfWork,
    book: _Directory,
    rules: CountryRules,
    links: Links,
) -> NewReminder | None:
    if entry.audience is None or entry.template is None:  # nobody is told
        return None
    contact = _contact(finding, entry.audience, book)
    channel, address = channel_for(contact, entry.audience)
    if channel == "task":
        return _fix_contact_task(finding, contact, entry.audience, now, book)
    assert contact is not None
    link = _answer_link(finding, now, rules, uow, links) if entry.answer_link else None
    values = _values(finding, contact, rules, book, link)
    subject, body = render(entry.template, contact.language, values)
    payload = _payload(entry, finding, values, body) if channel == "webhook" else {}
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


def _contact(finding: Finding, audience: Role, book: _Directory) -> Contact | None:
    if audience is Role.PROVIDER:
        p = book.provider(finding.provider_code or "")
        return Contact(p.name, p.phone, p.email, p.webhook_url, p.language) if p else None
    area = finding.district if audience.area == "district" else finding.region
    return book.staff(audience, area)


def _fix_contact_task(
    finding: Finding, contact: Contact | None, audience: Role, now: datetime, book: _Directory
) -> NewReminder:
    """No usable phone or e-mail: nothing to send, a task for the district's social worker."""
    worker = book.staff(Role.SOCIAL_WORKER, finding.district)
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
    finding: Finding,
    contact: Contact,
    rules: CountryRules,
    book: _Directory,
    link: tuple[str, datetime] | None,
) -> dict[str, str]:
    known = book.provider(finding.provider_code) if finding.provider_code else None
    provider = known.name if known else finding.provider_code or ""  # removed: its code will do
    service = finding.service_type or ""
    if service in rules.service_types:
        service = rules.service_types[service].label
    worker = contact_line(book.staff(Role.SOCIAL_WORKER, finding.district))
    values = message_values(finding, contact.name, provider, service, link)
    return values | social_worker_values(worker, contact.language)


def social_worker_values(worker: str, language: str) -> dict[str, str]:
    """Whom a school may call, for the messages to schools: {worker}, the district's social
    worker ("name, phone", or "" when the directory has none yet), and {social_worker}, a
    sentence naming them in the school's language (config/messages, social_worker_to_contact)."""
    # A config directory whose messages predate the sentence does not use it either.
    sentences = templates(language, configured_config_dir()).get("social_worker_to_contact", {})
    sentence = sentences.get("known" if worker else "unknown", "").format(worker=worker)
    return {"worker": worker, "social_worker": sentence}


def message_values(
    finding: Finding,
    recipient: str,
    provider: str,
    service: str,
    link: tuple[str, datetime] | None = None,
) -> dict[str, str]:
    """What a rule's template may use; only a rule with an answer link has {link} and
    {expires} (tests/unit/test_reminder_rules.py renders every template with these)."""
    values = {
        "child": finding.child,
        "case": finding.case_number,
        "provider": provider,
        "service": service,
        "due": finding.due.isoformat(),
        "recipient": recipient,
    }
    if link is not None:
        url, expires = link
        values |= {"link": url, "expires": expires.date().isoformat()}
    return values


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


def _payload(
    entry: ReminderRule, finding: Finding, values: dict[str, str], body: str
) -> dict[str, object]:
    """What a school's system receives: the minimum, and for an attendance check, how to
    answer it. No case number: the webhook adapter adds an opaque `reference` instead."""
    if not entry.answer_link:
        return {"type": finding.rule.value, "child": finding.child, "due": finding.due.isoformat(),
                "social_worker": values["worker"], "message": body}  # fmt: skip
    return {
        "type": finding.rule.value,
        "child": finding.child,
        "social_worker": values["worker"],
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
