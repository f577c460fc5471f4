"""Who is told, and how: a reminder composed for the person a rule names, in their language,
by the channel their contact allows (a task to fix the contact when none does). The daily
check uses it for what it finds each night; the use cases for what must be told at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from clms.config_files import configured_config_dir
from clms.domain.check import CheckRule, Contact, Finding, channel_for
from clms.domain.errors import NotFound
from clms.domain.model import Case, Provider, Role
from clms.domain.outbox import ReminderStatus
from clms.domain.reminders import ReminderRule, reminder_rule
from clms.domain.rules import CountryRules
from clms.messages import render, templates
from clms.ports import AnswerToken, NewReminder, UnitOfWork
from clms.tokens import new_token_id, sign


@dataclass(frozen=True)
class Links:
    """Where a school's answer link points, and the key that signs it."""

    public_url: str
    secret: bytes


def tell_at_once(
    told: tuple[CheckRule, ...], case: Case, now: datetime, uow: UnitOfWork, rules: CountryRules
) -> int:
    """What cannot wait for the night, written to the outbox inside the caller's
    transaction: it goes out with the next delivery, or not at all if the change is
    rolled back. Returns how many reminders are new (the same day's twice is once)."""
    district = rules.district(case.child.district)
    live = case.live_referral
    assert case.id is not None  # stored: the reminder refers to it
    finding = Finding(
        told[0], case.id, case.number, district.code, district.region, now.date(),
        case.child.first_name, case.child.last_name,
        live.provider if live else None, live.service_type if live else None,
    )  # fmt: skip
    book = Recipients(uow)
    composed = [
        compose(reminder_rule(rule), replace(finding, rule=rule), now, uow, book, rules, None)
        for rule in told
    ]
    return uow.outbox.add([reminder for reminder in composed if reminder is not None])


class Recipients:
    """The providers and staff a chunk's reminders go to, each looked up once, and what is
    the same for every finding told to one of them (the channel, the district social
    worker's line in a language): the check tells thousands a chunk, a few dozen people."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.config_dir = configured_config_dir()  # read once, not once a message
        self._providers: dict[str, Provider | None] = {}
        self._staff: dict[tuple[str, str], Contact | None] = {}
        self._reach: dict[tuple[Role, str], Reach] = {}
        self._fixers: dict[tuple[str, str], tuple[Contact | None, tuple[str, str]]] = {}
        self._workers: dict[tuple[str, str], dict[str, str]] = {}

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

    def reach(self, finding: Finding, audience: Role) -> Reach:
        """Who of `audience` is told of `finding`, by which channel and address."""
        area = _area(finding, audience)
        if (audience, area) not in self._reach:
            contact = self._contact(audience, area)
            self._reach[(audience, area)] = Reach(contact, *channel_for(contact, audience))
        return self._reach[(audience, area)]

    def fixer(self, finding: Finding) -> tuple[Contact | None, tuple[str, str]]:
        key = (finding.district, finding.region)
        if key not in self._fixers:
            self._fixers[key] = _who_fixes_contacts(finding, self)
        return self._fixers[key]

    def worker_values(self, district: str, language: str) -> dict[str, str]:
        if (district, language) not in self._workers:
            worker = contact_line(self.staff(Role.SOCIAL_WORKER, district))
            self._workers[(district, language)] = social_worker_values(
                worker, language, self.config_dir
            )
        return self._workers[(district, language)]

    def _contact(self, audience: Role, area: str) -> Contact | None:
        if audience is Role.PROVIDER:
            p = self.provider(area)
            return Contact(p.name, p.phone, p.email, p.webhook_url, p.language) if p else None
        return self.staff(audience, area)


@dataclass(frozen=True)
class Reach:
    contact: Contact | None
    channel: str  # "task" when the contact has no usable one
    address: str


def compose(
    entry: ReminderRule,
    finding: Finding,
    now: datetime,
    uow: UnitOfWork,
    book: Recipients,
    rules: CountryRules,
    links: Links | None,
) -> NewReminder | None:
    if entry.audience is None or entry.template is None:  # nobody is told
        return None
    reach = book.reach(finding, entry.audience)
    if reach.channel == "task":
        return _fix_contact_task(finding, reach.contact, entry.audience, now, book)
    contact = reach.contact
    assert contact is not None
    link = None
    if entry.answer_link:
        assert links is not None  # only the check's attendance checks carry a link
        link = _answer_link(finding, now, rules, uow, links)
    values = _values(finding, contact, rules, book, link)
    message = render(entry.template, contact.language, values, book.config_dir)
    subject, body = _repeated(finding.round, message, contact.language, book.config_dir)
    payload = _payload(entry, finding, values, body) if reach.channel == "webhook" else {}
    return NewReminder(
        finding.key,
        finding.case_id,
        finding.rule.value,
        contact.name,
        reach.channel,
        reach.address,
        subject,
        body,
        payload,
        ReminderStatus.PENDING,
        now,
    )


def _area(finding: Finding, audience: Role) -> str:
    if audience is Role.PROVIDER:
        return finding.provider_code or ""
    return finding.district if audience.area == "district" else finding.region


def _fix_contact_task(
    finding: Finding, contact: Contact | None, audience: Role, now: datetime, book: Recipients
) -> NewReminder:
    """No usable phone or e-mail: the message cannot go, so somebody must fix the contact.
    The district's social worker is told by their own channel, else the region's
    supervisor; only when neither can be reached does it stay a task in the outbox
    (`clms reminders --status task`), nothing sent."""
    missing = (
        contact.name if contact else f"the {audience.value.replace('_', ' ')} of {finding.district}"
    )
    fixer, (channel, address) = book.fixer(finding)
    values = {"recipient": missing, "case": finding.case_number}
    subject, body = render(
        "fix_contact", fixer.language if fixer else "ru", values, book.config_dir
    )
    assignee = fixer.name if fixer else f"social worker of {finding.district}"
    status = ReminderStatus.TASK if channel == "task" else ReminderStatus.PENDING
    return NewReminder(
        finding.key, finding.case_id, finding.rule.value, assignee, channel, address,
        subject, body, {}, status, now,
    )  # fmt: skip


def _repeated(
    round_: int, message: tuple[str, str], language: str, config_dir: Path
) -> tuple[str, str]:
    """A reminder sent again says so ("Reminder 2: ..."): the reader knows it is not new."""
    if round_ == 0:
        return message
    # A config directory whose messages predate the prefix sends the message as it is.
    template = templates(language, config_dir).get("repeated")
    if template is None:
        return message
    prefix = template["prefix"].format(n=round_ + 1)
    return prefix + message[0], prefix + message[1]


def _who_fixes_contacts(
    finding: Finding, book: Recipients
) -> tuple[Contact | None, tuple[str, str]]:
    """The first of the district's social worker and the region's supervisor who can be
    reached, with the channel; else the social worker (or nobody) and no channel."""
    areas = ((Role.SOCIAL_WORKER, finding.district), (Role.SUPERVISOR, finding.region))
    fixers = [(book.staff(role, area), role) for role, area in areas]
    for staff, role in fixers:
        channel, address = channel_for(staff, role)
        if channel != "task":
            return staff, (channel, address)
    return fixers[0][0], ("task", "")


def _values(
    finding: Finding,
    contact: Contact,
    rules: CountryRules,
    book: Recipients,
    link: tuple[str, datetime] | None,
) -> dict[str, str]:
    known = book.provider(finding.provider_code) if finding.provider_code else None
    provider = known.name if known else finding.provider_code or ""  # removed: its code will do
    service = finding.service_type or ""
    if service in rules.service_types:
        service = rules.service_types[service].label
    values = message_values(finding, contact.name, provider, service, link)
    return values | book.worker_values(finding.district, contact.language)


def contact_line(contact: Contact | None) -> str:
    """Who to call, in one line: the name and the phone (else the e-mail); "" for nobody."""
    if contact is None:
        return ""
    return ", ".join(part for part in (contact.name, contact.phone or contact.email) if part)


def social_worker_values(
    worker: str, language: str, config_dir: Path | None = None
) -> dict[str, str]:
    """Whom a school may call, for the messages to schools: {worker}, the district's social
    worker ("name, phone", or "" when the directory has none yet), and {social_worker}, a
    sentence naming them in the school's language (config/messages, social_worker_to_contact)."""
    # A config directory whose messages predate the sentence does not use it either.
    folder = config_dir or configured_config_dir()
    sentences = templates(language, folder).get("social_worker_to_contact", {})
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
        "district": finding.district,
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
