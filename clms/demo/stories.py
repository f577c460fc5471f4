"""The stories. A story is one child's case acted out command by command (identify,
assess, refer, answer, start the service, follow up, close ...), each command dated after
the one before it and none after the app's clock. So every case has a true history that
replays to its state, every deadline is real, and the lists and the overdue view have
something honest to show. Every act goes through the one door (`App.handle`), and nothing
catches a refusal: a use case refusing an act is a bug in the demo, and it is raised for
the tests to see.

Reading order: `Story` (the acts), one function per story, and last the catalogue of
stories, with how often each is told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from clms.demo.context import Demo
from clms.demo.data import (
    ASSESSMENTS,
    AT_RISK_SERVICES,
    DECLINES,
    FOLLOW_UPS,
    LABOUR_SERVICES,
    LOSSES,
    MONITORS,
    MOVES,
    NEEDS,
    PACE,
    SCREENED_OUT,
    SOCIAL_WORKERS,
    SUPERVISORS,
    WORST_SERVICES,
)
from clms.demo.planner import Plan, years_before
from clms.domain.model import (
    Actor,
    Case,
    Category,
    Child,
    ClosureReason,
    FollowUpState,
    Observation,
    Priority,
    Role,
)
from clms.services import commands as c
from clms.services.cases import Identified

# --- a story: one child's case, act by act ----------------------------------------------------


class Story:
    """Acts on one case through the use cases. `t` is the moment of the latest act: it only
    moves forward, and never past the demo's clock."""

    def __init__(self, demo: Demo, plan: Plan) -> None:
        self.demo, self.plan, self.rng = demo, plan, demo.rng
        self.child, self.t = plan.child, plan.seen.observed_at
        self.number, self.provider = "", ""
        self.category, self.urgent = Category.NO_CONCERN, False
        self.case: Case | None = None

    # Time.

    def wait(self, hours: tuple[float, float]) -> None:
        self.t += timedelta(minutes=self.rng.randint(int(hours[0] * 60), int(hours[1] * 60)))
        self._check_time()

    def pace(self, step: str) -> None:
        urgent, normal = PACE[step]
        self.wait(urgent if self.urgent else normal)

    def on(self, day: date) -> None:
        """A visit in office hours on `day`, typed in up to a day later."""
        visit = datetime.combine(day, time(4), tzinfo=UTC)
        self.t = max(self.t, visit + timedelta(minutes=self.rng.randint(0, 1800)))
        self._check_time()

    def _check_time(self) -> None:
        if self.t > self.demo.now:
            raise RuntimeError(f"demo bug: {self.plan.kind.tell.__name__} ran past the clock")

    # Who acts.

    @property
    def worker(self) -> Actor:
        return Actor(SOCIAL_WORKERS[self.child.district], Role.SOCIAL_WORKER)

    @property
    def supervisor(self) -> Actor:
        region = self.demo.app.rules.district(self.child.district).region
        return Actor(SUPERVISORS[region], Role.SUPERVISOR)

    # Acts.

    def open(self) -> None:
        """The first identification opens the case, in a category the plan's need allows."""
        found = self.sight(self.child, self.plan.seen, "opened")
        if found.classification.category not in NEEDS[self.plan.need]:
            raise RuntimeError(f"demo tables disagree with the rules: {found.classification}")

    def sight(self, child: Child, seen: Observation, expect: str) -> Identified:
        """Sends an identification (phones sync a few hours after the sighting)."""
        self.t = max(self.t, seen.observed_at) + timedelta(minutes=self.rng.randint(5, 240))
        self._check_time()
        found = self.demo.app.handle(c.Identify(child, seen, self.t))
        if found.outcome != expect:
            raise RuntimeError(f"demo bug: {child.display_name} {found.outcome}, not {expect}")
        self.demo.tally.update(["identifications", found.outcome])
        self.demo.cases.setdefault(found.case_number, None)
        self.number = self.number or found.case_number
        self.category = found.classification.category
        self.urgent = found.classification.priority is Priority.URGENT
        return found

    def resighting(self, district: str) -> Observation:
        """The same child seen again now, by another monitor, in a new submission."""
        others = [m for m in MONITORS[district] if m != self.plan.seen.monitor]
        monitor, submission = self.rng.choice(others), self.demo.submission_id()
        return replace(
            self.plan.seen, submission_id=submission, monitor=monitor, observed_at=self.t
        )

    def act(self, command: type[c.CaseCommand], actor: Actor | None = None, **fields: Any) -> None:
        """Sends `command` on this case, as `actor` (the district's social worker unless
        told), now; keeps the case as it was saved."""
        cmd = command(self.number, actor or self.worker, self.t, **fields)
        self.case = self.demo.app.handle(cmd)
        self.demo.cases[self.number] = self.case

    def assess(self) -> None:
        self.pace("assess")
        kind = (
            "worst" if self.urgent else "at_risk" if self.category is Category.AT_RISK else "labour"
        )
        self.act(c.Assess, reason=self.rng.choice(ASSESSMENTS[kind]))

    def refer(self) -> None:
        """To a service that fits the child, at another provider than the last one."""
        self.pace("refer")
        service, self.provider = self._placement(avoid=self.provider)
        self.act(c.Refer, provider=self.provider, service_type=service)

    def _placement(self, avoid: str) -> tuple[str, str]:
        """A (service type, provider) that fits the child's age today and is offered in the
        child's district, at another provider than `avoid` when there is one."""
        child, age = self.child, self.child.age_on(self.t.date())
        wanted = _services_wanted(self.category, self.plan.seen.activities)
        types = [self.demo.app.rules.service_type(code) for code in wanted]
        fits = [s.code for s in types if s.min_age <= age <= s.max_age]
        options = [
            (s, p.code) for s in fits for p in self.demo.providers if p.offers_in(s, child.district)
        ]
        if not options:
            raise LookupError(f"the demo directory has no {fits} in {child.district}")
        return self.rng.choice([o for o in options if o[1] != avoid] or options)

    def answer(self, accepted: bool) -> None:
        self.pace("answer")
        reason = "" if accepted else self.rng.choice(DECLINES)
        self.act(c.AnswerReferral, accepted=accepted, reason=reason)

    def start(self) -> None:
        self.pace("start")
        self.act(c.StartService, started_on=self.t.date())

    def into_service(self) -> None:
        self.assess()
        self.refer()
        self.answer(accepted=True)
        self.start()

    def follow_up(self, outcome: str = "good") -> None:
        """The next scheduled visit, on its due date: the closing rule counts from those."""
        assert self.case is not None
        due = self.case.scheduled_follow_ups()[0].due_on
        self.on(due)
        note, evidence = self.rng.choice(FOLLOW_UPS[outcome])
        attending, working = outcome == "good", outcome == "working"
        self.act(
            c.RecordFollowUp,
            reason=note,
            visited_on=due,
            attending=attending,
            working=working,
            evidence=evidence,
        )
        self.demo.tally["relapses"] += working

    def follow_ups_due(self) -> int:
        """How many scheduled visits were due three days ago (time to type them in)."""
        assert self.case is not None
        by = self.demo.now.date() - timedelta(days=3)
        scheduled = (f for f in self.case.follow_ups if f.state is FollowUpState.SCHEDULED)
        return sum(1 for f in scheduled if f.due_on <= by)

    def close(self, closure: ClosureReason, reason: str = "", actor: Actor | None = None) -> None:
        self.wait((24, 168))
        self.act(c.Close, actor, closure=closure, reason=reason)

    def screen_out(self) -> None:
        self.pace("assess")
        self.act(c.ScreenOut, reason=SCREENED_OUT[self.category])

    def mark_lost(self) -> None:
        self.wait((72, 480))
        self.act(c.MarkLost, reason=self.rng.choice(LOSSES))

    def resume(self) -> None:
        self.wait((336, 1080))
        self.act(c.Resume, reason="found: back from seasonal work, at school")

    def reopen(self, reason: str) -> None:
        self.wait((480, 1440))
        self.act(c.Reopen, self.supervisor, reason=reason)
        self.demo.tally["reopened"] += 1


def _services_wanted(category: Category, activities: tuple[str, ...]) -> tuple[str, ...]:
    """A worst form goes to protection first; the others to school or training."""
    for code in activities:
        if code in WORST_SERVICES:
            return WORST_SERVICES[code]
    return AT_RISK_SERVICES if category is Category.AT_RISK else LABOUR_SERVICES


# --- the stories --------------------------------------------------------------------------


def _story_identified(s: Story) -> None:
    s.open()  # nobody has assessed the child yet: overdue after 7 days


def _story_assessed(s: Story) -> None:
    s.open()
    s.assess()  # no referral yet: overdue after 14 days


def _story_referred(s: Story) -> None:
    s.open()
    s.assess()
    s.refer()  # waiting for the provider's answer


def _story_accepted(s: Story) -> None:
    _story_referred(s)
    s.answer(accepted=True)  # the child has a place; the service has not started


def _story_declined(s: Story) -> None:
    _story_referred(s)
    s.answer(accepted=False)  # the case needs a new referral


def _story_redirected(s: Story) -> None:
    _story_declined(s)
    s.refer()  # to another provider


def _story_in_service(s: Story) -> None:
    s.open()
    s.into_service()
    _keep_visiting(s)


def _keep_visiting(s: Story) -> None:
    for _ in range(s.follow_ups_due()):
        s.follow_up("good")


def _carry_on(s: Story) -> None:
    """The rest of an ordinary story, after its twist: into service, visited when due."""
    s.refer()
    s.answer(accepted=True)
    s.start()
    _keep_visiting(s)


def _story_struggling(s: Story) -> None:
    """In service, but missing school at the latest visit: unsatisfactory for now."""
    s.open()
    s.into_service()
    due = s.follow_ups_due()
    for visit in range(due):
        s.follow_up("good" if visit < due - 1 else "absent")


def _story_visit_missed(s: Story) -> None:
    s.open()
    s.into_service()  # the first visit is due and nobody has been: overdue


def _story_withdrawn(s: Story) -> None:
    """Withdrawn needs two satisfactory visits in a row, 90 days apart: the visits at 90 and
    180 days are, so a bad first month does not stand in the way."""
    s.open()
    s.into_service()
    s.follow_up(s.rng.choices(["good", "absent"], [3, 1])[0])
    s.follow_up()
    s.follow_up()
    s.close(ClosureReason.WITHDRAWN, "in school for six months, no work found at any visit")


def _story_prevented(s: Story) -> None:
    s.open()  # a child at risk, never in child labour
    s.into_service()
    s.follow_up()
    s.close(ClosureReason.PREVENTED, "back in school and the family is supported")


def _story_aged_out(s: Story) -> None:
    s.open()
    s.into_service()
    s.follow_up()
    eighteenth = years_before(s.child.birth_date, -18) + timedelta(days=1)  # 29 Feb: 1 Mar
    s.t = max(s.t, datetime.combine(eighteenth, time(4), tzinfo=UTC))
    s.close(ClosureReason.AGED_OUT, "turned 18; stays at the college as an adult")


def _story_moved(s: Story) -> None:
    _story_referred(s)
    s.wait((48, 600))
    s.close(ClosureReason.MOVED, s.rng.choice(MOVES))


def _story_duplicate(s: Story) -> None:
    """The family crosses into the next district and a monitor there registers the child
    again: that district's social worker closes the second case as a duplicate."""
    assert s.plan.twin is not None
    s.open()
    s.assess()
    s.wait((48, 480))
    twin = Story(s.demo, replace(s.plan, child=s.plan.twin))
    twin.t = s.t
    twin.sight(s.plan.twin, s.resighting(s.plan.twin.district), "opened")
    twin.close(ClosureReason.DUPLICATE, f"the same child as case {s.number}, next district")
    s.t = twin.t
    _carry_on(s)


def _story_closed_other(s: Story) -> None:
    s.open()
    s.assess()
    reason = "placed in a children's village by the guardianship authority, which follows it"
    s.close(ClosureReason.OTHER, reason, s.supervisor)


def _story_lost(s: Story) -> None:
    s.open()
    s.into_service()
    s.follow_up("absent")
    s.mark_lost()


def _story_found_again(s: Story) -> None:
    _story_lost(s)
    s.resume()  # back in service, where the case was
    _keep_visiting(s)


def _story_relapsed(s: Story) -> None:
    s.open()
    s.into_service()
    s.follow_up("working")  # a relapse: back to assessed, needing a new referral


def _story_relapsed_and_referred(s: Story) -> None:
    _story_relapsed(s)
    _carry_on(s)


def _story_reopened(s: Story) -> None:
    """Closed when the family moved away; they came back and the child works again."""
    s.open()
    s.into_service()
    s.follow_up()
    s.close(ClosureReason.MOVED, s.rng.choice(MOVES))
    s.reopen("the family came back and the child was seen working again")
    _carry_on(s)


def _story_screened_out(s: Story) -> None:
    s.open()  # permitted work, or no concern: not a case to follow
    s.screen_out()


def _story_sent_twice(s: Story) -> None:
    s.open()
    s.sight(s.child, s.plan.seen, "already recorded")  # the phone sent the form again
    s.assess()
    _carry_on(s)


def _story_seen_again(s: Story) -> None:
    """Another monitor types the passport spelling: it attaches to the open case."""
    assert s.plan.alias is not None
    s.open()
    s.assess()
    s.wait((240, 720))
    s.sight(s.plan.alias, s.resighting(s.child.district), "attached")
    _carry_on(s)


# --- the catalogue: each story, how often, for which children, first seen when --------------


@dataclass(frozen=True)
class Kind:
    """A story: how often it is told (weight), the needs its child is drawn from, and the
    window of days before the clock in which the child is first seen. Each window leaves
    room for the whole story at the slowest pace (20 days to a service, visits 30, 90 and
    180 days after it starts, a week to close), so no act is dated after the clock."""

    tell: Callable[[Story], None]
    weight: int
    needs: tuple[str, ...]
    window: tuple[int, int]
    alias: bool = False
    twin: bool = False
    aged_out: bool = False


NEW = ("ordinary", "ordinary", "ordinary", "at_risk")  # no worst form, no 24-hour clock
ANY = ("labour", "labour", "labour", "at_risk")
ORDINARY = ("ordinary",)

STORIES = (  # the first seven cover every state, for a demo smaller than the catalogue
    Kind(_story_identified, 5, NEW, (1, 6)),
    Kind(_story_assessed, 4, NEW, (4, 12)),
    Kind(_story_referred, 5, ANY, (10, 16)),
    Kind(_story_in_service, 14, ANY, (22, 250)),
    Kind(_story_withdrawn, 14, ("labour",), (212, 360)),
    Kind(_story_lost, 4, ANY, (75, 360)),
    Kind(_story_screened_out, 5, ("permitted",), (4, 360)),
    Kind(_story_identified, 4, NEW, (15, 240)),  # never assessed
    Kind(_story_assessed, 3, NEW, (40, 300)),  # never referred
    Kind(_story_accepted, 4, ANY, (14, 30)),
    Kind(_story_declined, 3, NEW, (14, 40)),
    Kind(_story_redirected, 2, NEW, (20, 45)),
    Kind(_story_in_service, 4, ("worst",), (5, 300)),
    Kind(_story_struggling, 5, ANY, (55, 250)),
    Kind(_story_visit_missed, 4, ANY, (55, 200)),
    Kind(_story_prevented, 6, ("at_risk",), (62, 360)),
    Kind(_story_aged_out, 1, ORDINARY, (150, 300), aged_out=True),
    Kind(_story_moved, 3, NEW, (42, 360)),
    Kind(_story_duplicate, 1, NEW, (50, 300), twin=True),
    Kind(_story_closed_other, 1, NEW, (20, 300)),
    Kind(_story_found_again, 2, ANY, (120, 360)),
    Kind(_story_relapsed, 2, ORDINARY, (55, 360)),
    Kind(_story_relapsed_and_referred, 3, ORDINARY, (72, 360)),
    Kind(_story_reopened, 1, ORDINARY, (140, 360)),
    Kind(_story_screened_out, 3, ("no_concern",), (4, 360)),
    Kind(_story_sent_twice, 2, NEW, (22, 300)),
    Kind(_story_seen_again, 2, ORDINARY, (52, 300), alias=True),
)
