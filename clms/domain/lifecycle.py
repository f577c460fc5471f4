"""Fires the case lifecycle's triggers on a case: guards that refuse in words, effects
that change the aggregate, and one history row per change.

The tables live in clms.states; the guards and effects they name are the methods of
`_Firing`, the object the shared machine fires on (a test checks every name exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from clms.domain.closing import closure_refusal
from clms.domain.errors import Refused
from clms.domain.model import (
    Actor,
    Case,
    ClosureReason,
    FollowUp,
    FollowUpState,
    HistoryEntry,
    Priority,
    Provider,
    Referral,
)
from clms.domain.rules import CountryRules
from clms.states import CASE_LIFECYCLE, REFERRAL_LIFECYCLE
from clms.states import referral as referral_states


@dataclass(frozen=True)
class Act:
    """Who does what, when, and why: what every change to a case carries."""

    actor: Actor
    now: datetime
    rules: CountryRules
    reason: str = ""
    provider: Provider | None = None
    service_type: str = ""
    override_reason: str = ""
    closure: ClosureReason | None = None
    started_on: date | None = None
    data: dict[str, Any] = field(default_factory=dict)


# What closing a case does to the service the child has started, by why the case closes
# (the trigger of the referral table). A young person who turned 18 may well go on with
# a vocational course: the case ends, the course does not.
SERVICE_AT_CLOSE: dict[ClosureReason, str] = {
    ClosureReason.WITHDRAWN: "complete",
    ClosureReason.PREVENTED: "complete",
    ClosureReason.AGED_OUT: "continue_after_close",
    ClosureReason.MOVED: "drop_out",
    ClosureReason.DUPLICATE: "drop_out",
    ClosureReason.DECEASED: "drop_out",
    ClosureReason.OTHER: "drop_out",
}


def fire(case: Case, trigger: str, act: Act) -> None:
    """Move `case` by `trigger`, or raise Refused saying why and what is allowed now."""
    allowed = CASE_LIFECYCLE.triggers_from(case.state)
    if trigger not in allowed:
        raise Refused(
            f"cannot {_words(trigger)} a case that is {_words(case.state)}", allowed_now=allowed
        )
    firing = _Firing(case, act)
    source = case.state
    if not CASE_LIFECYCLE.fire(firing, trigger):
        refusal = "; ".join(dict.fromkeys(firing.refusals)) or f"cannot {_words(trigger)}"
        raise Refused(refusal, allowed_now=allowed)
    case.state = firing.state
    case.state_entered_at = act.now
    note(case, trigger, act, source=source)


def note(case: Case, trigger: str, act: Act, source: str | None = None) -> None:
    """Append one history row; without `source` it records an event that keeps the state."""
    entry = HistoryEntry(
        seq=case.next_seq,
        at=act.now,
        actor=act.actor.name,
        role=act.actor.role.value,
        trigger=trigger,
        from_state=case.state if source is None else source,
        to_state=case.state,
        reason=act.reason,
        data=act.data,
    )
    case.record(entry)


def fire_referral(case: Case, referral: Referral, trigger: str) -> None:
    """Move one of `case`'s referrals; a refusal lists what the case allows now, since a
    person acts on the case, not on the referral."""
    if trigger not in REFERRAL_LIFECYCLE.triggers_from(referral.state):
        what = f"a referral that is {_words(referral.state)}"
        allowed = CASE_LIFECYCLE.triggers_from(case.state)
        raise Refused(f"cannot {_words(trigger)} {what}", allowed_now=allowed)
    REFERRAL_LIFECYCLE.fire(referral, trigger)


def _words(name: str) -> str:
    return name.replace("_", " ")


class _Firing:
    """The model the shared machine fires on: holds the state while guards run."""

    def __init__(self, case: Case, act: Act) -> None:
        self.state = case.state
        self.case = case
        self.act = act
        self.refusals: list[str] = []

    def _allow(self, refusal: str | None) -> bool:
        if refusal:
            self.refusals.append(refusal)
        return refusal is None

    # Guards: each returns True or records why not.

    def screening_out_permitted(self, event: Any) -> bool:
        urgent = self.case.priority is Priority.URGENT
        needs = urgent and not self.act.actor.role.approves
        return self._allow("cannot screen out a worst form: needs a supervisor" if needs else None)

    def no_live_referral(self, event: Any) -> bool:
        live = self.case.live_referral
        if live is None:
            return True
        return self._allow(
            f"cannot refer: the referral to {live.provider} ({live.service_type}) is still "
            f"{_words(live.state)}; record its answer or cancel it first"
        )

    def referral_fits_child_and_provider(self, event: Any) -> bool:
        return self._allow(_referral_misfit(self.case, self.act))

    def referral_is_live(self, event: Any) -> bool:
        if self.case.live_referral is not None:
            return True
        last = self.case.last_referral
        after = f"; the last one, to {last.provider}, is {_words(last.state)}" if last else ""
        return self._allow(f"cannot cancel a referral: the case has no live referral{after}")

    def referral_accepted(self, event: Any) -> bool:
        live = self.case.live_referral
        if live is not None and live.state == referral_states.ACCEPTED:
            return True
        state = _words(live.state) if live else "missing"
        return self._allow(f"cannot start service: the referral is {state}, not accepted")

    def service_start_not_before_referral(self, event: Any) -> bool:
        started, live = self.act.started_on, self.case.live_referral
        if started is None or live is None:
            return self._allow("cannot start service: the start date is required")
        if started > self.act.now.date():
            return self._allow(f"cannot start service: {started} is in the future")
        if started < live.proposed_at.date():
            return self._allow(f"cannot start service: {started} is before the referral")
        return True

    def closure_rule_met(self, event: Any) -> bool:
        act = self.act
        if act.closure is None:
            return self._allow("cannot close: a closure reason is required")
        refusal = closure_refusal(
            self.case, act.closure, act.actor.role, act.now.date(), act.rules.closing, act.reason
        )
        return self._allow(refusal)

    def by_supervisor(self, event: Any) -> bool:
        ok = self.act.actor.role.approves
        return self._allow(None if ok else f"cannot {_words(event.event.name)}: needs a supervisor")

    def returns_where_it_was(self, event: Any) -> bool:
        return bool(event.transition.dest == self.case.state_before_lost)

    # Effects: run after the state changed.

    def record_assessment(self, event: Any) -> None:
        self.case.assessed_at = self.act.now
        self.case.assessment = self.act.reason

    def open_referral(self, event: Any) -> None:
        act, provider = self.act, self.act.provider
        assert provider is not None  # referral_fits_child_and_provider checked it
        referral = Referral(
            provider=provider.code,
            service_type=act.service_type,
            proposed_at=act.now,
            due_at=act.now + _answer_time(self.case, act.rules),
            override_reason=act.override_reason,
        )
        fire_referral(self.case, referral, "send")
        self.case.referrals.append(referral)

    def cancel_live_referral(self, event: Any) -> None:
        live = self.case.live_referral
        assert live is not None  # referral_is_live checked it
        fire_referral(self.case, live, "cancel")
        live.ended_at = self.act.now

    def begin_service(self, event: Any) -> None:
        live = self.case.live_referral
        assert live is not None  # referral_accepted checked it
        fire_referral(self.case, live, "start")
        live.started_on = self.act.started_on
        self.case.service_started_on = self.act.started_on

    def schedule_follow_ups(self, event: Any) -> None:
        start = self.act.started_on
        assert start is not None
        for days in self.act.rules.follow_up_days:
            self.case.follow_ups.append(FollowUp(due_on=start + timedelta(days=days)))

    def end_service_after_relapse(self, event: Any) -> None:
        self.case.relapses += 1
        self._end_service("drop_out")

    def settle_closure(self, event: Any) -> None:
        closure = self.act.closure
        assert closure is not None  # closure_rule_met checked it
        self.case.closure_reason = closure
        self._end_service(SERVICE_AT_CLOSE[closure])
        live = self.case.live_referral
        if live is not None:  # sent or accepted, not started: the place is not needed
            fire_referral(self.case, live, "cancel")
            live.ended_at = self.act.now

    def clear_closure(self, event: Any) -> None:
        self.case.closure_reason = None

    def remember_state_before_lost(self, event: Any) -> None:
        self.case.state_before_lost = event.transition.source

    def found_again(self, event: Any) -> None:
        """Back where it was, with a fresh count of failed contacts: the old count would
        have the next check mark the case lost again the same night."""
        self.case.state_before_lost = None
        self.case.failed_contacts = 0

    def _end_service(self, referral_trigger: str) -> None:
        """Ends the started service, if any, and cancels the follow-ups not yet done."""
        live = self.case.live_referral
        if live is not None and live.state == referral_states.STARTED:
            fire_referral(self.case, live, referral_trigger)
            if live.state != referral_states.ONGOING_AT_CLOSE:  # else the course goes on
                live.ended_at = self.act.now
        for follow_up in self.case.scheduled_follow_ups():
            follow_up.state = FollowUpState.CANCELLED
        self.case.service_started_on = None


def _answer_time(case: Case, rules: CountryRules) -> timedelta:
    if case.priority is Priority.URGENT:
        return timedelta(hours=rules.deadlines.urgent_referral_hours)
    return timedelta(days=rules.deadlines.referral_answer_days)


def _referral_misfit(case: Case, act: Act) -> str | None:
    provider, district = act.provider, case.child.district
    if provider is None:
        return "cannot refer: a provider is required"
    service = act.rules.service_type(act.service_type)
    age = case.child.age_on(act.now.date())
    if not service.min_age <= age <= service.max_age:
        return (
            f"cannot refer to {service.label}: it is for ages {service.min_age}-"
            f"{service.max_age}, the child is {age}"
        )
    if not any(offer[0] == act.service_type for offer in provider.offers):
        return f"cannot refer: {provider.name} does not offer {service.label}"
    if provider.offers_in(act.service_type, district) or act.override_reason.strip():
        return None
    return (
        f"cannot refer: {provider.name} does not offer {service.label} in district "
        f"{district}; give an override reason to refer outside the child's district"
    )


def replay(history: list[HistoryEntry]) -> str:
    """The state the history leads to, checking every row against the table: the stored
    state must always be what the history says."""
    state = ""  # before the identification that opened the case
    for entry in history:
        if entry.from_state != state:
            raise ValueError(
                f"history row {entry.seq} starts from {entry.from_state!r}, not {state!r}"
            )
        if not _is_allowed(entry):
            raise ValueError(
                f"history row {entry.seq}: {entry.trigger} is not allowed by the table"
            )
        state = entry.to_state
    return state


def _is_allowed(entry: HistoryEntry) -> bool:
    if entry.trigger in CASE_LIFECYCLE.triggers:
        return CASE_LIFECYCLE.allows(entry.trigger, entry.from_state, entry.to_state)
    if entry.trigger == "identify":
        return entry.from_state == "" and entry.to_state == CASE_LIFECYCLE.initial
    return entry.from_state == entry.to_state  # an event that changed no state
