"""The `clms` command end to end: a real process, a real SQLite file, JSON out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clms.bootstrap import bootstrap
from clms.domain.access import User
from clms.domain.model import Role
from clms.services import commands as c
from clms.settings import Settings

CLMS = str(Path(sys.executable).with_name("clms"))
STARTED = "2026-03-01T09:00:00"


class Cli:
    def __init__(self, folder: Path) -> None:
        self.env = {
            **os.environ,
            "CLMS_DATABASE_URL": f"sqlite:///{folder}/clms.db",
            "CLMS_USER": "aigul.s",
        }

    def run(
        self, *words: str, ok: bool = True, typed: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [CLMS, *words], env=self.env, capture_output=True, text=True, timeout=60, input=typed
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    def json(self, *words: str) -> Any:
        return json.loads(self.run(*words, "--json").stdout)


PEOPLE = (
    ("aigul.s", Role.SOCIAL_WORKER, "KZ-TUR-MAK"),
    ("dana.k", Role.SUPERVISOR, "Turkestan"),
    ("erlan.m", Role.MONITOR, "KZ-TUR-MAK"),
)


def a_simulation_with_its_people(runner: Cli) -> Cli:
    """A simulation database (commands name their time) with a social worker of
    Maktaaral (aigul.s, who acts unless a test says otherwise), a supervisor and a
    monitor of her region and district. The users are added in this process (a process
    per user would triple the fixture's time); `clms users add` has a test of its own."""
    runner.run("init", "--simulation")
    system = bootstrap(Settings(database_url=runner.env["CLMS_DATABASE_URL"]))
    for username, role, area in PEOPLE:
        system.handle(c.AddUser(User(username, role, area), "long enough, and secret"))
    return runner


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = a_simulation_with_its_people(Cli(tmp_path))
    runner.run("providers", "add", "--code", "SCH-12", "--name", "School-lyceum No. 12",
               "--district", "KZ-TUR-MAK", "--offer", "school")  # fmt: skip
    return runner


def identify(cli: Cli, submission: str = "odk-1", *extra: str) -> Any:
    return cli.json(
        "identify", "--submission-id", submission, "--first-name", "Айгерім", "--last-name", "Сапарова",
        "--birth-date", "2013-04-05", "--sex", "f", "--district", "KZ-TUR-MAK",
        "--activity", "cotton_harvesting", "--now", STARTED, *extra,
    )  # fmt: skip


def test_an_identification_prints_the_case_number_and_the_classification_in_words(cli: Cli) -> None:
    result = identify(cli)
    assert result["case"] == "KZ-000001" and result["outcome"] == "opened"
    assert result["category"] == "hazardous"
    assert any("cotton harvesting" in reason for reason in result["reasons"])


def test_a_double_tapped_submission_creates_one_case(cli: Cli) -> None:
    identify(cli, "odk-7")
    again = identify(cli, "odk-7")
    assert again["outcome"] == "already recorded"
    assert len(cli.json("list")) == 1


def test_a_social_worker_takes_a_case_from_identification_to_service(cli: Cli) -> None:
    number = identify(cli)["case"]
    cli.run("assess", number, "--reason", "home visit", "--now", "2026-03-02T10:00:00")
    cli.run(
        "refer",
        number,
        "--provider",
        "SCH-12",
        "--service",
        "school",
        "--now",
        "2026-03-02T11:00:00",
    )
    cli.run("answer", number, "--accept", "--now", "2026-03-03T09:00:00")
    cli.run("start-service", number, "--on", "2026-03-04", "--now", "2026-03-04T09:00:00")
    shown = cli.json("show", number)
    assert shown["state"] == "in_service" and shown["alternative_status"] == "pending"
    assert [h["trigger"] for h in shown["history"]] == [
        "identify",
        "assess",
        "refer",
        "referral_answered",
        "start_service",
    ]
    assert [h["actor"] for h in shown["history"][1:]] == ["aigul.s"] * 4
    assert [f["due_on"] for f in shown["follow_ups"]] == ["2026-04-03", "2026-06-02", "2026-08-31"]

    visit = ("follow-up", number, "--on", "2026-04-03", "--now", "2026-04-03T12:00:00")
    refused = cli.run(*visit, "--attending", ok=False)  # whether working was not said
    assert refused.returncode == 2 and "--working" in refused.stderr
    assert cli.json("show", number)["version"] == shown["version"]
    cli.run(*visit, "--attending", "--not-working")
    assert cli.json("show", number)["follow_ups"][0]["done_on"] == "2026-04-03"


def test_a_refusal_exits_non_zero_with_the_reason_and_writes_nothing(cli: Cli) -> None:
    number = identify(cli)["case"]
    done = cli.run("close", number, "--closure", "withdrawn", "--json", ok=False)
    assert done.returncode == 4
    assert json.loads(done.stdout)["error"] == "Refused"
    assert "cannot close as withdrawn: no satisfactory follow-up yet: 2 in a row" in done.stderr
    assert cli.json("show", number)["version"] == 0


def test_a_refusal_names_the_commands_to_type_not_the_lifecycle_triggers(cli: Cli) -> None:
    number = identify(cli)["case"]
    done = cli.run("start-service", number, "--json", ok=False)
    assert done.stderr.splitlines() == [
        "error: cannot start service a case that is identified",
        "allowed now:",
        f"  clms assess {number}",
        f"  clms screen-out {number}",
        f"  clms close {number} --closure withdrawn|prevented|aged_out|moved|duplicate|"
        "deceased|other",
        f"  clms mark-lost {number}",
    ]
    assert json.loads(done.stdout)["commands_now"][0] == f"clms assess {number}"
    shown = cli.run("show", number).stdout
    assert f"  allowed now:\n    clms assess {number}\n    clms screen-out {number}\n" in shown


def test_a_social_worker_cancels_a_referral_to_the_wrong_school_and_refers_elsewhere(
    cli: Cli,
) -> None:
    cli.run("providers", "add", "--code", "SCH-3", "--name", "School No. 3",
            "--district", "KZ-TUR-MAK", "--offer", "school")  # fmt: skip
    number = identify(cli)["case"]
    cli.run("assess", number, "--now", "2026-03-02T10:00:00")
    cli.run("refer", number, "--provider", "SCH-12", "--service", "school",
            "--now", "2026-03-02T11:00:00")  # fmt: skip
    cancel = ("cancel-referral", number, "--now", "2026-03-03T09:00:00")
    refused = cli.run(*cancel, "--json", ok=False)
    assert refused.returncode == 2 and json.loads(refused.stdout)["field"] == "reason"
    assert "a reason is required to cancel a referral" in refused.stderr

    done = cli.run(*cancel, "--reason", "the family lives in Atakent")
    assert f"{number} is referred" in done.stdout and f"clms refer {number}" in done.stdout
    shown = cli.json("show", number)
    assert shown["history"][-1]["trigger"] == "cancel_referral"
    assert shown["history"][-1]["reason"] == "the family lives in Atakent"
    assert shown["alternative_status"] == "none"
    cli.run("refer", number, "--provider", "SCH-3", "--service", "school",
            "--now", "2026-03-03T10:00:00")  # fmt: skip
    referrals = cli.json("show", number)["referrals"]
    assert [(r["provider"], r["state"]) for r in referrals] == [
        ("SCH-12", "cancelled"),
        ("SCH-3", "sent"),
    ]


def test_a_stale_expected_version_is_a_conflict(cli: Cli) -> None:
    number = identify(cli)["case"]
    cli.run("assess", number, "--expected-version", "0")
    done = cli.run("mark-lost", number, "--expected-version", "0", ok=False)
    assert done.returncode == 5 and "at version 1, not 0" in done.stderr


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("--district", "KZ-NOWHERE"), "district"),
        (("--birth-date", "2030-01-01"), "birth_date"),
        (("--birth-date", "2001-01-01"), "age"),
        (("--activity", "juggling"), "activity"),
    ],
)
def test_bad_identifications_are_refused_naming_the_field(
    cli: Cli, change: tuple[str, str], field: str
) -> None:
    done = cli.run(
        "identify", "--submission-id", "bad", "--first-name", "A", "--last-name", "B",
        "--birth-date", "2013-04-05", "--sex", "f", "--district", "KZ-TUR-MAK", *change,
        "--now", STARTED, "--json", ok=False,
    )  # fmt: skip
    assert done.returncode == 2 and json.loads(done.stdout)["field"] == field
    assert cli.json("list") == []


def test_an_unknown_case_is_not_found(cli: Cli) -> None:
    done = cli.run("show", "KZ-999999", ok=False)
    assert done.returncode == 3 and "no case 'KZ-999999'" in done.stderr


def test_the_list_filters_by_state_and_shows_overdue_cases(cli: Cli) -> None:
    identify(cli, "a")
    rows = cli.json("list", "--overdue", "--now", "2026-04-01T00:00:00")
    assert [(r["state"], r["overdue"]) for r in rows] == [("identified", True)]
    assert cli.json("list", "--state", "closed") == []
    assert "KZ-000001" in cli.run("list").stdout
    assert "more match" not in cli.run("list", "--limit", "1").stdout  # one case: all shown

    identify(cli, "b", "--first-name", "Мадина")  # a second child
    cut = cli.run("list", "--limit", "1").stdout
    assert "KZ-000001" in cut and "KZ-000002" not in cut
    assert "(the first 1 shown; more match: raise --limit)" in cut
    refused = cli.run("list", "--state", "asessed", ok=False)
    assert refused.returncode == 2 and "one of: identified, assessed" in refused.stderr


def test_classify_and_the_rules_are_available_without_a_database(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    result = cli.json("classify", "--age", "14", "--activity", "street_vending", "--hours", "30")
    assert result["category"] == "below_minimum_age"  # and over the hours: a lesser concern
    assert any(r.startswith("working time over the limit") for r in result["reasons"])
    assert result["rules_version"].startswith("kz-")
    rules = cli.json("rules", "--country", "kg")
    assert rules["version"].startswith("kg-") and "+ilo-" in rules["version"]
    assert any(d["code"] == "Labour Code 2025" for d in rules["documents"])
    assert "rules, version kg-" in cli.run("rules", "--country", "kg").stdout
    codes = {row["code"] for row in cli.json("rules", "activities", "--country", "kz")}
    assert {"cotton_harvesting", "trafficking", "bus_conductor"} <= codes
    assert cli.json("rules", "countries") == ["kg", "kz", "tj"]


def test_a_command_before_init_says_to_run_init(tmp_path: Path) -> None:
    done = Cli(tmp_path).run("list", ok=False)
    assert done.returncode == 2 and "run `clms init`" in done.stderr


def test_a_provider_s_contacts_are_changed_checked_and_shown(cli: Cli) -> None:
    changed = cli.json("providers", "update", "SCH-12", "--phone", "+7 (701) 123-45-67",
                       "--webhook-url", "https://kundelik.example.kz/clms", "--language", "kk")  # fmt: skip
    assert (changed["phone"], changed["language"]) == ("+77011234567", "kk")
    listed = cli.run("providers", "list").stdout
    assert "[kk] https://kundelik.example.kz/clms +77011234567" in listed

    refused = cli.run("providers", "update", "SCH-12", "--phone", "87011234567", "--json", ok=False)
    assert refused.returncode == 2 and json.loads(refused.stdout)["field"] == "phone"
    assert "use the international form" in refused.stderr
    assert cli.json("providers", "list")[0]["phone"] == "+77011234567"


def test_a_provider_with_a_live_referral_is_not_removed_until_it_ends(cli: Cli) -> None:
    number = identify(cli)["case"]
    cli.run("assess", number, "--now", "2026-03-02T10:00:00")
    cli.run("refer", number, "--provider", "SCH-12", "--service", "school",
            "--now", "2026-03-02T11:00:00")  # fmt: skip
    refused = cli.run("providers", "remove", "SCH-12", ok=False)
    assert refused.returncode == 4
    assert f"1 case ({number}) has a live referral to it" in refused.stderr

    cli.run("answer", number, "--decline", "--now", "2026-03-03T09:00:00")
    assert cli.run("providers", "remove", "SCH-12").stdout.strip() == "removed SCH-12"
    assert cli.json("providers", "list") == []
    assert cli.json("show", number)["referrals"][0]["provider"] == "SCH-12"


def test_staff_are_changed_by_id_and_removing_the_last_of_an_area_warns(cli: Cli) -> None:
    added = cli.run("staff", "add", "--name", "Aizhan M.", "--role", "social_worker",
                    "--area", "KZ-TUR-MAK", "--phone", "+77010000001").stdout  # fmt: skip
    assert "(id 1)" in added
    cli.run("staff", "update", "1", "--email", "aizhan@mlsp.example.kz", "--language", "kk")
    assert "   1  social_worker  KZ-TUR-MAK     Aizhan M." in cli.run("staff", "list").stdout
    assert cli.json("staff", "list")[0]["email"] == "aizhan@mlsp.example.kz"

    removed = cli.run("staff", "remove", "1")
    assert "KZ-TUR-MAK has no social worker now" in removed.stderr
    assert "tasks nobody receives" in removed.stderr
    assert cli.json("staff", "list") == []
    assert cli.run("staff", "remove", "1", ok=False).returncode == 3


def test_an_administrator_adds_a_user_whose_password_is_typed_at_a_prompt(cli: Cli) -> None:
    typed = "a long and secret phrase\na long and secret phrase\n"
    added = cli.run("users", "add", "zhan.b", "--role", "social_worker", "--area", "KZ-TUR-ZHT",
                    "--json", typed=typed)  # fmt: skip
    assert json.loads(added.stdout[added.stdout.index("{") :])["area"] == "KZ-TUR-ZHT"
    assert "secret" not in added.stdout + added.stderr
    short = cli.run("users", "add", "x.y", "--role", "monitor", "--area", "KZ-TUR-MAK",
                    typed="short\nshort\n", ok=False)  # fmt: skip
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    listed = cli.run("users", "list").stdout
    assert "zhan.b: social_worker of KZ-TUR-ZHT" in listed and "x.y" not in listed


def test_the_history_records_the_named_user_and_refuses_another_district(cli: Cli) -> None:
    number = identify(cli)["case"]
    cli.run("assess", number, "--now", "2026-03-02T10:00:00")
    history = cli.json("show", number)["history"]
    assert (history[-1]["actor"], history[-1]["role"]) == ("aigul.s", "social_worker")
    typed = "a long and secret phrase\na long and secret phrase\n"
    cli.run(
        "users", "add", "zhan.b", "--role", "social_worker", "--area", "KZ-TUR-ZHT", typed=typed
    )
    refused = cli.run("refer", number, "--provider", "SCH-12", "--service", "school",
                      "--as", "zhan.b", ok=False)  # fmt: skip
    assert refused.returncode == 6 and "outside the social_worker's area" in refused.stderr
    assert cli.json("show", number)["version"] == 1


def test_now_is_refused_on_a_database_of_real_children(tmp_path: Path) -> None:
    real = Cli(tmp_path)
    real.run("init")
    bootstrap(Settings(database_url=real.env["CLMS_DATABASE_URL"])).handle(
        c.AddUser(User("aigul.s", Role.SOCIAL_WORKER, "KZ-TUR-MAK"), "long enough, and secret")
    )
    done = real.run("list", "--now", "2026-01-01T00:00:00", ok=False)
    assert done.returncode == 2 and "simulation database" in done.stderr
    assert real.run("list").stdout.strip() == "no cases"
