"""The one door: every command's handler, found by the command's type. `App.handle`
(clms.bootstrap) is the only caller, so that whatever must happen for every command (the
access check of the API, the audit of reads) has one place to happen.

A handler gets the command and `Dependencies`, given once by the composition root: the
country's rules are never passed by the callers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from clms.domain.outbox import RetryPolicy
from clms.domain.rules import CountryRules
from clms.ports import MessageSender, UnitOfWork
from clms.ports.passwords import PasswordHasher
from clms.services import answers, cases, check, directory, outbox, telling, users
from clms.services import commands as c

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Dependencies:
    """What the handlers work with in this process, chosen by the composition root."""

    new_uow: Callable[[], UnitOfWork]
    rules: CountryRules
    clock: Clock
    links: telling.Links  # where the answer links point, and the key that signs them
    senders: Callable[[], Mapping[str, MessageSender]]  # the channels configured
    retry_policy: RetryPolicy
    check_chunk_size: int
    delivery_batch: int
    passwords: PasswordHasher


Handler = Callable[[Any, Dependencies], Any]
C = TypeVar("C", bound=c.Command[Any])


def _on_a_case(use_case: Callable[[C, UnitOfWork, CountryRules], Any]) -> Handler:
    """The handler of a use case written as (command, unit of work, rules)."""
    return lambda cmd, deps: use_case(cmd, deps.new_uow(), deps.rules)


def _deliver_due(cmd: c.DeliverDue, deps: Dependencies) -> dict[str, int]:
    return outbox.deliver_due(
        deps.new_uow, deps.senders(), cmd.worker, deps.clock, deps.retry_policy,
        deps.delivery_batch,
    )  # fmt: skip


HANDLERS: dict[type[c.Command[Any]], Handler] = {
    c.Identify: _on_a_case(cases.identify),
    c.Assess: _on_a_case(cases.assess),
    c.ScreenOut: _on_a_case(cases.screen_out),
    c.Refer: _on_a_case(cases.refer),
    c.AnswerReferral: _on_a_case(cases.answer_referral),
    c.StartService: _on_a_case(cases.start_service),
    c.RecordFollowUp: _on_a_case(cases.record_follow_up),
    c.Close: _on_a_case(cases.close),
    c.Reopen: _on_a_case(cases.reopen),
    c.MarkLost: _on_a_case(cases.mark_lost),
    c.Resume: _on_a_case(cases.resume),
    c.GetCase: lambda cmd, deps: cases.get_case(cmd.case_number, deps.new_uow()),
    c.ListCases: lambda cmd, deps: cases.list_cases(cmd.query, deps.new_uow(), deps.rules),
    c.ListSubmissions: lambda cmd, deps: cases.list_submissions(cmd, deps.new_uow()),
    c.FindOpenCase: lambda cmd, deps: cases.open_case_of(cmd.child, deps.new_uow()),
    c.AddProvider: lambda cmd, deps: directory.add_provider(
        cmd.provider, deps.new_uow(), deps.rules
    ),
    c.UpdateProvider: lambda cmd, deps: directory.update_provider(cmd, deps.new_uow(), deps.rules),
    c.RemoveProvider: lambda cmd, deps: directory.remove_provider(cmd, deps.new_uow()),
    c.ListProviders: lambda cmd, deps: directory.list_providers(deps.new_uow()),
    c.AddStaff: lambda cmd, deps: directory.add_staff(cmd.member, deps.new_uow(), deps.rules),
    c.UpdateStaff: lambda cmd, deps: directory.update_staff(cmd, deps.new_uow(), deps.rules),
    c.RemoveStaff: lambda cmd, deps: directory.remove_staff(cmd, deps.new_uow()),
    c.ListStaff: lambda cmd, deps: directory.list_staff(deps.new_uow()),
    c.FindCheckChunks: lambda cmd, deps: check.candidate_chunks(
        cmd.rule, cmd.now, cmd.region, deps.new_uow(), deps.check_chunk_size
    ),
    c.ActOnCheckChunk: lambda cmd, deps: check.act_on_chunk(
        cmd.rule, cmd.case_ids, cmd.now, deps.new_uow(), deps.rules, deps.links
    ),
    c.DeliverDue: _deliver_due,
    c.WaitingWithoutChannel: lambda cmd, deps: outbox.waiting_without_a_channel(
        deps.new_uow(), deps.senders()
    ),
    c.ListReminders: lambda cmd, deps: outbox.list_reminders(
        deps.new_uow(), cmd.status, cmd.limit, cmd.case_number
    ),
    c.RequeueDead: lambda cmd, deps: outbox.requeue_dead(deps.new_uow(), cmd.ids, cmd.now),
    c.OpenAnswer: lambda cmd, deps: answers.open_answer(
        cmd.token, cmd.now, deps.new_uow(), deps.links.secret, deps.rules.check
    ),
    c.RecordAnswer: lambda cmd, deps: answers.record_answer(
        cmd.token, cmd.answer, cmd.now, deps.new_uow(), deps.rules, deps.links.secret
    ),
    c.CorrectAnswer: lambda cmd, deps: answers.correct_answer(
        cmd.token, cmd.answer, cmd.now, deps.new_uow(), deps.rules, deps.links.secret
    ),
    c.CancelReferral: _on_a_case(cases.cancel_referral),
    c.ListPossibleDuplicates: lambda cmd, deps: cases.list_possible_duplicates(cmd, deps.new_uow()),
    c.ConfirmDuplicate: _on_a_case(cases.confirm_duplicate),
    c.DismissDuplicate: _on_a_case(cases.dismiss_duplicate),
    c.AddUser: lambda cmd, deps: users.add_user(
        cmd.user, cmd.password, deps.clock(), deps.new_uow(), deps.rules, deps.passwords
    ),
    c.GetUser: lambda cmd, deps: users.get_user(cmd.username, deps.new_uow()),
    c.ListUsers: lambda cmd, deps: users.list_users(deps.new_uow()),
    c.DisableUser: lambda cmd, deps: users.disable_user(cmd.username, deps.clock(), deps.new_uow()),
    c.ResetPassword: lambda cmd, deps: users.reset_password(
        cmd.username, cmd.password, deps.clock(), deps.new_uow(), deps.passwords
    ),
    c.LogIn: lambda cmd, deps: users.log_in(
        cmd.username, cmd.password, cmd.kind, deps.clock(), deps.new_uow(), deps.passwords
    ),
    c.WhoHolds: lambda cmd, deps: users.session_user(cmd.token, deps.clock(), deps.new_uow()),
    c.LogOut: lambda cmd, deps: users.log_out(cmd.token, deps.clock(), deps.new_uow()),
    c.SetMode: lambda cmd, deps: users.set_mode(cmd.mode, deps.new_uow()),
    c.GetMode: lambda cmd, deps: users.mode(deps.new_uow()),
    c.ReadAccessLog: lambda cmd, deps: users.read_access_log(cmd, deps.new_uow()),
}


def handler_for(command: c.Command[Any]) -> Handler:
    try:
        return HANDLERS[type(command)]
    except KeyError:
        raise TypeError(f"no handler for {type(command).__name__}") from None
