"""A lifecycle is a table; `machine()` builds the one transitions.Machine that serves
every object following it.

A Machine per case would cost 0.3-1.8 ms and 17-36 KB each, and `add_model` is O(n),
so the machine has no models: events are fired on an object passed in, whose `state`
attribute the machine reads and writes. Guards and effects are names resolved on that
object, which is why the table can stay pure data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from transitions import Machine


@dataclass(frozen=True)
class Step:
    """One row of a lifecycle table."""

    trigger: str
    source: tuple[str, ...]
    dest: str
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lifecycle:
    name: str
    initial: str
    states: tuple[str, ...]
    final: tuple[str, ...]
    steps: tuple[Step, ...]

    @cached_property
    def machine(self) -> Machine:
        return Machine(
            model=None,
            states=list(self.states),
            transitions=[_as_transition(step) for step in self.steps],
            initial=None,
            auto_transitions=False,
            send_event=True,
        )

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.trigger for step in self.steps))

    def guard_names(self) -> set[str]:
        return {name for step in self.steps for name in step.guards}

    def effect_names(self) -> set[str]:
        return {name for step in self.steps for name in step.effects}

    def triggers_from(self, state: str) -> list[str]:
        """The triggers the table has from `state`, in table order (guards not evaluated)."""
        return list(dict.fromkeys(s.trigger for s in self.steps if state in s.source))

    def allows(self, trigger: str, source: str, dest: str) -> bool:
        return any(
            s.trigger == trigger and source in s.source and s.dest == dest for s in self.steps
        )

    def fire(self, model: Any, trigger: str, **kwargs: Any) -> bool:
        """Fire `trigger` on `model` (an object with a `state` attribute and the guard and
        effect methods the table names). Returns False when every guard path refused."""
        return bool(self.machine.events[trigger].trigger(model, **kwargs))

    def mermaid(self) -> str:
        """The state diagram, generated from the table (the README embeds it)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        edges: dict[tuple[str, str], list[str]] = {}
        for step in self.steps:
            for source in step.source:
                edges.setdefault((source, step.dest), [])
                if step.trigger not in edges[(source, step.dest)]:
                    edges[(source, step.dest)].append(step.trigger)
        for (source, dest), triggers in edges.items():
            lines.append(f"    {source} --> {dest}: {', '.join(triggers)}")
        lines += [f"    {state} --> [*]" for state in self.final]
        return "\n".join(lines) + "\n"


def _as_transition(step: Step) -> dict[str, Any]:
    return {
        "trigger": step.trigger,
        "source": list(step.source),
        "dest": step.dest,
        "conditions": list(step.guards),
        "after": list(step.effects),
    }
