"""`clms duplicates`: a resembling child is flagged when identified, listed, and decided by a
person, end to end in a real process on a real SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import STARTED, Cli, a_simulation_with_its_people


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = a_simulation_with_its_people(Cli(tmp_path))
    runner.env["CLMS_USER"] = "dana.k"  # the supervisor: the flags span the region
    return runner


def identify(cli: Cli, submission: str, first: str, last: str, district: str) -> Any:
    return cli.json(
        "identify", "--submission-id", submission, "--first-name", first, "--last-name", last,
        "--birth-date", "2013-04-05", "--sex", "f", "--district", district, "--now", STARTED,
    )  # fmt: skip


def test_a_flag_is_raised_listed_confirmed_and_dismissed_from_the_command_line(cli: Cli) -> None:
    old = identify(cli, "odk-1", "Айгерім", "Сапарова", "KZ-TUR-MAK")["case"]
    swapped = identify(cli, "odk-2", "Saparova", "Aigerim", "KZ-TUR-MAK")
    assert swapped["possible_duplicate_of"] == [{"case": old, "resemblance": "names_swapped"}]
    neighbour = identify(cli, "odk-3", "Aigerim", "Saparova", "KZ-TUR-ZHT")["case"]
    listed = cli.json("duplicates", "list")
    assert [(f["new_case"], f["old_case"], f["status"]) for f in listed] == [
        (neighbour, old, "open"),
        (swapped["case"], old, "open"),
    ]
    assert "in another district of the region" in cli.run("duplicates", "list").stdout

    confirmed = cli.json("duplicates", "confirm", swapped["case"], old, "--reason", "same mother")
    assert (confirmed["status"], confirmed["merged"]) == ("confirmed", True)
    assert cli.json("show", swapped["case"])["closure_reason"] == "duplicate"
    assert len(cli.json("show", old)["identifications"]) == 2

    refused = cli.run("duplicates", "dismiss", neighbour, old, "--reason", "x", "--as",
                      "erlan.m", ok=False)  # fmt: skip
    assert refused.returncode == 6 and "a monitor may not DismissDuplicate" in refused.stderr
    cli.run("duplicates", "dismiss", neighbour, old, "--reason", "another girl")
    assert cli.json("duplicates", "list") == []
    assert len(cli.json("duplicates", "list", "--status", "all")) == 2
