"""Random sequences of commands, on the fakes and on a real SQLite file: every case is
always in a state the table allows, its history replays to that state, a refused command
changes nothing and an accepted one moves the version by exactly one."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from clms.bootstrap import App, bootstrap
from clms.config_files import load_country
from clms.domain.errors import ClmsError
from clms.domain.lifecycle import replay
from clms.domain.model import Actor, Child, ClosureReason, Role
from clms.services import commands as c
from clms.settings import Settings
from clms.states import CASE_LIFECYCLE
from tests.builders import NOW, PROVIDERS, app_over, fakes_with_providers, seen

KZ = load_country("kz")
ACTORS = st.sampled_from([Actor("sw", Role.SOCIAL_WORKER), Actor("sup", Role.SUPERVISOR)])
NAMES = st.sampled_from(
    [("Айгерім", "Сапарова"), ("Aigerim", "Saparova"), ("Ерлан", "Ахметов"), ("Madina", "Kim")]
)
ACTIVITIES = st.sampled_from(
    [(), ("weeding",), ("cotton_harvesting",), ("trafficking",), ("market_vending",)]
)


class RandomCommands(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.app = self.make_app()
        self.numbers: list[str] = []
        self.now = NOW
        self.submissions = 0

    def make_app(self) -> App:
        return app_over(fakes_with_providers(), KZ)

    @rule(days=st.integers(0, 120))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @rule(
        name=NAMES,
        activities=ACTIVITIES,
        born=st.sampled_from([date(2008, 9, 1), date(2012, 1, 1), date(2016, 6, 1)]),
        again=st.booleans(),
    )
    def identify(
        self, name: tuple[str, str], activities: tuple[str, ...], born: date, again: bool
    ) -> None:
        self.submissions += 0 if again and self.submissions else 1
        child = Child(*name, born, "f", "KZ-TUR-MAK")
        observation = seen(
            f"sub-{self.submissions}", *activities, at=self.now, in_school=bool(activities)
        )
        try:
            result = self.app.handle(c.Identify(child, observation, self.now))
        except ClmsError:
            return
        if result.case_number not in self.numbers:
            self.numbers.append(result.case_number)

    @precondition(lambda self: self.numbers)
    @rule(data=st.data(), actor=ACTORS)
    def change(self, data: st.DataObject, actor: Actor) -> None:
        number = data.draw(st.sampled_from(self.numbers))
        self.apply(data.draw(commands(number, actor, self.now)))

    @precondition(lambda self: self.numbers)
    @rule(data=st.data(), satisfied=st.booleans())
    def move_forward(self, data: st.DataObject, satisfied: bool) -> None:
        """The next natural step of a case, so that random runs reach deep states too."""
        case = self.app.handle(c.GetCase(data.draw(st.sampled_from(self.numbers))))
        self.apply(natural_step(case, self.now, satisfied))

    def apply(self, command: c.CaseCommand) -> None:
        number = command.case_number
        before = self.app.handle(c.GetCase(number))
        try:
            after = self.app.handle(command)
        except ClmsError:
            assert self.app.handle(c.GetCase(number)) == before, (
                "a refused command changed the case"
            )
            return
        assert after.version == before.version + 1
        assert len(after.history) > len(before.history)

    @invariant()
    def every_case_is_in_a_state_of_the_table_and_its_history_replays(self) -> None:
        for number in self.numbers:
            case = self.app.handle(c.GetCase(number))
            assert case.state in CASE_LIFECYCLE.states
            assert replay(case.history) == case.state
            assert sum(r.is_live for r in case.referrals) <= 1


class RandomCommandsOnSqlite(RandomCommands):
    def make_app(self) -> App:
        folder = tempfile.mkdtemp(prefix="clms-prop-")
        app = bootstrap(Settings(database_url=f"sqlite:///{folder}/clms.db"))
        app.migrate()
        with app.uow() as work:
            for provider in PROVIDERS:
                work.providers.add(provider)
            work.commit()
        return app


def natural_step(case: Any, now: Any, satisfied: bool) -> c.CaseCommand:
    worker, supervisor = Actor("sw", Role.SOCIAL_WORKER), Actor("sup", Role.SUPERVISOR)
    base = {"case_number": case.number, "actor": worker, "now": now}
    live = case.live_referral
    steps: dict[str, c.CaseCommand] = {
        "identified": c.Assess(**base),
        "assessed": c.Refer(**base, provider="SCH-12", service_type="school"),
        "referred": c.Refer(**base, provider="SCH-12", service_type="school"),
        "in_service": c.RecordFollowUp(
            **base, visited_on=now.date(), attending=True, working=not satisfied
        ),
        "lost_to_follow_up": c.Resume(**base),
        "closed": c.Reopen(case.number, supervisor, now),
        "screened_out": c.Assess(**base),
    }
    if live is not None and live.state == "sent":
        return c.AnswerReferral(**base, accepted=satisfied)
    if live is not None and live.state == "accepted":
        return c.StartService(**base, started_on=now.date())
    if case.state == "in_service" and satisfied and len(case.done_follow_ups()) >= 2:
        return c.Close(
            **base,
            closure=ClosureReason.WITHDRAWN
            if case.category.is_child_labour
            else ClosureReason.PREVENTED,
        )
    return steps[case.state]


def commands(number: str, actor: Actor, now: Any) -> st.SearchStrategy[c.CaseCommand]:
    base = {
        "case_number": st.just(number),
        "actor": st.just(actor),
        "now": st.just(now),
        "reason": st.sampled_from(["", "checked"]),
    }
    return st.one_of(
        st.builds(c.Assess, **base),
        st.builds(c.ScreenOut, **base),
        st.builds(c.Refer, **base, provider=st.sampled_from(["SCH-12", "VOC-1", "SCH-ALM"]),
                  service_type=st.sampled_from(["school", "vocational_training", "non_formal_education"]),
                  override_reason=st.sampled_from(["", "moving"])),
        st.builds(c.AnswerReferral, **base, accepted=st.booleans()),
        st.builds(c.StartService, **base, started_on=st.just(now.date())),
        st.builds(c.RecordFollowUp, **base, visited_on=st.just(now.date()), attending=st.booleans(), working=st.booleans()),
        st.builds(c.Close, **base, closure=st.sampled_from(list(ClosureReason))),
        st.builds(c.Reopen, **base),
        st.builds(c.MarkLost, **base),
        st.builds(c.Resume, **base),
        st.builds(c.CancelReferral, **base),
    )  # fmt: skip


TestRandomCommandsOnFakes = RandomCommands.TestCase
TestRandomCommandsOnFakes.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None
)
TestRandomCommandsOnSqlite = RandomCommandsOnSqlite.TestCase
TestRandomCommandsOnSqlite.settings = settings(
    max_examples=20,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
