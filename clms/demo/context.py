"""What every story of one load shares (`Demo`): kept apart from `load` (clms.demo) so that
the planner and the stories can use it without importing the package that runs them."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from clms.bootstrap import App
from clms.domain.model import Case, Child, Provider
from clms.ports import ChildKey
from clms.services import commands as c
from clms.services.cases import child_key


@dataclass
class Demo:
    """What every story shares: the app, the clock, the dice, the directory and the tally."""

    app: App
    now: datetime
    rng: random.Random
    existing: int  # cases in the database before this load
    providers: list[Provider] = field(default_factory=list)
    cases: dict[str, Case | None] = field(default_factory=dict)  # made here, as last saved
    tally: Counter[str] = field(default_factory=Counter)

    def submission_id(self) -> str:
        return f"uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"  # as ODK sends

    def is_new(self, child: Child, used: set[ChildKey]) -> bool:
        """Whether no open case has this child yet (if one had, the child would attach)."""
        if child_key(child) in used:
            return False
        if not self.existing:
            return True
        return self.app.handle(c.FindOpenCase(child)) is None
