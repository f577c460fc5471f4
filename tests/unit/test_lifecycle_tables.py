"""The lifecycle tables are data the library does not validate: these tests do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clms.domain.lifecycle import SERVICE_AT_CLOSE, _Firing
from clms.domain.model import ClosureReason
from clms.states import CASE_LIFECYCLE, REFERRAL_LIFECYCLE, Lifecycle
from clms.states import referral as referral_states

README = Path(__file__).resolve().parents[2] / "README.md"
LIFECYCLES = [CASE_LIFECYCLE, REFERRAL_LIFECYCLE]


def reachable(lifecycle: Lifecycle) -> set[str]:
    found, frontier = {lifecycle.initial}, [lifecycle.initial]
    while frontier:
        state = frontier.pop()
        for step in lifecycle.steps:
            if state in step.source and step.dest not in found:
                found.add(step.dest)
                frontier.append(step.dest)
    return found


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_every_state_is_reachable_from_the_initial_state(lifecycle: Lifecycle) -> None:
    assert reachable(lifecycle) == set(lifecycle.states)


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_every_source_and_destination_is_a_declared_state(lifecycle: Lifecycle) -> None:
    used = {s for step in lifecycle.steps for s in (*step.source, step.dest)}
    assert used <= set(lifecycle.states)


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_every_non_final_state_has_a_way_out(lifecycle: Lifecycle) -> None:
    for state in set(lifecycle.states) - set(lifecycle.final):
        assert lifecycle.triggers_from(state), state


def test_every_guard_and_effect_the_case_table_names_is_a_method_of_the_firing_model() -> None:
    named = CASE_LIFECYCLE.guard_names() | CASE_LIFECYCLE.effect_names()
    missing = {name for name in named if not callable(getattr(_Firing, name, None))}
    assert missing == set()


def test_the_referral_table_names_no_guard_or_effect_it_cannot_run() -> None:
    assert REFERRAL_LIFECYCLE.guard_names() | REFERRAL_LIFECYCLE.effect_names() == set()


def test_one_machine_serves_every_case() -> None:
    assert CASE_LIFECYCLE.machine is CASE_LIFECYCLE.machine
    assert CASE_LIFECYCLE.machine.models == []


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_the_readme_diagram_is_the_one_generated_from_the_table(lifecycle: Lifecycle) -> None:
    blocks = re.findall(r"```mermaid\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert lifecycle.mermaid() in blocks, f"regenerate with: clms diagram {lifecycle.name}"


def test_a_table_step_is_allowed_only_between_its_own_states() -> None:
    assert CASE_LIFECYCLE.allows("assess", "identified", "assessed")
    assert not CASE_LIFECYCLE.allows("assess", "referred", "assessed")
    assert not CASE_LIFECYCLE.allows("close", "closed", "closed")


def test_closing_ends_a_started_service_by_a_step_of_the_referral_table_for_every_reason() -> None:
    assert set(SERVICE_AT_CLOSE) == set(ClosureReason)
    from_started = REFERRAL_LIFECYCLE.triggers_from(referral_states.STARTED)
    assert {
        trigger for trigger in SERVICE_AT_CLOSE.values() if trigger not in from_started
    } == set()


def test_a_closure_that_verifies_an_alternative_completes_the_service_and_aged_out_keeps_it() -> (
    None
):
    completes = {reason for reason, trigger in SERVICE_AT_CLOSE.items() if trigger == "complete"}
    assert completes == {reason for reason in ClosureReason if reason.verifies_an_alternative}
    assert SERVICE_AT_CLOSE[ClosureReason.AGED_OUT] == "continue_after_close"
