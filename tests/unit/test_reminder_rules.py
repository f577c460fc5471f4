"""The daily check's rule table is data that only the check's runs would exercise, one
rule at a time: these tests check every rule at once, in every language."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from clms.adapters.db.check import QUERIES
from clms.config_files import DEFAULT_CONFIG_DIR, available_countries, load_country
from clms.domain.check import CheckRule, Finding
from clms.domain.errors import InvalidInput
from clms.domain.model import Role
from clms.domain.reminders import NOBODY, REMINDER_RULES, TOLD_AT_ONCE, ReminderRule
from clms.messages import render, templates
from clms.services.telling import message_values, social_worker_values

README = Path(__file__).resolve().parents[2] / "README.md"
LANGUAGES = sorted(path.stem for path in (DEFAULT_CONFIG_DIR / "messages").glob("*.toml"))
TOLD = [entry for entry in (*REMINDER_RULES, *TOLD_AT_ONCE) if entry.audience is not NOBODY]
ANSWER_LINK = ("https://clms.example/answer/token", datetime(2026, 3, 16, tzinfo=UTC))
WORKER = "Aizhan M., +77010000001"  # the district's social worker, as the check names them


def finding(rule: CheckRule) -> Finding:
    return Finding(rule, 1, "KZ-000001", "KZ-TUR-MAK", "KZ-TUR", date(2026, 3, 9),
                   "Aigerim", "Bekova", "SCH-1", "school", 7)  # fmt: skip


def by_rule(entry: ReminderRule) -> str:
    return entry.rule.value


def test_every_rule_has_exactly_one_entry() -> None:
    assert sorted(entry.rule for entry in (*REMINDER_RULES, *TOLD_AT_ONCE)) == sorted(CheckRule)


@pytest.mark.parametrize("entry", TOLD_AT_ONCE, ids=by_rule)
def test_what_is_told_at_once_has_no_query_changes_nothing_and_tells_somebody(
    entry: ReminderRule,
) -> None:
    assert entry.query is None and entry.change is None and entry.audience is not NOBODY


@pytest.mark.parametrize("entry", REMINDER_RULES, ids=by_rule)
def test_every_rule_names_a_query_the_adapter_has(entry: ReminderRule) -> None:
    assert entry.query in QUERIES


def test_the_adapter_has_no_query_that_no_rule_runs() -> None:
    assert set(QUERIES) == {entry.query for entry in REMINDER_RULES}


@pytest.mark.parametrize("entry", REMINDER_RULES, ids=by_rule)
def test_a_rule_tells_somebody_with_a_template_or_nobody_and_then_changes_the_case(
    entry: ReminderRule,
) -> None:
    if entry.audience is NOBODY:
        assert entry.template is None and entry.change is not None
    else:
        assert entry.template is not None


def test_the_rules_that_change_cases_run_before_those_that_only_tell() -> None:
    changes = [entry.change is not None for entry in REMINDER_RULES]
    assert changes == sorted(changes, reverse=True)


def test_only_a_rule_that_tells_somebody_can_carry_an_answer_link() -> None:
    assert all(entry.audience is not NOBODY for entry in REMINDER_RULES if entry.answer_link)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("entry", TOLD, ids=by_rule)
def test_every_template_is_in_every_language_and_uses_only_what_the_service_fills(
    entry: ReminderRule, language: str
) -> None:
    assert entry.template in templates(language, DEFAULT_CONFIG_DIR)
    subject, body = render(entry.template or "", language, values_for(entry, language))
    assert subject.strip() and body.strip()  # a KeyError above if it uses anything else


def values_for(entry: ReminderRule, language: str, worker: str = WORKER) -> dict[str, str]:
    """What clms.services.check fills in for `entry`'s message, in `language`."""
    link = ANSWER_LINK if entry.answer_link else None
    values = message_values(finding(entry.rule), "School No. 3", "School No. 3", "School", link)
    return values | social_worker_values(worker, language)


TO_SCHOOLS = [entry for entry in TOLD if entry.audience is Role.PROVIDER]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("entry", TO_SCHOOLS, ids=by_rule)
@pytest.mark.parametrize("worker", [WORKER, ""], ids=["worker known", "no worker yet"])
def test_a_message_to_a_school_names_the_social_worker_and_never_the_case_number(
    entry: ReminderRule, language: str, worker: str
) -> None:
    subject, body = render(entry.template or "", language, values_for(entry, language, worker))

    assert "KZ-000001" not in subject + body
    assert "{case}" not in str(templates(language, DEFAULT_CONFIG_DIR)[entry.template or ""])
    sentences = templates(language, DEFAULT_CONFIG_DIR)["social_worker_to_contact"]
    expected = sentences["known"].format(worker=WORKER) if worker else sentences["unknown"]
    assert expected in body
    assert (WORKER in body) == bool(worker)


def test_schools_are_told_by_the_attendance_check_and_the_referrals() -> None:
    """So the test above is not vacuous: it finds the messages to schools."""
    assert sorted(by_rule(entry) for entry in TO_SCHOOLS) == [
        "attendance_check",
        "referral_unanswered",
        "urgent_referral",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reminder_sent_again_says_which_time_in_every_language(language: str) -> None:
    prefix = templates(language, DEFAULT_CONFIG_DIR)["repeated"]["prefix"].format(n=2)
    assert "2" in prefix and prefix.endswith(": ")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_fix_contact_task_is_in_every_language(language: str) -> None:
    assert "fix_contact" in templates(language, DEFAULT_CONFIG_DIR)
    render("fix_contact", language, {"recipient": "School No. 3", "case": "KZ-000001"})


@pytest.mark.parametrize("entry", [e for e in REMINDER_RULES if e.change], ids=by_rule)
def test_every_change_gives_a_reason_from_the_finding(entry: ReminderRule) -> None:
    assert entry.change is not None
    reason = entry.change.reason_for(finding(entry.rule))  # a KeyError if not
    assert reason.strip() and "{" not in reason


def readme_rule_rows() -> list[str]:
    section = README.read_text().split("## The daily check and the reminders")[1]
    section = section.split("\n## ")[0]  # to the next chapter
    return [line for line in section.splitlines() if line.startswith("| ") and "`" in line]


def names_in(rows: list[str]) -> set[str]:
    return set(re.findall(r"`([a-z_0-9]+)`", "\n".join(rows)))


def test_the_readme_rule_table_names_every_rule() -> None:
    assert names_in(readme_rule_rows()) == {rule.value for rule in CheckRule}


def test_the_readme_says_which_rules_tell_nobody() -> None:
    silent = [row for row in readme_rule_rows() if row.endswith("(recorded on the case) |")]
    nobody = {entry.rule.value for entry in REMINDER_RULES if entry.audience is NOBODY}
    assert names_in(silent) == nobody


@pytest.mark.parametrize("wrong", ["follow_up_missed", "referral_expired", "no_such_rule"])
def test_a_repeat_for_a_rule_that_acts_once_or_does_not_exist_is_refused_at_load(
    tmp_path: Path, wrong: str
) -> None:
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path, dirs_exist_ok=True)
    country = tmp_path / "countries" / "kz.toml"
    text = country.read_text(encoding="utf-8")
    country.write_text(text.replace("turned_18 = 30", f"turned_18 = 30\n{wrong} = 3"), "utf-8")
    with pytest.raises(InvalidInput, match=f"names \\['{wrong}'\\]") as refused:
        load_country("kz", tmp_path)
    assert refused.value.field == "repeat_every_days"


def test_every_told_rule_that_can_repeat_repeats_in_every_country() -> None:
    can_repeat = {e.rule.value for e in REMINDER_RULES if e.audience and not e.change}
    for code in available_countries():
        repeats = load_country(code).check.repeat_every_days
        assert set(repeats) == can_repeat - {"attendance_check"}, code  # asked once, ahead
