"""The access check at the one door (clms.bootstrap.App.handle): which roles may ask for
each command, on which children, and what is logged. Deny by default: a command missing
from PERMISSIONS is refused to every person (tests check that none is missing).

For a person (not the system itself) the door also makes the command the server's: the
actor is the logged-in user and the time is the server's clock, whatever the caller said."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from clms.domain.access import CaseScope, Forbidden, Scope, User, list_area, reaches
from clms.domain.model import Role
from clms.domain.rules import CountryRules
from clms.ports import AccessEntry, UnitOfWork
from clms.services import commands as c

MONITOR, WORKER, SUPERVISOR = Role.MONITOR, Role.SOCIAL_WORKER, Role.SUPERVISOR
PROVIDER, COORDINATOR, ADMIN = Role.PROVIDER, Role.COORDINATOR, Role.ADMIN
ANYONE = Role.ANONYMOUS  # in a permission: nobody needs to be logged in


# A permission: each role that may, and how far it reaches for that role.
Permission = dict[Role, Scope]


def _may(*roles: Role, scope: Scope = Scope.ANY) -> Permission:
    return dict.fromkeys(roles, scope)


def _case_work(*more: Role) -> Permission:
    return _may(WORKER, SUPERVISOR, *more, scope=Scope.CASE)


PERMISSIONS: dict[type[c.Command[Any]], Permission] = {
    c.Identify: _may(MONITOR, WORKER, SUPERVISOR, scope=Scope.CASE),
    c.FindOpenCase: _case_work(),
    c.Assess: _case_work(),
    c.ScreenOut: _case_work(),
    c.Refer: _case_work(),
    c.AnswerReferral: _case_work(PROVIDER),
    c.StartService: _case_work(PROVIDER),
    c.RecordFollowUp: _case_work(),
    c.Close: _case_work(),
    c.Reopen: _case_work(),
    c.MarkLost: _case_work(),
    c.Resume: _case_work(),
    c.CancelReferral: _case_work(),
    c.GetCase: _case_work(PROVIDER),
    c.ListCases: _may(WORKER, SUPERVISOR, scope=Scope.LIST),
    c.ListSubmissions: _may(MONITOR),  # their own: the door names them
    c.ListPossibleDuplicates: _may(SUPERVISOR),  # case numbers only, no child's details
    c.ConfirmDuplicate: _case_work(),
    c.DismissDuplicate: _case_work(),
    # The directory and the users: the administrator's.
    c.AddProvider: _may(ADMIN),
    c.UpdateProvider: _may(ADMIN),
    c.RemoveProvider: _may(ADMIN),
    c.ListProviders: _may(ADMIN, WORKER, SUPERVISOR),
    c.AddStaff: _may(ADMIN),
    c.UpdateStaff: _may(ADMIN),
    c.RemoveStaff: _may(ADMIN),
    c.ListStaff: _may(ADMIN, SUPERVISOR),
    c.AddUser: _may(ADMIN),
    c.GetUser: _may(ADMIN),
    c.ListUsers: _may(ADMIN),
    c.DisableUser: _may(ADMIN),
    c.ResetPassword: _may(ADMIN),
    c.ReadAccessLog: _may(ADMIN),
    c.SetMode: _may(ADMIN),
    c.GetMode: _may(ANYONE),
    # The reminders: all of them for the administrator, one case's for its case workers.
    c.ListReminders: {ADMIN: Scope.ANY, WORKER: Scope.CASE, SUPERVISOR: Scope.CASE},
    c.RequeueDead: _may(ADMIN),
    c.WaitingWithoutChannel: _may(ADMIN),
    # The nightly work is the system's own: no person runs it through the door.
    c.FindCheckChunks: _may(),
    c.ActOnCheckChunk: _may(),
    c.DeliverDue: _may(),
    # The signed link (or the password) is the authority here, not a login.
    c.OpenAnswer: _may(ANYONE),
    c.RecordAnswer: _may(ANYONE),
    c.CorrectAnswer: _may(ANYONE),
    c.LogIn: _may(ANYONE),
    c.WhoHolds: _may(ANYONE),
    c.LogOut: _may(ANYONE),
}
# The reads of children's records: every one is logged, with the case when it names one.
LOGGED_READS = (c.GetCase, c.ListCases, c.ListReminders, c.ListSubmissions)


def admit(
    command: c.Command[Any], user: User, uow: Callable[[], UnitOfWork], rules: CountryRules,
    now: datetime,
) -> c.Command[Any]:  # fmt: skip
    """`command` as the server runs it for `user`, or Forbidden (logged). The system
    itself passes unchanged: the flows and the tests say their own time."""
    if user.role is Role.SYSTEM:
        return command
    permission = PERMISSIONS.get(type(command), {})
    scope = permission.get(user.role, permission.get(ANYONE))
    refusal = _refusal(command, user, scope, uow, rules)
    if refusal:
        _log(uow, _entry(command, user, now, allowed=False, reason=refusal))
        raise Forbidden(refusal)
    if isinstance(command, LOGGED_READS):
        _log(uow, _entry(command, user, now, allowed=True))
    return _as_the_server_says(_narrowed(command, user, scope), user, now)


def _refusal(
    command: c.Command[Any], user: User, scope: Scope | None,
    uow: Callable[[], UnitOfWork], rules: CountryRules,
) -> str:  # fmt: skip
    """Why `user` may not, in words that name the role and the action, never a child."""
    action = type(command).__name__
    if scope is None:
        return f"a {user.role} may not {action}"
    if user.disabled_at is not None:
        return f"the user {user.username} is disabled"
    if scope is Scope.CASE:
        where = _scopes(command, uow, rules)
        if not where:
            return f"a {user.role} may {action} only for one case: name it"
        if not all(reaches(user, w) for w in where):
            return f"this case is outside the {user.role}'s area {user.area!r} ({action})"
    return ""


def _scopes(
    command: c.Command[Any], uow: Callable[[], UnitOfWork], rules: CountryRules
) -> list[CaseScope]:
    """Where the children `command` touches are: by the case number, or by the district
    of a child not yet (or not known to be) a case."""
    if isinstance(command, (c.Identify, c.FindOpenCase)):
        district = rules.district(command.child.district)
        return [CaseScope(district.code, district.region)]
    numbers = [getattr(command, "case_number", None) or ""]
    if isinstance(command, (c.ConfirmDuplicate, c.DismissDuplicate)):
        numbers = [command.new_case, command.old_case]
    # An unknown number is NotFound, for a typo to be seen as one: case numbers follow
    # each other, so saying which exist tells nothing that counting would not.
    with uow() as work:
        return [work.cases.scope_of(number) for number in numbers if number]


def _narrowed(command: c.Command[Any], user: User, scope: Scope | None) -> c.Command[Any]:
    """A list asked for by a person holds only their area's cases."""
    if scope is not Scope.LIST or not isinstance(command, c.ListCases):
        return command
    district, region = list_area(user)
    query = command.query
    if district is not None:
        query = replace(query, district=district)
    if region is not None:
        query = replace(query, region=region)
    return replace(command, query=query)


def _as_the_server_says(command: c.Command[Any], user: User, now: datetime) -> c.Command[Any]:
    """The actor and the time are the server's, never the caller's."""
    names = {f.name for f in fields(command)}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    if "now" in names:
        changes["now"] = now
    if "actor" in names:
        changes["actor"] = user.actor
    if isinstance(command, c.Identify):
        changes["observation"] = replace(command.observation, monitor=user.username)
    if isinstance(command, c.ListSubmissions):
        changes["monitor"] = user.username
    return replace(command, **changes) if changes else command  # type: ignore[type-var]


def _entry(
    command: c.Command[Any], user: User, now: datetime, allowed: bool, reason: str = ""
) -> AccessEntry:
    number = getattr(command, "case_number", "") or getattr(command, "new_case", "")
    return AccessEntry(now, user.username, str(user.role), type(command).__name__,
                       str(number), allowed, reason)  # fmt: skip


def _log(uow: Callable[[], UnitOfWork], entry: AccessEntry) -> None:
    with uow() as work:
        work.access_log.add(entry)
        work.commit()
