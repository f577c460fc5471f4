"""What the command line names: the commands a person types, never the table's triggers."""

from __future__ import annotations

from clms.cli import COMMANDS
from clms.cli.rendering import COMMAND_FOR_TRIGGER, commands_for, refusal_text
from clms.domain.errors import InvalidInput, Refused
from clms.states import CASE_LIFECYCLE


def test_every_trigger_of_the_case_table_has_a_command_to_type() -> None:
    assert set(CASE_LIFECYCLE.triggers) - set(COMMAND_FOR_TRIGGER) == set()


def test_every_command_named_is_a_command_of_clms() -> None:
    registered = {name for name, _ in COMMANDS}
    named = {text.split()[1] for text in COMMAND_FOR_TRIGGER.values()}
    assert named - registered == set()
    assert all(text.startswith("clms ") for text in COMMAND_FOR_TRIGGER.values())


def test_a_refusal_names_the_commands_allowed_now_on_the_case() -> None:
    error = Refused("cannot close as withdrawn: 1 of 2", allowed_now=["relapse", "close"])
    assert refusal_text(error, "KZ-000042").splitlines() == [
        "cannot close as withdrawn: 1 of 2",
        "allowed now:",
        "  clms follow-up KZ-000042 --attending|--not-attending --working|--not-working",
        "  clms close KZ-000042 --closure withdrawn|prevented|aged_out|moved|duplicate|"
        "deceased|other",
    ]


def test_a_refusal_that_allows_nothing_says_so_and_others_keep_their_message() -> None:
    assert refusal_text(Refused("cannot", allowed_now=[]), "KZ-1") == "cannot\nallowed now: nothing"
    assert refusal_text(Refused("taken by another process"), "KZ-1") == "taken by another process"
    assert refusal_text(InvalidInput("bad (allowed now: x)"), "KZ-1") == "bad (allowed now: x)"


def test_commands_are_given_for_the_case_or_a_placeholder() -> None:
    assert commands_for(["assess"], "KZ-000007") == ["clms assess KZ-000007"]
    assert commands_for(["mark_lost"]) == ["clms mark-lost CASE"]
