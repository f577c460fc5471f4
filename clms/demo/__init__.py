"""A realistic Kazakhstan demo, loaded through the use cases only.

`load` adds a service directory and the staff who get reminders, then tells `cases`
children's stories (clms.demo.stories). Every use case goes through the one door,
`App.handle`: nothing here writes a row, and nothing catches a refusal.

Reading order: the tables (clms.demo.data: places, names, people, what children are found
doing, the directory, the pace of work), `load` below with the directory and staff it adds
and what it counts, what the stories share (clms.demo.context), the planner that draws the
children (clms.demo.planner), and the stories (clms.demo.stories): `Story` (the acts), one
function per story, and last the catalogue of stories, with how often each is told.
"""

from __future__ import annotations

import random
import secrets
import zlib
from collections import Counter

from clms.bootstrap import App
from clms.demo.context import Demo
from clms.demo.data import PROVIDERS, SOCIAL_WORKERS, SUPERVISORS
from clms.demo.planner import plan_all
from clms.demo.stories import STORIES, Story
from clms.domain.access import User
from clms.domain.errors import InvalidInput
from clms.domain.model import ClosureReason, Provider, Role
from clms.ports import CaseQuery, StaffMember
from clms.services import commands as c
from clms.services.directory import parse_offer
from clms.states import CASE_LIFECYCLE

__all__ = ["load"]

ALL = 1_000_000  # a list limit that means every case


def load(app: App, cases: int = 300, seed: int = 7, if_empty: bool = False) -> dict[str, int]:
    """Add the directory and tell `cases` children's stories; returns what was loaded."""
    if cases < 0:
        raise InvalidInput("the number of cases cannot be negative", field="cases")
    if if_empty and app.handle(c.ListCases(CaseQuery(limit=1))):
        return {"skipped": 1, "providers": 0, "cases": 0}
    existing = len(app.handle(c.ListCases(CaseQuery(limit=ALL))))
    _make_it_a_simulation(app, existing)
    # The same seed tells the same stories on an empty database; on one that has cases it
    # tells new ones, so that loading twice never meets its own children again.
    demo = Demo(app, app.clock(), random.Random(f"{seed}/{existing}"), existing)
    added = _add_directory(demo)
    staff = _add_staff(demo)
    for plan in plan_all(demo, STORIES, cases):
        plan.kind.tell(Story(demo, plan))
    return {**_counts(demo, added, cases), "staff": staff}


def _make_it_a_simulation(app: App, existing: int) -> None:
    """The demo's children are made up: they go to a simulation database (where commands
    may name their time), never among real children."""
    if app.handle(c.GetMode()) == "simulation":
        return
    if existing:
        raise InvalidInput(
            "this database holds real cases: load the demo into a database of its own",
            field="database",
        )
    app.handle(c.SetMode("simulation"))


def _add_directory(demo: Demo) -> int:
    """Adds the providers not there yet (a second load reuses them); returns how many."""
    known = {p.code for p in demo.app.handle(c.ListProviders())}
    fresh = [_provider(*row) for row in PROVIDERS if row[0] not in known]
    for provider in fresh:
        demo.app.handle(c.AddProvider(provider))
    demo.providers = demo.app.handle(c.ListProviders())
    return len(fresh)


def _provider(code: str, name: str, district: str, offers: tuple[str, ...]) -> Provider:
    served = frozenset(parse_offer(offer, district) for offer in offers)
    # Schools answer by e-mail; the hospital has no usable contact, to show the task the
    # daily check leaves for the social worker instead.
    email = "" if code.endswith("HOSP") else f"{code.lower()}@edu.example.kz"
    return Provider(code, name, district, served, phone=_phone(code), email=email)


def _phone(seed: str) -> str:
    digits = f"{zlib.crc32(seed.encode()) % 10_000_000:07d}"
    return f"+7701{digits}"


def _add_staff(demo: Demo) -> int:
    """The district social workers (SMS) and regional supervisors who get reminders."""
    known = {(m.role, m.area) for m in demo.app.handle(c.ListStaff())}
    staff = [
        StaffMember(name, "social_worker", area, phone=_phone(name))
        for area, name in SOCIAL_WORKERS.items()
    ]
    staff += [
        StaffMember(name, "supervisor", region, email=f"{name.split()[0].lower()}@mlsp.example.kz")
        for region, name in SUPERVISORS.items()
    ]
    fresh = [m for m in staff if (m.role, m.area) not in known]
    for member in fresh:
        demo.app.handle(c.AddStaff(member))
    return len(fresh)


def add_users(app: App) -> list[tuple[User, str]]:
    """The demo's people who log in, each with a random password, returned this once to be
    printed (only their hashes are kept): an administrator, a social worker per district,
    a supervisor per region and a monitor. Those already there are left as they are."""
    known = {u.username for u in app.handle(c.ListUsers())}
    people = [User("admin", Role.ADMIN)]
    people += [User(f"sw.{area.lower()}", Role.SOCIAL_WORKER, area) for area in SOCIAL_WORKERS]
    people += [User(f"sup.{_slug(region)}", Role.SUPERVISOR, region) for region in SUPERVISORS]
    first_district = next(iter(SOCIAL_WORKERS))
    people.append(User(f"monitor.{first_district.lower()}", Role.MONITOR, first_district))
    added = []
    for user in (u for u in people if u.username not in known):
        password = secrets.token_urlsafe(12)
        added.append((app.handle(c.AddUser(user, password)), password))
    return added


def _slug(words: str) -> str:
    return "-".join(words.lower().split())


def _counts(demo: Demo, providers: int, children: int) -> dict[str, int]:
    everything = demo.app.handle(c.ListCases(CaseQuery(limit=ALL)))
    mine = [row for row in everything if row.number in demo.cases]
    states = Counter(row.state for row in mine)
    closed = Counter(case.closure_reason for case in demo.cases.values() if case)
    return {
        "providers": providers,
        "children": children,
        "identifications": demo.tally["identifications"],
        "duplicate_submissions": demo.tally["already recorded"],
        "reidentified": demo.tally["attached"],
        "cases": len(mine),
        **{f"state:{state}": states[state] for state in CASE_LIFECYCLE.states},
        **{f"closed:{reason.value}": closed[reason] for reason in ClosureReason if closed[reason]},
        "relapses": demo.tally["relapses"],
        "reopened": demo.tally["reopened"],
        "overdue": sum(
            1
            for row in mine
            if row.next_action_due and row.next_action_due < demo.now and not row.ready_to_close
        ),
        "ready_to_close": sum(row.ready_to_close for row in mine),
    }
