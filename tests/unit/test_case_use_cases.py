"""The use cases on the in-memory fakes: what a social worker can and cannot do, and why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clms.bootstrap import App
from clms.domain.errors import Conflict, InvalidInput, NotFound, Refused
from clms.domain.model import Actor, AlternativeStatus, Category, ClosureReason, Role
from clms.domain.status import what_is_due
from clms.ports import CaseQuery
from clms.services import cases as s
from clms.services import commands as c
from clms.services.cases import index_of
from tests.builders import (
    DAY,
    NOW,
    SOCIAL_WORKER,
    SUPERVISOR,
    child,
    close,
    identified,
    in_service,
    referred,
    seen,
    visit,
)
from tests.fakes import FakeUnitOfWork

HARVEST = "cotton_harvesting"  # hazardous at 12: a case of child labour
WRONG_SCHOOL = "wrong school: the family lives in Atakent"


@pytest.fixture
def app(fake_app: App) -> App:
    """Every test here works on the in-memory fakes."""
    return fake_app


def test_an_identification_opens_a_case_with_its_classification_and_one_history_row(
    app: App,
) -> None:
    number = identified(app, "sub-0", HARVEST)
    case = app.handle(c.GetCase(number))
    assert (case.state, case.category, case.version) == ("identified", Category.HAZARDOUS, 0)
    assert [(h.trigger, h.from_state, h.to_state, h.actor) for h in case.history] == [
        ("identify", "", "identified", "inspector.b")
    ]


def test_the_same_submission_sent_twice_creates_one_identification(app: App) -> None:
    first = app.handle(c.Identify(child(), seen("form-7", "weeding"), NOW))
    again = app.handle(c.Identify(child(), seen("form-7", "weeding"), NOW + DAY))
    assert (again.case_number, again.outcome) == (first.case_number, "already recorded")
    assert len(app.handle(c.GetCase(first.case_number)).identifications) == 1


def test_a_child_seen_again_under_a_transliterated_name_is_attached_to_the_open_case(
    app: App,
) -> None:
    first = identified(app, "sub-0", "weeding", who=child("Айгерім", "Сапарова"))
    again = app.handle(c.Identify(child("Aigerim", "Saparova"), seen("other", "trafficking"), NOW))
    assert (again.case_number, again.outcome) == (first, "attached")
    case = app.handle(c.GetCase(first))
    assert case.category is Category.WORST_FORM  # the worse finding raises the case
    assert case.history[-1].data["category_raised_from"] == "below_minimum_age"


def test_a_child_with_the_same_name_in_another_district_gets_a_case_of_their_own(app: App) -> None:
    first = identified(app, "sub-0", HARVEST)
    other = identified(app, "sub-1", HARVEST, who=child(district="KZ-ALA-ALT"))
    assert first != other


def test_a_worst_form_must_be_referred_within_24_hours(app: App) -> None:
    number = identified(app, "sub-0", "forced_begging")
    case = app.handle(c.Assess(number, SOCIAL_WORKER, NOW + timedelta(hours=3)))
    assert index_of(case, app.rules).next_action_due == NOW + timedelta(hours=24)


def test_a_transition_from_the_wrong_state_is_refused_with_what_is_allowed_now(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    with pytest.raises(Refused) as refused:
        app.handle(c.StartService(number, SOCIAL_WORKER, NOW))
    assert refused.value.message == (
        "cannot start service a case that is identified (allowed now: assess, screen_out, close, mark_lost)"
    )


def test_a_refused_action_changes_nothing(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    before = app.handle(c.GetCase(number))
    with pytest.raises(Refused):
        app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-ALM", service_type="school"))
    assert app.handle(c.GetCase(number)) == before


def test_a_referral_outside_the_providers_district_needs_an_override_reason(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    with pytest.raises(
        Refused, match="does not offer general school in district KZ-TUR-MAK; give an override"
    ):
        app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-ALM", service_type="school"))
    override = c.Refer(
        number,
        SOCIAL_WORKER,
        NOW,
        provider="SCH-ALM",
        service_type="school",
        override_reason="family moving to Almaty",
    )
    case = app.handle(override)
    assert case.referrals[0].override_reason == "family moving to Almaty"
    assert case.history[-1].data["override_reason"] == "family moving to Almaty"


def test_vocational_training_is_refused_for_a_child_under_14(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)  # born 2013: 12 at NOW
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    refer = c.Refer(
        number, SOCIAL_WORKER, NOW, provider="VOC-1", service_type="vocational_training"
    )
    with pytest.raises(Refused, match="it is for ages 14-17, the child is 12"):
        app.handle(refer)


@pytest.mark.parametrize(
    ("provider", "service", "error"),
    [("NOPE", "school", NotFound), ("SCH-12", "circus", InvalidInput)],
)
def test_an_unknown_provider_or_service_type_is_refused(
    app: App, provider: str, service: str, error: type
) -> None:
    number = identified(app, "sub-0", HARVEST)
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    with pytest.raises(error):
        app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider=provider, service_type=service))


def test_a_declined_referral_leaves_the_case_needing_a_new_one(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"))
    with pytest.raises(Refused, match="is still sent; record its answer"):
        app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"))
    case = app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW, "no places", accepted=False))
    assert index_of(case, app.rules).alternative_status is AlternativeStatus.NONE
    case = app.handle(
        c.Refer(
            number, SOCIAL_WORKER, NOW + DAY, provider="VOC-1", service_type="non_formal_education"
        )
    )
    assert [r.state for r in case.referrals] == ["declined", "sent"]


@pytest.mark.parametrize("answered", [False, True], ids=["sent", "accepted"])
def test_a_referral_to_the_wrong_place_is_cancelled_with_its_reason_and_needs_a_new_one(
    app: App, answered: bool
) -> None:
    number = referred(app, identified(app, "sub-0", HARVEST))
    if answered:
        app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY))
    case = app.handle(c.CancelReferral(number, SOCIAL_WORKER, NOW + 2 * DAY, WRONG_SCHOOL))
    assert (case.state, case.live_referral) == ("referred", None)
    assert (case.referrals[0].state, case.referrals[0].ended_at) == ("cancelled", NOW + 2 * DAY)
    entry = case.history[-1]
    assert (entry.trigger, entry.reason, entry.actor) == (
        "cancel_referral",
        WRONG_SCHOOL,
        "aigul.s",
    )
    assert entry.data == {"provider": "SCH-12", "service_type": "school"}
    index = index_of(case, app.rules)  # needs a referral within 14 days of the cancelling
    assert index.alternative_status is AlternativeStatus.NONE
    assert index.next_action_due == NOW + 16 * DAY
    assert s.history_is_consistent(case)


def test_a_referral_is_not_cancelled_without_a_reason_and_nothing_changes(app: App) -> None:
    number = referred(app, identified(app, "sub-0", HARVEST))
    before = app.handle(c.GetCase(number))
    with pytest.raises(InvalidInput) as refused:
        app.handle(c.CancelReferral(number, SOCIAL_WORKER, NOW + DAY, "  "))
    assert refused.value.field == "reason"
    assert app.handle(c.GetCase(number)) == before


def test_a_started_service_is_not_cancelled_as_a_referral(app: App) -> None:
    number = in_service(app, identified(app, "sub-0", HARVEST))
    with pytest.raises(Refused) as refused:
        app.handle(c.CancelReferral(number, SOCIAL_WORKER, NOW + 3 * DAY, WRONG_SCHOOL))
    assert refused.value.message.startswith("cannot cancel referral a case that is in service")
    assert refused.value.allowed_now == ["relapse", "close", "mark_lost"]
    assert app.handle(c.GetCase(number)).referrals[0].state == "started"


def test_without_a_live_referral_there_is_nothing_to_cancel(app: App) -> None:
    number = referred(app, identified(app, "sub-0", HARVEST))
    app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY, "no places", accepted=False))
    with pytest.raises(Refused, match="no live referral; the last one, to SCH-12, is declined"):
        app.handle(c.CancelReferral(number, SOCIAL_WORKER, NOW + 2 * DAY, WRONG_SCHOOL))


def test_answering_a_referral_twice_is_refused_naming_what_the_case_allows(app: App) -> None:
    number = referred(app, identified(app, "sub-0", HARVEST))
    app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY))
    with pytest.raises(Refused) as refused:
        app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY, accepted=False))
    assert refused.value.message.startswith("cannot decline a referral that is accepted")
    assert "cancel_referral" in refused.value.allowed_now  # the case's triggers, not the referral's


def test_service_start_schedules_follow_ups_from_the_policy(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    in_service(app, number)
    case = app.handle(c.GetCase(number))
    assert [f.due_on for f in case.follow_ups] == [
        date(2026, 4, 2),
        date(2026, 6, 1),
        date(2026, 8, 30),
    ]
    assert index_of(case, app.rules).alternative_status is AlternativeStatus.PENDING


def test_a_service_cannot_start_before_the_referral_is_accepted(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"))
    with pytest.raises(Refused, match="the referral is sent, not accepted"):
        app.handle(c.StartService(number, SOCIAL_WORKER, NOW, started_on=NOW.date()))


def test_a_follow_up_dated_before_the_service_start_is_refused(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    in_service(app, number)
    with pytest.raises(InvalidInput) as refused:
        visit(app, number, date(2026, 3, 1))
    assert refused.value.field == "visited_on"


def test_closing_as_withdrawn_says_how_far_the_rule_is_from_being_met(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    in_service(app, number)
    visit(app, number, date(2026, 4, 2))
    with pytest.raises(Refused) as refused:
        close(app, number, ClosureReason.WITHDRAWN, date(2026, 4, 5))
    assert refused.value.message.startswith(
        "cannot close as withdrawn: needs another satisfactory follow-up, the last on or after "
        "2026-07-01 (1 of 2 in a row since 2026-04-02; the first and the last 90 days apart)"
    )


def test_two_satisfactory_follow_ups_90_days_apart_withdraw_the_child(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    in_service(app, number)
    visit(app, number, date(2026, 4, 2))
    with pytest.raises(
        Refused, match="another satisfactory follow-up, the last on or after 2026-07"
    ):
        visit(app, number, date(2026, 6, 1))
        close(app, number, ClosureReason.WITHDRAWN, date(2026, 6, 1))
    visit(app, number, date(2026, 7, 1))
    case = close(app, number, ClosureReason.WITHDRAWN, date(2026, 7, 1))
    assert (case.state, case.closure_reason) == ("closed", ClosureReason.WITHDRAWN)
    assert index_of(case, app.rules).alternative_status is AlternativeStatus.VERIFIED
    assert case.referrals[0].state == "completed"
    assert [f.state.value for f in case.follow_ups] == ["done", "done", "done"]


def test_an_unsatisfactory_follow_up_breaks_the_run_of_satisfactory_ones(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    in_service(app, number)
    visit(app, number, date(2026, 4, 2))
    visit(app, number, date(2026, 6, 1), attending=False)
    case = visit(app, number, date(2026, 8, 30))
    assert index_of(case, app.rules).alternative_status is AlternativeStatus.SATISFACTORY
    with pytest.raises(Refused, match="1 of 2 in a row since 2026-08-30"):
        close(app, number, ClosureReason.WITHDRAWN, date(2026, 8, 30))


def test_a_child_found_working_again_relapses_to_assessment_and_is_counted(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    in_service(app, number)
    case = visit(app, number, date(2026, 4, 2), working=True)
    assert (case.state, case.relapses) == ("assessed", 1)
    assert [h.trigger for h in case.history[-2:]] == ["record_follow_up", "relapse"]
    assert case.referrals[0].state == "dropped_out"
    assert [f.state.value for f in case.follow_ups] == ["done", "cancelled", "cancelled"]


def test_an_at_risk_child_is_prevented_after_a_service_and_one_satisfactory_follow_up(
    app: App,
) -> None:
    number = app.handle(c.Identify(child(), seen("r", in_school=False), NOW)).case_number
    in_service(app, number)
    with pytest.raises(Refused, match="cannot close as prevented: 0 of 1 satisfactory follow-ups"):
        close(app, number, ClosureReason.PREVENTED, date(2026, 3, 5))
    visit(app, number, date(2026, 4, 2))
    assert close(app, number, ClosureReason.PREVENTED, date(2026, 4, 2)).state == "closed"


def test_a_child_labourer_cannot_be_closed_as_prevented(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    with pytest.raises(
        Refused, match="the child was in child labour .hazardous.; close as withdrawn"
    ):
        close(app, number, ClosureReason.PREVENTED, NOW.date())


def test_closing_as_aged_out_waits_for_the_18th_birthday(app: App) -> None:
    number = identified(app, "sub-0", HARVEST, who=child(born=date(2008, 6, 1)))
    with pytest.raises(Refused, match="the child is 17, not yet 18"):
        close(app, number, ClosureReason.AGED_OUT, date(2026, 5, 31))
    assert close(app, number, ClosureReason.AGED_OUT, date(2026, 6, 1)).state == "closed"


def in_vocational_training(app: App, number: str) -> str:
    """Referred to the agrarian college's course on NOW, accepted, started the next day."""
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider="VOC-1",
                       service_type="vocational_training"))  # fmt: skip
    app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW))
    app.handle(c.StartService(number, SOCIAL_WORKER, NOW + DAY, started_on=(NOW + DAY).date()))
    return number


def test_a_young_person_aged_out_keeps_the_course_they_still_attend(app: App) -> None:
    number = identified(app, "sub-0", HARVEST, who=child(born=date(2008, 6, 1)))
    in_vocational_training(app, number)
    visit(app, number, date(2026, 4, 2))
    case = close(app, number, ClosureReason.AGED_OUT, date(2026, 6, 1))
    course = case.referrals[0]
    assert (case.state, course.state, course.ended_at) == ("closed", "ongoing_at_close", None)
    assert case.live_referral is None  # the case is closed: nothing is chased any more
    assert [f.state.value for f in case.follow_ups] == ["done", "cancelled", "cancelled"]
    assert s.history_is_consistent(case)


def test_a_child_who_moved_away_has_dropped_out_of_the_service(app: App) -> None:
    number = identified(app, "sub-0", HARVEST, who=child(born=date(2008, 6, 1)))
    in_vocational_training(app, number)
    case = close(app, number, ClosureReason.MOVED, date(2026, 6, 1), reason="moved to Almaty")
    assert case.referrals[0].state == "dropped_out"


def test_closing_for_another_reason_needs_a_supervisor_and_a_reason(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    with pytest.raises(Refused, match="cannot close as other: needs a supervisor"):
        close(app, number, ClosureReason.OTHER, NOW.date(), reason="family refuses")
    with pytest.raises(Refused, match="cannot close as other: a reason is required"):
        close(app, number, ClosureReason.OTHER, NOW.date(), actor=SUPERVISOR)
    assert (
        close(app, number, ClosureReason.OTHER, NOW.date(), SUPERVISOR, "family refuses").state
        == "closed"
    )


def test_reopening_needs_a_supervisor_and_returns_to_assessment(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    close(app, number, ClosureReason.MOVED, NOW.date(), reason="family moved to Shymkent")
    with pytest.raises(Refused, match="cannot reopen: needs a supervisor"):
        app.handle(c.Reopen(number, SOCIAL_WORKER, NOW + DAY))
    case = app.handle(c.Reopen(number, SUPERVISOR, NOW + DAY, "family came back"))
    assert (case.state, case.closure_reason) == ("assessed", None)


@pytest.mark.parametrize("prepare", ["identified", "assessed", "in_service"])
def test_a_lost_case_resumes_where_it_was(app: App, prepare: str) -> None:
    number = identified(app, "sub-0", HARVEST)
    if prepare == "assessed":
        app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    if prepare == "in_service":
        in_service(app, number)
    lost = app.handle(c.MarkLost(number, SOCIAL_WORKER, NOW + DAY, "not at home"))
    assert (lost.state, index_of(lost, app.rules).next_action_due) == ("lost_to_follow_up", None)
    assert app.handle(c.Resume(number, SOCIAL_WORKER, NOW + 2 * DAY)).state == prepare


def test_a_stale_version_is_refused_as_a_conflict(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW, expected_version=0))
    with pytest.raises(Conflict, match="at version 1, not 0"):
        app.handle(c.MarkLost(number, SOCIAL_WORKER, NOW, expected_version=0))
    assert app.handle(c.GetCase(number)).state == "assessed"


def test_a_worst_form_can_be_screened_out_only_by_a_supervisor(app: App) -> None:
    number = identified(app, "sub-0", "trafficking")
    with pytest.raises(Refused, match="needs a supervisor"):
        app.handle(c.ScreenOut(number, SOCIAL_WORKER, NOW))
    assert app.handle(c.ScreenOut(number, SUPERVISOR, NOW, "false report")).state == "screened_out"


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
    app: App, uow: FakeUnitOfWork, changes: dict, field: str
) -> None:  # type: ignore[type-arg]
    from dataclasses import replace

    with pytest.raises(InvalidInput) as refused:
        app.handle(c.Identify(replace(child(), **changes), seen("x", "weeding"), NOW))
    assert refused.value.field == field
    assert uow.cases.stored == {} and uow.commits == 0


def test_every_history_replays_to_the_stored_state(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    in_service(app, number)
    visit(app, number, date(2026, 4, 2), working=True)
    assert s.history_is_consistent(app.handle(c.GetCase(number)))


def test_the_actor_and_reason_of_every_change_are_in_the_history(app: App) -> None:
    number = identified(app, "sub-0", HARVEST)
    app.handle(c.Assess(number, Actor("dana", Role.SOCIAL_WORKER), NOW, "home visit done"))
    entry = app.handle(c.GetCase(number)).history[-1]
    assert (entry.actor, entry.role, entry.reason, entry.at) == (
        "dana",
        "social_worker",
        "home visit done",
        NOW,
    )


@pytest.mark.parametrize(
    "names",
    [
        [("محمد", "علي"), ("王伟", "李"), ("გიორგი", "ბერიძე"), ("?", "?")],
        [("Aigerim", "?"), ("Madina", "?")],  # twins whose surname the monitor could not write
        [("?", "Saparova"), ("?", "Saparova")],
    ],
)
def test_children_whose_names_the_matching_key_cannot_read_are_never_merged(
    app: App, names: list[tuple[str, str]]
) -> None:
    numbers = {
        app.handle(c.Identify(child(first, last), seen(f"sub-{i}", "weeding"), NOW)).case_number
        for i, (first, last) in enumerate(names)
    }
    assert len(numbers) == len(names)  # same district, same birth date: still one case each


def test_a_follow_up_without_its_outcome_is_refused_naming_it_and_records_nothing(
    app: App,
) -> None:
    number = in_service(app, identified(app, "sub-0", HARVEST))
    before = app.handle(c.GetCase(number))
    on = date(2026, 4, 2)
    at = NOW + 31 * DAY
    for said, missing in (({}, "attending"), ({"attending": True}, "working")):
        command = c.RecordFollowUp(number, SOCIAL_WORKER, at, visited_on=on, **said)
        with pytest.raises(InvalidInput, match=f"whether the child is {missing}") as refused:
            app.handle(command)
        assert refused.value.field == missing
    assert app.handle(c.GetCase(number)) == before


def test_a_visit_fills_the_follow_up_nearest_its_date(app: App) -> None:
    number = in_service(app, identified(app, "sub-0", HARVEST))  # due 2 Apr, 1 Jun, 30 Aug
    case = visit(app, number, date(2026, 5, 28))  # nearest the June visit, not April's
    done = {f.due_on: f.done_on for f in case.follow_ups}
    assert done == {date(2026, 4, 2): None, date(2026, 6, 1): date(2026, 5, 28),
                    date(2026, 8, 30): None}  # fmt: skip


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (CaseQuery(state="asessed"), "state"),
        (CaseQuery(priority="high"), "priority"),
        (CaseQuery(district="KZ-TUR-XXX"), "district"),
    ],
)
def test_an_unknown_list_filter_is_refused_naming_the_known_values(
    app: App, query: CaseQuery, field: str
) -> None:
    identified(app, "sub-0", HARVEST)  # a typo must not read as "no such cases"
    with pytest.raises(InvalidInput, match="known: |one of: ") as refused:
        app.handle(c.ListCases(query))
    assert refused.value.field == field


def test_an_unknown_reminder_status_is_refused_naming_the_known_ones(app: App) -> None:
    with pytest.raises(InvalidInput, match="one of: pending, sent, dead, task") as refused:
        app.handle(c.ListReminders("sending"))
    assert refused.value.field == "status"


def test_a_submission_id_reused_for_another_observation_is_refused_and_writes_nothing(
    app: App,
) -> None:
    number = identified(app, "sub-1", "weeding")
    with pytest.raises(InvalidInput, match="recorded with other details") as refused:
        identified(app, "sub-1", "cotton_harvesting")
    assert refused.value.field == "submission_id"
    assert len(app.handle(c.GetCase(number)).identifications) == 1
    assert identified(app, "sub-1", "weeding") == number  # the same form again: a retry


def test_what_is_due_names_the_duty_and_who_owes_it_through_a_cases_life(app: App) -> None:
    def due(number: str) -> tuple[str, str] | None:
        found = what_is_due(app.handle(c.GetCase(number)), app.rules)
        return (found.action.value, found.by) if found else None

    number = identified(app, "sub-0", HARVEST)
    assert due(number) == ("assess", "social_worker")
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    assert due(number) == ("refer", "social_worker")
    app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"))
    assert due(number) == ("answer_referral", "SCH-12")
    app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY, accepted=True))
    assert due(number) == ("start_service", "SCH-12")
    app.handle(c.StartService(number, SOCIAL_WORKER, NOW + DAY, started_on=date(2026, 3, 3)))
    assert due(number) == ("follow_up_visit", "social_worker")
    app.handle(c.MarkLost(number, SOCIAL_WORKER, NOW + 2 * DAY, "moved away"))
    assert due(number) is None
