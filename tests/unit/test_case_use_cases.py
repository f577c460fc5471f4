"""The use cases on the in-memory fakes: what a social worker can and cannot do, and why."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from clms.domain.errors import Conflict, InvalidInput, NotFound, Refused
from clms.domain.model import Actor, AlternativeStatus, Category, ClosureReason, Role
from clms.domain.rules import CountryRules
from clms.services import cases as s
from clms.services import commands as c
from clms.services.cases import index_of
from tests.conftest import NOW, SOCIAL_WORKER, SUPERVISOR, child, seen
from tests.fakes import FakeUnitOfWork

DAY = timedelta(days=1)


def open_case(
    uow: FakeUnitOfWork, kz: CountryRules, *activities: str, who=None, **facts: object
) -> str:  # type: ignore[no-untyped-def]
    observation = seen(
        f"sub-{len(uow.cases.stored)}", *(activities or ("cotton_harvesting",)), **facts
    )
    return s.identify(c.Identify(who or child(), observation, NOW), uow, kz).case_number


def in_service(
    uow: FakeUnitOfWork, kz: CountryRules, number: str, started: date = date(2026, 3, 3)
) -> None:
    s.assess(c.Assess(number, SOCIAL_WORKER, NOW), uow, kz)
    s.refer(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"), uow, kz)
    s.answer_referral(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY), uow, kz)
    s.start_service(
        c.StartService(number, SOCIAL_WORKER, NOW + 2 * DAY, started_on=started), uow, kz
    )


def visit(uow: FakeUnitOfWork, kz: CountryRules, number: str, on: date, **outcome: bool):  # type: ignore[no-untyped-def]
    at = datetime.combine(on, NOW.timetz())
    return s.record_follow_up(
        c.RecordFollowUp(number, SOCIAL_WORKER, at, visited_on=on, **outcome), uow, kz
    )


def close(
    uow: FakeUnitOfWork,
    kz: CountryRules,
    number: str,
    closure: ClosureReason,
    on: date,
    actor: Actor = SOCIAL_WORKER,
    reason: str = "",
):  # type: ignore[no-untyped-def]
    at = datetime.combine(on, NOW.timetz())
    return s.close(c.Close(number, actor, at, reason, closure=closure), uow, kz)


def test_an_identification_opens_a_case_with_its_classification_and_one_history_row(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    case = s.get_case(number, uow)
    assert (case.state, case.category, case.version) == ("identified", Category.HAZARDOUS, 0)
    assert [(h.trigger, h.from_state, h.to_state, h.actor) for h in case.history] == [
        ("identify", "", "identified", "inspector.b")
    ]


def test_the_same_submission_sent_twice_creates_one_identification(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    first = s.identify(c.Identify(child(), seen("form-7", "weeding"), NOW), uow, kz)
    again = s.identify(c.Identify(child(), seen("form-7", "weeding"), NOW + DAY), uow, kz)
    assert (again.case_number, again.outcome) == (first.case_number, "already recorded")
    assert len(s.get_case(first.case_number, uow).identifications) == 1


def test_a_child_seen_again_under_a_transliterated_name_is_attached_to_the_open_case(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    first = open_case(uow, kz, "weeding", who=child("Айгерім", "Сапарова"))
    again = s.identify(
        c.Identify(child("Aigerim", "Saparova"), seen("other", "trafficking"), NOW), uow, kz
    )
    assert (again.case_number, again.outcome) == (first, "attached")
    case = s.get_case(first, uow)
    assert case.category is Category.WORST_FORM  # the worse finding raises the case
    assert case.history[-1].data["category_raised_from"] == "below_minimum_age"


def test_a_child_with_the_same_name_in_another_district_gets_a_case_of_their_own(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    first = open_case(uow, kz)
    other = open_case(uow, kz, who=child(district="KZ-ALA-ALT"))
    assert first != other


def test_a_worst_form_must_be_referred_within_24_hours(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz, "forced_begging")
    case = s.assess(c.Assess(number, SOCIAL_WORKER, NOW + timedelta(hours=3)), uow, kz)
    assert index_of(case, kz).next_action_due == NOW + timedelta(hours=24)


def test_a_transition_from_the_wrong_state_is_refused_with_what_is_allowed_now(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    with pytest.raises(Refused) as refused:
        s.start_service(c.StartService(number, SOCIAL_WORKER, NOW), uow, kz)
    assert refused.value.message == (
        "cannot start service a case that is identified (allowed now: assess, screen_out, close, mark_lost)"
    )


def test_a_refused_action_changes_nothing(uow: FakeUnitOfWork, kz: CountryRules) -> None:
    number = open_case(uow, kz)
    s.assess(c.Assess(number, SOCIAL_WORKER, NOW), uow, kz)
    before = s.get_case(number, uow)
    with pytest.raises(Refused):
        s.refer(
            c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-ALM", service_type="school"), uow, kz
        )
    assert s.get_case(number, uow) == before


def test_a_referral_outside_the_providers_district_needs_an_override_reason(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    s.assess(c.Assess(number, SOCIAL_WORKER, NOW), uow, kz)
    with pytest.raises(
        Refused, match="does not offer general school in district KZ-TUR-MAK; give an override"
    ):
        s.refer(
            c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-ALM", service_type="school"), uow, kz
        )
    override = c.Refer(
        number,
        SOCIAL_WORKER,
        NOW,
        provider="SCH-ALM",
        service_type="school",
        override_reason="family moving to Almaty",
    )
    case = s.refer(override, uow, kz)
    assert case.referrals[0].override_reason == "family moving to Almaty"
    assert case.history[-1].data["override_reason"] == "family moving to Almaty"


def test_vocational_training_is_refused_for_a_child_under_14(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)  # born 2013: 12 at NOW
    s.assess(c.Assess(number, SOCIAL_WORKER, NOW), uow, kz)
    refer = c.Refer(
        number, SOCIAL_WORKER, NOW, provider="VOC-1", service_type="vocational_training"
    )
    with pytest.raises(Refused, match="it is for ages 14-17, the child is 12"):
        s.refer(refer, uow, kz)


@pytest.mark.parametrize(
    ("provider", "service", "error"),
    [("NOPE", "school", NotFound), ("SCH-12", "circus", InvalidInput)],
)
def test_an_unknown_provider_or_service_type_is_refused(
    uow: FakeUnitOfWork, kz: CountryRules, provider: str, service: str, error: type
) -> None:
    number = open_case(uow, kz)
    s.assess(c.Assess(number, SOCIAL_WORKER, NOW), uow, kz)
    with pytest.raises(error):
        s.refer(
            c.Refer(number, SOCIAL_WORKER, NOW, provider=provider, service_type=service), uow, kz
        )


def test_a_declined_referral_leaves_the_case_needing_a_new_one(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    s.assess(c.Assess(number, SOCIAL_WORKER, NOW), uow, kz)
    s.refer(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"), uow, kz)
    with pytest.raises(Refused, match="is still sent; record its answer"):
        s.refer(
            c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"), uow, kz
        )
    case = s.answer_referral(
        c.AnswerReferral(number, SOCIAL_WORKER, NOW, "no places", accepted=False), uow, kz
    )
    assert index_of(case, kz).alternative_status is AlternativeStatus.NONE
    case = s.refer(
        c.Refer(
            number, SOCIAL_WORKER, NOW + DAY, provider="VOC-1", service_type="non_formal_education"
        ),
        uow,
        kz,
    )
    assert [r.state for r in case.referrals] == ["declined", "sent"]


def test_service_start_schedules_follow_ups_from_the_policy(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    in_service(uow, kz, number)
    case = s.get_case(number, uow)
    assert [f.due_on for f in case.follow_ups] == [
        date(2026, 4, 2),
        date(2026, 6, 1),
        date(2026, 8, 30),
    ]
    assert index_of(case, kz).alternative_status is AlternativeStatus.PENDING


def test_a_service_cannot_start_before_the_referral_is_accepted(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    s.assess(c.Assess(number, SOCIAL_WORKER, NOW), uow, kz)
    s.refer(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"), uow, kz)
    with pytest.raises(Refused, match="the referral is sent, not accepted"):
        s.start_service(c.StartService(number, SOCIAL_WORKER, NOW, started_on=NOW.date()), uow, kz)


def test_a_follow_up_dated_before_the_service_start_is_refused(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    in_service(uow, kz, number)
    with pytest.raises(InvalidInput) as refused:
        visit(uow, kz, number, date(2026, 3, 1))
    assert refused.value.field == "visited_on"


def test_closing_as_withdrawn_says_how_far_the_rule_is_from_being_met(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    in_service(uow, kz, number)
    visit(uow, kz, number, date(2026, 4, 2))
    with pytest.raises(Refused) as refused:
        close(uow, kz, number, ClosureReason.WITHDRAWN, date(2026, 4, 5))
    assert refused.value.message.startswith(
        "cannot close as withdrawn: 1 of 2 consecutive satisfactory follow-ups, 0 of 90 days"
    )


def test_two_satisfactory_follow_ups_90_days_apart_withdraw_the_child(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    in_service(uow, kz, number)
    visit(uow, kz, number, date(2026, 4, 2))
    with pytest.raises(Refused, match="2 of 2 consecutive satisfactory follow-ups, 60 of 90 days"):
        visit(uow, kz, number, date(2026, 6, 1))
        close(uow, kz, number, ClosureReason.WITHDRAWN, date(2026, 6, 1))
    visit(uow, kz, number, date(2026, 7, 1))
    case = close(uow, kz, number, ClosureReason.WITHDRAWN, date(2026, 7, 1))
    assert (case.state, case.closure_reason) == ("closed", ClosureReason.WITHDRAWN)
    assert index_of(case, kz).alternative_status is AlternativeStatus.VERIFIED
    assert case.referrals[0].state == "completed"
    assert [f.state.value for f in case.follow_ups] == ["done", "done", "done"]


def test_an_unsatisfactory_follow_up_breaks_the_run_of_satisfactory_ones(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    in_service(uow, kz, number)
    visit(uow, kz, number, date(2026, 4, 2))
    visit(uow, kz, number, date(2026, 6, 1), attending=False)
    case = visit(uow, kz, number, date(2026, 8, 30))
    assert index_of(case, kz).alternative_status is AlternativeStatus.SATISFACTORY
    with pytest.raises(Refused, match="1 of 2 consecutive"):
        close(uow, kz, number, ClosureReason.WITHDRAWN, date(2026, 8, 30))


def test_a_child_found_working_again_relapses_to_assessment_and_is_counted(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    in_service(uow, kz, number)
    case = visit(uow, kz, number, date(2026, 4, 2), working=True)
    assert (case.state, case.relapses) == ("assessed", 1)
    assert [h.trigger for h in case.history[-2:]] == ["record_follow_up", "relapse"]
    assert case.referrals[0].state == "dropped_out"
    assert [f.state.value for f in case.follow_ups] == ["done", "cancelled", "cancelled"]


def test_an_at_risk_child_is_prevented_after_a_service_and_one_satisfactory_follow_up(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = s.identify(c.Identify(child(), seen("r", in_school=False), NOW), uow, kz).case_number
    in_service(uow, kz, number)
    with pytest.raises(Refused, match="cannot close as prevented: 0 of 1 satisfactory follow-ups"):
        close(uow, kz, number, ClosureReason.PREVENTED, date(2026, 3, 5))
    visit(uow, kz, number, date(2026, 4, 2))
    assert close(uow, kz, number, ClosureReason.PREVENTED, date(2026, 4, 2)).state == "closed"


def test_a_child_labourer_cannot_be_closed_as_prevented(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    with pytest.raises(
        Refused, match="the child was in child labour .hazardous.; close as withdrawn"
    ):
        close(uow, kz, number, ClosureReason.PREVENTED, NOW.date())


def test_closing_as_aged_out_waits_for_the_18th_birthday(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz, who=child(born=date(2008, 6, 1)))
    with pytest.raises(Refused, match="the child is 17, not yet 18"):
        close(uow, kz, number, ClosureReason.AGED_OUT, date(2026, 5, 31))
    assert close(uow, kz, number, ClosureReason.AGED_OUT, date(2026, 6, 1)).state == "closed"


def test_closing_for_another_reason_needs_a_supervisor_and_a_reason(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    with pytest.raises(Refused, match="cannot close as other: needs a supervisor"):
        close(uow, kz, number, ClosureReason.OTHER, NOW.date(), reason="family refuses")
    with pytest.raises(Refused, match="cannot close as other: a reason is required"):
        close(uow, kz, number, ClosureReason.OTHER, NOW.date(), actor=SUPERVISOR)
    assert (
        close(uow, kz, number, ClosureReason.OTHER, NOW.date(), SUPERVISOR, "family refuses").state
        == "closed"
    )


def test_reopening_needs_a_supervisor_and_returns_to_assessment(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    close(uow, kz, number, ClosureReason.MOVED, NOW.date(), reason="family moved to Shymkent")
    with pytest.raises(Refused, match="cannot reopen: needs a supervisor"):
        s.reopen(c.Reopen(number, SOCIAL_WORKER, NOW + DAY), uow, kz)
    case = s.reopen(c.Reopen(number, SUPERVISOR, NOW + DAY, "family came back"), uow, kz)
    assert (case.state, case.closure_reason) == ("assessed", None)


@pytest.mark.parametrize("prepare", ["identified", "assessed", "in_service"])
def test_a_lost_case_resumes_where_it_was(
    uow: FakeUnitOfWork, kz: CountryRules, prepare: str
) -> None:
    number = open_case(uow, kz)
    if prepare == "assessed":
        s.assess(c.Assess(number, SOCIAL_WORKER, NOW), uow, kz)
    if prepare == "in_service":
        in_service(uow, kz, number)
    lost = s.mark_lost(c.MarkLost(number, SOCIAL_WORKER, NOW + DAY, "not at home"), uow, kz)
    assert (lost.state, index_of(lost, kz).next_action_due) == ("lost_to_follow_up", None)
    assert s.resume(c.Resume(number, SOCIAL_WORKER, NOW + 2 * DAY), uow, kz).state == prepare


def test_a_stale_version_is_refused_as_a_conflict(uow: FakeUnitOfWork, kz: CountryRules) -> None:
    number = open_case(uow, kz)
    s.assess(c.Assess(number, SOCIAL_WORKER, NOW, expected_version=0), uow, kz)
    with pytest.raises(Conflict, match="at version 1, not 0"):
        s.mark_lost(c.MarkLost(number, SOCIAL_WORKER, NOW, expected_version=0), uow, kz)
    assert s.get_case(number, uow).state == "assessed"


def test_a_worst_form_can_be_screened_out_only_by_a_supervisor(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz, "trafficking")
    with pytest.raises(Refused, match="needs a supervisor"):
        s.screen_out(c.ScreenOut(number, SOCIAL_WORKER, NOW), uow, kz)
    assert (
        s.screen_out(c.ScreenOut(number, SUPERVISOR, NOW, "false report"), uow, kz).state
        == "screened_out"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"district": "KZ-XXX"}, "district"),
        ({"birth_date": date(2027, 1, 1)}, "birth_date"),
        ({"birth_date": date(2000, 1, 1)}, "age"),
        ({"first_name": " "}, "name"),
    ],
)
def test_a_bad_identification_is_refused_naming_the_field_and_writes_nothing(
    uow: FakeUnitOfWork, kz: CountryRules, changes: dict, field: str
) -> None:  # type: ignore[type-arg]
    from dataclasses import replace

    with pytest.raises(InvalidInput) as refused:
        s.identify(c.Identify(replace(child(), **changes), seen("x", "weeding"), NOW), uow, kz)
    assert refused.value.field == field
    assert uow.cases.stored == {} and uow.commits == 0


def test_every_history_replays_to_the_stored_state(uow: FakeUnitOfWork, kz: CountryRules) -> None:
    number = open_case(uow, kz)
    in_service(uow, kz, number)
    visit(uow, kz, number, date(2026, 4, 2), working=True)
    assert s.history_is_consistent(s.get_case(number, uow))


def test_the_actor_and_reason_of_every_change_are_in_the_history(
    uow: FakeUnitOfWork, kz: CountryRules
) -> None:
    number = open_case(uow, kz)
    s.assess(c.Assess(number, Actor("dana", Role.SOCIAL_WORKER), NOW, "home visit done"), uow, kz)
    entry = s.get_case(number, uow).history[-1]
    assert (entry.actor, entry.role, entry.reason, entry.at) == (
        "dana",
        "social_worker",
        "home visit done",
        NOW,
    )
