"""What the commands print: cases, summaries, classifications, the rules, the directory and
the reminders, as plain dicts (for --json) and as text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from clms.domain.check import CheckRule, due_and_round
from clms.domain.errors import ClmsError, Refused
from clms.domain.model import Case, Classification, ClosureReason, Provider
from clms.domain.reminders import reminder_rule
from clms.domain.rules import CountryRules
from clms.ports import CaseSummary, StoredReminder
from clms.services.cases import Identified, index_of
from clms.states import CASE_LIFECYCLE


def jsonable_dict(value: dict[str, Any]) -> dict[str, Any]:
    return {key: jsonable(item) for key, item in value.items()}


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


# What a person types for each trigger of the case table: refusals and `clms show` name
# these, never the table's words (a test checks that no trigger is missing).
COMMAND_FOR_TRIGGER: dict[str, str] = {
    "assess": "clms assess {case}",
    "screen_out": "clms screen-out {case}",
    "refer": "clms refer {case} --provider CODE --service TYPE",
    "cancel_referral": "clms cancel-referral {case} --reason TEXT",
    "start_service": "clms start-service {case}",
    # A visit is what a person records; one finding the child working is the relapse.
    "relapse": "clms follow-up {case} --attending|--not-attending --working|--not-working",
    "close": "clms close {case} --closure " + "|".join(ClosureReason),
    "reopen": "clms reopen {case}",
    "mark_lost": "clms mark-lost {case}",
    "resume": "clms resume {case}",
}


def commands_for(triggers: Iterable[str], case: str = "CASE") -> list[str]:
    return [COMMAND_FOR_TRIGGER.get(t, t).format(case=case) for t in triggers]


def commands_text(commands: list[str], indent: str = "  ") -> str:
    """`allowed now:` and one command a line (they are long), or `allowed now: nothing`."""
    if not commands:
        return "allowed now: nothing"
    return "\n".join(["allowed now:", *(f"{indent}{command}" for command in commands)])


def refusal_text(error: ClmsError, case: str = "CASE") -> str:
    """The refusal's reason; what is allowed now as the commands to type, not as the
    table's triggers the domain names (its message ends with them)."""
    if not isinstance(error, Refused):
        return error.message
    triggers_named = Refused("", allowed_now=error.allowed_now).message
    if not error.message.endswith(triggers_named):
        return error.message
    reason = error.message.removesuffix(triggers_named)
    return f"{reason}\n{commands_text(commands_for(error.allowed_now, case))}"


def classification_dict(classification: Classification) -> dict[str, Any]:
    return {
        "category": classification.category.value,
        "priority": classification.priority.value,
        "reasons": list(classification.reasons),
        "rules_version": classification.rules_version,
    }


def case_dict(
    case: Case, rules: CountryRules, told: list[StoredReminder] | None = None
) -> dict[str, Any]:
    index = index_of(case, rules)
    return jsonable_dict(
        {
            "number": case.number,
            "version": case.version,
            "state": case.state,
            "allowed_now": CASE_LIFECYCLE.triggers_from(case.state),
            "commands_now": commands_for(CASE_LIFECYCLE.triggers_from(case.state), case.number),
            "category": case.category.value,
            "priority": case.priority.value,
            "alternative_status": index.alternative_status.value,
            "next_action_due": index.next_action_due,
            "child": asdict(case.child),
            "closure_reason": case.closure_reason.value if case.closure_reason else None,
            "relapses": case.relapses,
            "referrals": [asdict(r) for r in case.referrals],
            "follow_ups": [asdict(f) for f in case.follow_ups],
            "identifications": [_identification(i) for i in case.identifications],
            "history": [asdict(entry) for entry in case.history],
            "chased": _chased(told or []),
        }
    )


def _chased(told: list[StoredReminder]) -> list[dict[str, Any]]:
    """Who has been told about what on this case, and how often: the ladder of reminders,
    the latest first (one line per rule, from its latest reminder)."""
    by_rule: dict[str, list[StoredReminder]] = {}
    for reminder in sorted(told, key=lambda r: r.id, reverse=True):
        by_rule.setdefault(reminder.rule, []).append(reminder)
    return [_chase(reminders) for reminders in by_rule.values()]


def _chase(reminders: list[StoredReminder]) -> dict[str, Any]:
    latest = reminders[0]
    due, _ = due_and_round(latest.key)
    rung = reminder_rule(CheckRule(latest.rule)).audience  # who: the rung of the ladder
    return {"rule": latest.rule, "due_since": due, "rung": rung.value if rung else "",
            "to": latest.recipient, "channel": latest.channel, "times": len(reminders),
            "last": latest.created_at, "status": latest.status}  # fmt: skip


def summary_dict(summary: CaseSummary, now: datetime) -> dict[str, Any]:
    return jsonable_dict({**asdict(summary), "overdue": _overdue(summary, now)})


def _overdue(summary: CaseSummary, now: datetime) -> bool:
    """Late, unless what is due is closing a case that went well."""
    due = summary.next_action_due
    return due is not None and due < now and not summary.ready_to_close


def case_text(case: Case, rules: CountryRules, told: list[StoredReminder] | None = None) -> str:
    data, child = case_dict(case, rules, told), case.child
    due = data["next_action_due"] or "-"
    lines = [
        f"Case {case.number} (version {case.version}): {_words(case.state)}",
        f"  child: {child.display_name}, born {child.birth_date}, {child.sex}, {child.district}",
        f"  category: {_words(case.category.value)}, priority {case.priority.value}",
        f"  alternative: {data['alternative_status']}, next action due: {due}",
        "  " + commands_text(data["commands_now"], indent="    "),
    ]
    lines += [f"  referral to {r.provider} ({r.service_type}): {r.state}" for r in case.referrals]
    lines += [_follow_up_line(f) for f in case.follow_ups]
    lines += ["  chased:"] if data["chased"] else []
    lines += [
        f"    {_words(c['rule'])}, due since {c['due_since']}: {_words(c['rung'])} {c['to']} "
        f"({c['channel']}), "
        f"told {_times(c['times'])}, last {c['last']:%Y-%m-%d} ({c['status']})"
        for c in _chased(told or [])
    ]
    lines.append("  history:")
    lines += [
        f"    {e.seq:>3} {e.at:%Y-%m-%d %H:%M} {e.actor} ({e.role}) {e.trigger}: "
        f"{e.from_state or '-'} -> {e.to_state}" + (f" - {e.reason}" if e.reason else "")
        for e in case.history
    ]
    return "\n".join(lines)


def summaries_text(summaries: list[CaseSummary], now: datetime) -> str:
    if not summaries:
        return "no cases"
    header = (
        f"{'case':<11} {'state':<18} {'priority':<8} {'alternative':<14} {'due':<17} "
        f"{'district':<11} name"
    )
    rows = [_summary_line(s, now) for s in summaries]
    return "\n".join([header, *rows])


def _summary_line(s: CaseSummary, now: datetime) -> str:
    due = f"{s.next_action_due:%Y-%m-%d %H:%M}" if s.next_action_due else "-"
    flag = "!" if _overdue(s, now) else " "
    alternative = "ready to close" if s.ready_to_close else s.alternative_status
    return (
        f"{s.number:<11} {s.state:<18} {s.priority:<8} {alternative:<14} "
        f"{flag}{due:<16} {s.district:<11} {s.name}"
    )


def _follow_up_line(f: Any) -> str:
    outcome = ""
    if f.done_on:
        outcome = f" on {f.done_on}: " + ("satisfactory" if f.satisfactory else "not satisfactory")
    return f"  follow-up due {f.due_on}: {f.state.value}{outcome}"


def _identification(identification: Any) -> dict[str, Any]:
    return {
        "submission_id": identification.observation.submission_id,
        "monitor": identification.observation.monitor,
        "observed_at": identification.observation.observed_at,
        "activities": list(identification.observation.activities),
        **classification_dict(identification.classification),
    }


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _words(name: str) -> str:
    return name.replace("_", " ")


def classification_text(classification: Classification) -> str:
    head = f"{_words(classification.category.value)} ({classification.priority.value})"
    lines = [head, *(f"  - {reason}" for reason in classification.reasons)]
    return "\n".join([*lines, f"  rules: {classification.rules_version}"])


def identified_dict(result: Identified) -> dict[str, Any]:
    return {
        "case": result.case_number,
        "outcome": result.outcome,
        **classification_dict(result.classification),
        "possible_duplicate_of": [
            {"case": f.old_case, "resemblance": f.resemblance.value} for f in result.flagged
        ],
    }


def identified_text(result: Identified) -> str:
    flagged = [
        f"  possible duplicate of {f.old_case}: {f.resemblance.words} (clms duplicates list)"
        for f in result.flagged
    ]
    head = "\n".join([f"{result.case_number} ({result.outcome})", *flagged])
    return head + "\n" + classification_text(result.classification)


def provider_dict(provider: Provider) -> dict[str, Any]:
    offers = [{"service_type": s, "district": d} for s, d in sorted(provider.offers)]
    return {**asdict(provider), "offers": offers}


def provider_line(row: dict[str, Any]) -> str:
    offers = ", ".join(f"{o['service_type']}@{o['district']}" for o in row["offers"])
    contacts = " ".join(filter(None, (row["webhook_url"], row["email"], row["phone"])))
    reached = f" [{row['language']}] {contacts or 'no contact'}"
    return f"{row['code']:<10} {row['name']} ({row['district']}): {offers}{reached}"


def check_text(summary: dict[str, Any]) -> str:
    lines = [f"check at {summary['now']}: {summary['reminders']} new reminders", ""]
    lines.append(f"{'rule':<26} {'found':>6} {'reminders':>10}  by district")
    for rule, counts in summary["rules"].items():
        districts = ", ".join(f"{d} {n}" for d, n in counts["by_district"].items())
        lines.append(f"{rule:<26} {counts['found']:>6} {counts['reminders']:>10}  {districts}")
    return "\n".join(lines)


def reminder_dict(reminder: StoredReminder) -> dict[str, Any]:
    return jsonable_dict(asdict(reminder))


def reminders_text(rows: list[StoredReminder]) -> str:
    if not rows:
        return "no reminders"
    return "\n".join(
        f"{r.id:>6} {r.status:<8} {r.channel:<8} {r.case_number:<10} {r.rule:<22} "
        f"{r.recipient[:28]:<28} attempts {r.attempts}"
        + (f" - {r.last_error}" if r.last_error else "")
        for r in rows
    )


def rules_dict(rules: CountryRules) -> dict[str, Any]:
    """What `clms rules` shows: every value with its source; `unverified` says what to check."""
    return {
        "country": rules.code,
        "version": rules.version,
        "hazardous_list": rules.hazardous_list,
        "minimum_age": asdict(rules.minimum_age),
        "admissions": [asdict(a) for a in rules.admissions],
        "compulsory_education": asdict(rules.compulsory_education)
        if rules.compulsory_education
        else None,
        "hours_limits": [asdict(h) for h in rules.hours_limits],
        "load_limits": [asdict(x) for x in rules.load_limits],
        "documents": [asdict(d) for d in rules.documents],
    }


def rules_text(data: dict[str, Any]) -> str:
    def line(row: dict[str, Any], text: str) -> str:
        flag = f"\n      unverified: {row['unverified']}" if row.get("unverified") else ""
        return f"  {text}\n      source: {row['source']}{flag}"

    lines = [f"{data['country']} rules, version {data['version']}"]
    lines.append(f"hazardous list: {data['hazardous_list']}")
    lines.append(line(data["minimum_age"], f"minimum age {data['minimum_age']['age']}"))
    for a in data["admissions"]:
        lines.append(line(a, f"from {a['from_age']}: {a['label']} ({', '.join(a['requires'])})"))
    if data["compulsory_education"]:
        until = data["compulsory_education"]["until_age"]
        lines.append(line(data["compulsory_education"], f"education compulsory until {until}"))
    for h in data["hours_limits"]:
        caps = {k: v for k, v in h.items() if k.startswith("max_") and v is not None}
        lines.append(
            line(h, f"under {h['below_age']}: " + ", ".join(f"{k} {v:g}" for k, v in caps.items()))
        )
    for x in data["load_limits"]:
        lines.append(line(x, f"load {x['sex']} {x['from_age']}: at most {x['max_kg']:g} kg"))
    lines.append("sources:")
    for d in data["documents"]:
        flag = f"\n      unverified: {d['unverified']}" if d["unverified"] else ""
        lines.append(f"  {d['code']}: {d['title']}\n      found: {d['found']}{flag}")
    return "\n".join(lines)
