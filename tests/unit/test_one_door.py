"""Every use case has one door: a command, and its handler in the registry."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import pytest

from clms.services import commands
from clms.services.commands import CaseCommand, Command
from clms.services.handlers import HANDLERS, handler_for


def concrete_commands() -> list[type[Command[object]]]:
    found = [
        kind
        for _, kind in inspect.getmembers(commands, inspect.isclass)
        if issubclass(kind, Command) and kind not in (Command, CaseCommand)
    ]
    return sorted(found, key=lambda kind: kind.__name__)


def test_every_command_has_a_handler() -> None:
    missing = [kind.__name__ for kind in concrete_commands() if kind not in HANDLERS]
    assert missing == []


def test_every_handler_answers_a_command_of_the_commands_module() -> None:
    strays = [kind.__name__ for kind in HANDLERS if kind not in concrete_commands()]
    assert strays == []


def test_a_command_without_a_handler_is_refused_by_name() -> None:
    @dataclass(frozen=True)
    class Unheard(Command[None]):
        pass

    with pytest.raises(TypeError, match="no handler for Unheard"):
        handler_for(Unheard())
