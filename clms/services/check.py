"""The daily check: for every open case, does the child have a satisfactory alternative,
and if not, who must act? Each rule is an entry of clms.domain.reminders (what it changes,
who is told, with which message) and an SQL query (clms.adapters.db.check); this module
acts on what the query finds, a chunk of cases per transaction, and writes reminders to
the outbox in the same transaction as the decision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from clms.domain.check import CheckRule, Finding
from clms.domain.errors import Conflict
from clms.domain.lifecycle import Act
from clms.domain.model import Actor, Role
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
    conflicts = 0
    with uow:
        found_now = uow.check.findings(rule, case_ids, now)
        findings = [entry.in_round(finding, now.date(), rules.check) for finding in found_now]
        known = uow.outbox.known_keys([f.key for f in findings])
        book = Recipients(uow)
        for finding in findings:
            if finding.key in known or not _change_case(entry, finding, now, uow, rules):
                conflicts += finding.key not in known
                continue
            found[finding.district] += 1
            reminder = compose(entry, finding, now, uow, book, rules, links)
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
