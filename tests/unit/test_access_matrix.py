"""Who may do what, on whose children: every role × every command × a case of their own
area and of another → allowed or refused at the one door. The expectations are written
here from the roles' descriptions, not read from the permission table they check."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from clms.bootstrap import App
from clms.domain.access import Forbidden, User
from clms.domain.check import CheckRule
from clms.domain.model import ClosureReason, Provider, Role
from clms.domain.rules import CountryRules
from clms.ports import CaseQuery, StaffMember
from clms.services import commands as c
from clms.services.access import PERMISSIONS, admit
from tests.builders import NOW, SOCIAL_WORKER, app_over, child, fakes_with_providers, seen
from tests.unit.test_one_door import concrete_commands

OWN, OTHER = "KZ-TUR-MAK", "KZ-ALA-ALT"  # Turkestan region, Almaty city
PEOPLE = {
    "monitor": User("erlan.m", Role.MONITOR, OWN),
    "social_worker": User("aigul.s", Role.SOCIAL_WORKER, OWN),
    "supervisor": User("dana.k", Role.SUPERVISOR, "Turkestan"),
    "provider": User("sch12", Role.PROVIDER, "SCH-12"),
    "coordinator": User("gulnara.t", Role.COORDINATOR, "Turkestan"),
    "admin": User("admin", Role.ADMIN),
    "anonymous": User("anonymous", Role.ANONYMOUS),
}
CASE_WORKERS = {"social_worker", "supervisor"}
EVERYONE = set(PEOPLE)


def expected(kind: type[c.Command[Any]], area: str) -> set[str]:
    """Who may ask for `kind` on a case (or a child) of the `area` OWN or OTHER, from the
    roles as the project describes them."""
    own = area == OWN
    if kind in (c.OpenAnswer, c.RecordAnswer, c.CorrectAnswer, c.LogIn, c.WhoHolds, c.LogOut,
                c.GetMode):  # fmt: skip
        return EVERYONE  # the signed link or the password is the authority
    if kind in (c.FindCheckChunks, c.ActOnCheckChunk, c.DeliverDue):
        return set()  # the system's own nightly work
    if kind is c.Identify:
        return {"monitor", *CASE_WORKERS} if own else set()
    if kind in (c.AnswerReferral, c.StartService, c.GetCase):
        return {*CASE_WORKERS, "provider"} if own else set()
    if issubclass(kind, c.CaseCommand) or kind in (
        c.FindOpenCase, c.ConfirmDuplicate, c.DismissDuplicate
    ):  # fmt: skip
        return CASE_WORKERS if own else set()
    if kind is c.ListCases:
        return CASE_WORKERS  # narrowed to their own area (tested below)
    if kind is c.ListSubmissions:
        return {"monitor"}  # their own (tested below)
    if kind is c.ListReminders:
        return {"admin", *CASE_WORKERS} if own else {"admin"}  # one case's, or all
    if kind is c.ListPossibleDuplicates:
        return {"supervisor"}
    if kind is c.ListProviders:
        return {"admin", *CASE_WORKERS}
    if kind is c.ListStaff:
        return {"admin", "supervisor"}
    return {"admin"}  # the directory, the users, the access log, the mode, the outbox


@pytest.fixture
def cases(kz: CountryRules) -> tuple[App, dict[str, str]]:
    """A case in OWN referred to SCH-12 and one in OTHER referred to SCH-ALM."""
    system = app_over(fakes_with_providers(), kz)
    numbers = {}
    for area, provider, submission in ((OWN, "SCH-12", "s-1"), (OTHER, "SCH-ALM", "s-2")):
        number = system.handle(c.Identify(child(district=area), seen(submission), NOW)).case_number
        system.handle(c.Assess(number, SOCIAL_WORKER, NOW))
        system.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider=provider, service_type="school"))
        numbers[area] = number
    return system, numbers


def sample(kind: type[c.Command[Any]], number: str, area: str) -> c.Command[Any]:
    """One command of `kind` about the case `number` (or a child of `area`)."""
    if issubclass(kind, c.CaseCommand):
        return kind(number, SOCIAL_WORKER, NOW)
    about_a_child = {
        c.Identify: lambda: c.Identify(child(district=area), seen("s-new"), NOW),
        c.FindOpenCase: lambda: c.FindOpenCase(child(district=area)),
        c.GetCase: lambda: c.GetCase(number),
        c.ListReminders: lambda: c.ListReminders(case_number=number if area == OWN else None),
        c.ConfirmDuplicate: lambda: c.ConfirmDuplicate(number, number, SOCIAL_WORKER, NOW, "x"),
        c.DismissDuplicate: lambda: c.DismissDuplicate(number, number, SOCIAL_WORKER, NOW, "x"),
    }
    if kind in about_a_child:
        return about_a_child[kind]()
    return OTHERS[kind]


OTHERS: dict[type[c.Command[Any]], c.Command[Any]] = {
    c.ListCases: c.ListCases(CaseQuery()),
    c.ListSubmissions: c.ListSubmissions(monitor="someone.else"),
    c.ListPossibleDuplicates: c.ListPossibleDuplicates(),
    c.AddProvider: c.AddProvider(Provider("P", "P", OWN, frozenset())),
    c.UpdateProvider: c.UpdateProvider("SCH-12", name="x"),
    c.RemoveProvider: c.RemoveProvider("SCH-12", NOW),
    c.ListProviders: c.ListProviders(),
    c.AddStaff: c.AddStaff(StaffMember("A", "social_worker", OWN)),
    c.UpdateStaff: c.UpdateStaff(1, name="x"),
    c.RemoveStaff: c.RemoveStaff(1),
    c.ListStaff: c.ListStaff(),
    c.FindCheckChunks: c.FindCheckChunks(next(iter(CheckRule)), NOW),
    c.ActOnCheckChunk: c.ActOnCheckChunk(next(iter(CheckRule)), [1], NOW),
    c.DeliverDue: c.DeliverDue("w"),
    c.WaitingWithoutChannel: c.WaitingWithoutChannel(),
    c.RequeueDead: c.RequeueDead(None, NOW),
    c.OpenAnswer: c.OpenAnswer("t", NOW),
    c.RecordAnswer: c.RecordAnswer("t", "attending", NOW),
    c.CorrectAnswer: c.CorrectAnswer("t", "attending", NOW),
    c.AddUser: c.AddUser(User("new.one", Role.MONITOR, OWN), "a long password here"),
    c.GetUser: c.GetUser("aigul.s"),
    c.ListUsers: c.ListUsers(),
    c.DisableUser: c.DisableUser("aigul.s"),
    c.ResetPassword: c.ResetPassword("aigul.s", "a long password here"),
    c.LogIn: c.LogIn("aigul.s", "x"),
    c.WhoHolds: c.WhoHolds("t"),
    c.LogOut: c.LogOut("t"),
    c.SetMode: c.SetMode("real"),
    c.GetMode: c.GetMode(),
    c.ReadAccessLog: c.ReadAccessLog(),
}


def admitted(system: App, user: User, command: c.Command[Any]) -> bool:
    deps = system.dependencies()
    try:
        admit(command, user, deps.new_uow, system.rules, NOW)
    except Forbidden:
        return False
    return True


@pytest.mark.parametrize("kind", concrete_commands(), ids=lambda k: k.__name__)
def test_every_role_is_allowed_exactly_what_its_description_says(
    kind: type[c.Command[Any]], cases: tuple[App, dict[str, str]]
) -> None:
    system, numbers = cases
    for area in (OWN, OTHER):
        command = sample(kind, numbers[area], area)
        allowed = {role for role, user in PEOPLE.items() if admitted(system, user, command)}
        assert allowed == expected(kind, area), f"{kind.__name__} on a case of {area}"


def test_every_command_has_a_permission_so_none_is_open_by_omission() -> None:
    assert [k.__name__ for k in concrete_commands() if k not in PERMISSIONS] == []


def test_a_disabled_user_is_refused_even_what_their_role_allows(
    cases: tuple[App, dict[str, str]],
) -> None:
    system, numbers = cases
    gone = replace(PEOPLE["social_worker"], disabled_at=NOW)
    assert not admitted(system, gone, c.GetCase(numbers[OWN]))


def test_a_list_holds_only_the_cases_of_the_users_area(cases: tuple[App, dict[str, str]]) -> None:
    system, numbers = cases
    mine = system.acting_as(PEOPLE["social_worker"]).handle(c.ListCases(CaseQuery()))
    assert [row.number for row in mine] == [numbers[OWN]]
    theirs = system.acting_as(User("a.b", Role.SUPERVISOR, "Almaty city"))
    assert [row.number for row in theirs.handle(c.ListCases(CaseQuery()))] == [numbers[OTHER]]


def test_a_monitor_sees_only_their_own_submissions_whoever_they_name(
    cases: tuple[App, dict[str, str]],
) -> None:
    system, numbers = cases
    erlan, other = PEOPLE["monitor"], User("saule.m", Role.MONITOR, OWN)
    system.acting_as(erlan).handle(c.Identify(child("Бекзат", district=OWN), seen("e-1"), NOW))
    system.acting_as(other).handle(c.Identify(child("Дана", district=OWN), seen("o-1"), NOW))

    mine = system.acting_as(erlan).handle(c.ListSubmissions(monitor="saule.m"))

    assert [(s.submission_id, s.name.split()[0]) for s in mine] == [("e-1", "Бекзат")]
    log = system.handle(c.ReadAccessLog(1))
    assert (log[0].username, log[0].action, log[0].allowed) == ("erlan.m", "ListSubmissions", True)


def test_the_actor_and_the_time_are_the_servers_whatever_the_caller_says(
    cases: tuple[App, dict[str, str]],
) -> None:
    system, numbers = cases
    later = NOW.replace(hour=15)
    worker = replace(system, clock=lambda: later).acting_as(PEOPLE["supervisor"])
    forged = c.Close(numbers[OWN], SOCIAL_WORKER, NOW.replace(year=2027), "x",
                     closure=ClosureReason.OTHER)  # fmt: skip
    case = worker.handle(forged)
    last = case.history[-1]
    assert (last.actor, last.role, last.at) == ("dana.k", "supervisor", later)


def test_every_read_of_a_case_and_every_refusal_is_logged_without_a_name(
    cases: tuple[App, dict[str, str]],
) -> None:
    system, numbers = cases
    system.acting_as(PEOPLE["social_worker"]).handle(c.GetCase(numbers[OWN]))
    with pytest.raises(Forbidden):
        system.acting_as(PEOPLE["social_worker"]).handle(c.GetCase(numbers[OTHER]))
    log = system.handle(c.ReadAccessLog(10))
    assert [(e.username, e.case_number, e.allowed) for e in log] == [
        ("aigul.s", numbers[OTHER], False),
        ("aigul.s", numbers[OWN], True),
    ]
    assert not any("Айгерім" in repr(e) or "Сапарова" in repr(e) for e in log)
