"""The daily check: for every open case, does the child have a satisfactory alternative,
and if not, who must act? Each rule is an entry of clms.domain.reminders (what it changes,
who is told, with which message) and an SQL query (clms.adapters.db.check); this module
acts on what the query finds, a chunk of cases per transaction, and writes reminders to
the outbox in the same transaction as the decision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from clms.domain.check import CheckRule, Finding, reminder_key
from clms.domain.errors import Conflict
from clms.domain.lifecycle import Act
from clms.domain.model import Actor, Case, Role
from clms.domain.reminders import ReminderRule, reminder_rule
from clms.domain.rules import CountryRules
from clms.ports import NewReminder, UnitOfWork
from clms.services.cases import index_of
from clms.services.telling import Links, Recipients, compose

SYSTEM = Actor("daily-check", Role.SYSTEM)


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
    with uow:
        # The cases a rule changes are read first, all at once (and locked where the
        # database can): the findings, read after, see them as they are changed.
        cases = uow.cases.get_many(case_ids) if entry.change else {}
        book = Recipients(uow)
        changed: dict[int, Case] = {}
        for finding in _new_findings(
            entry, uow.check.findings(rule, case_ids, now), now, uow, rules
        ):
            if entry.change is not None:
                case = changed.setdefault(finding.case_id, cases[finding.case_id])
                act = Act(SYSTEM, now, rules, reason=entry.change.reason_for(finding))
                entry.change.apply(case, finding, act)
            found[finding.district] += 1
            reminder = compose(entry, finding, now, uow, book, rules, links)
            reminders += [reminder] if reminder else []
        try:
            uow.cases.save_many([(case, index_of(case, rules)) for case in changed.values()])
        except Conflict:  # changed by somebody meanwhile: the chunk is left for the next run
            return ChunkResult({}, 0, len(changed))
        written = uow.outbox.add(reminders)
        uow.commit()
    return ChunkResult(dict(found), written, 0)


def _new_findings(
    entry: ReminderRule, found: list[Finding], now: datetime, uow: UnitOfWork, rules: CountryRules
) -> list[Finding]:
    """The findings in their round of reminders that the outbox does not know yet. Most
    nights most are known: their keys are made without building each finding again."""
    today, policy = now.date(), rules.check
    rounds = [entry.round_on(f.due, today, policy) for f in found]
    keys = [
        reminder_key(f.case_number, f.rule, f.due, r) for f, r in zip(found, rounds, strict=True)
    ]
    known = uow.outbox.known_keys(keys)
    return [
        finding.in_round(round_) if round_ else finding
        for finding, round_, key in zip(found, rounds, keys, strict=True)
        if key not in known
    ]


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
