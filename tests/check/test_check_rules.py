"""The daily check's rules on real databases (SQLite and PostgreSQL): each finds the cases
it should, tells the right person by the right channel, and never twice."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from clms.bootstrap import App
from clms.cli.rendering import case_dict
from clms.domain.check import CheckRule
from clms.domain.errors import Refused
from clms.domain.model import AlternativeStatus, ClosureReason
from clms.ports import CaseQuery, StaffMember
from clms.services import cases as s
from clms.services import commands as c
from clms.services.check import SYSTEM
from tests.builders import (
    DAY,
    NOW,
    SCHOOL,
    SOCIAL_WORKER,
    add_contacts,
    child,
    close,
    identified,
    in_service,
    referred,
    reminders_of,
    rules_of,
    run_check,
    visit,
)


@pytest.fixture
def app_with_contacts(app: App) -> App:
    add_contacts(app)
    return app


def test_a_case_not_assessed_in_time_reminds_the_district_social_worker_by_sms(
    app_with_contacts: App,
) -> None:
    number = identified(app_with_contacts, "a")
    assert run_check(app_with_contacts, NOW + 6 * DAY).get("not_assessed", 0) == 0
    run_check(app_with_contacts, NOW + 8 * DAY)
    [reminder] = reminders_of(app_with_contacts, number)
    assert (reminder.rule, reminder.channel, reminder.address, reminder.recipient) == (
        "not_assessed",
        "sms",
        "+77010000001",
        "Aizhan M.",
    )
    assert reminder.key == f"{number}:not_assessed:2026-03-09"
    assert (
        "Айгерім" not in reminder.body and number in reminder.body
    )  # staff get the number, not the name


def test_an_urgent_case_past_24_hours_goes_to_the_regional_supervisor(
    app_with_contacts: App,
) -> None:
    number = identified(app_with_contacts, "u", "trafficking")
    at_once = ["urgent_found", "urgent_found_supervisor"]  # told when identified
    run_check(app_with_contacts, NOW + timedelta(hours=23))
    assert rules_of(app_with_contacts, number) == at_once
    run_check(app_with_contacts, NOW + timedelta(hours=25))
    [reminder] = reminders_of(app_with_contacts, number)[2:]
    assert (reminder.rule, reminder.channel, reminder.address) == (
        "urgent_overdue",
        "email",
        "marat@mlsp.example.kz",
    )


def test_the_same_check_run_twice_writes_no_second_reminder(app_with_contacts: App) -> None:
    identified(app_with_contacts, "a", who=child(first="Мадина"))
    in_service(app_with_contacts, identified(app_with_contacts, "b"), provider="SCH-MAIL")
    run_check(app_with_contacts, NOW + 30 * DAY)
    first = _reminder_keys(app_with_contacts)
    run_check(app_with_contacts, NOW + 30 * DAY)
    assert len(first) >= 2  # both cases were reminded about: there was something to repeat
    assert _reminder_keys(app_with_contacts) == first
    with app_with_contacts.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM answer_tokens")).scalar_one() == 1


def _reminder_keys(app: App) -> list[str]:
    return sorted(r.key for r in app.handle(c.ListReminders(None, 10_000)))


def test_the_school_is_asked_about_attendance_a_week_before_a_follow_up_with_a_link(
    app_with_contacts: App,
) -> None:
    number = in_service(
        app_with_contacts,
        identified(app_with_contacts, "s"),
        provider="SCH-MAIL",
        started=date(2026, 3, 3),
    )  # first follow-up due 2 April
    run_check(app_with_contacts, NOW + 22 * DAY)  # 24 March: 9 days before
    assert "attendance_check" not in rules_of(app_with_contacts, number)
    run_check(app_with_contacts, NOW + 25 * DAY)  # 27 March
    [reminder] = [
        r for r in reminders_of(app_with_contacts, number) if r.rule == "attendance_check"
    ]
    assert (reminder.channel, reminder.address) == ("email", "school3@edu.example.kz")
    assert "Айгерім С." in reminder.body and "http://127.0.0.1:8000/answer/" in reminder.body
    assert "Your social worker: Aizhan M., +77010000001." in reminder.body
    assert number not in reminder.subject + reminder.body
    assert (
        "cotton" not in reminder.body
        and "weeding" not in reminder.body
        and "Сапарова" not in reminder.body
    )


def test_a_school_with_its_own_system_gets_a_json_attendance_check_with_the_minimum_of_data(
    app_with_contacts: App,
) -> None:
    number = in_service(app_with_contacts, identified(app_with_contacts, "w"), provider="SCH-HOOK")
    run_check(app_with_contacts, NOW + 25 * DAY)
    [reminder] = [
        r for r in reminders_of(app_with_contacts, number) if r.rule == "attendance_check"
    ]
    assert reminder.channel == "webhook" and reminder.address == "http://127.0.0.1:9/attendance"
    assert set(reminder.payload) == {
        "type",
        "child",
        "social_worker",
        "follow_up_due",
        "answer_url",
        "answer_expires",
        "answers",
    }
    assert reminder.payload["child"] == "Айгерім С."
    assert reminder.payload["social_worker"] == "Aizhan M., +77010000001"
    assert number not in json.dumps(reminder.payload)  # the adapter adds an opaque reference


def test_a_school_is_told_whom_to_call_in_its_language_and_never_the_case_number(
    app_with_contacts: App,
) -> None:
    number = referred(app_with_contacts, identified(app_with_contacts, "r"), provider="SCH-MAIL")
    run_check(app_with_contacts, NOW + 8 * DAY)  # the referral is a day past its answer
    [reminder] = reminders_of(app_with_contacts, number)
    assert (reminder.rule, reminder.channel) == ("referral_unanswered", "email")
    assert reminder.body.startswith("Hello. A referral of Айгерім С. to School No. 3")  # en
    assert "Your social worker: Aizhan M., +77010000001." in reminder.body
    assert number not in reminder.subject + reminder.body


def test_a_school_in_a_district_without_a_social_worker_is_told_to_call_the_district(
    app: App,
) -> None:
    app.handle(c.AddProvider(SCHOOL))  # and no staff at all
    number = referred(app, identified(app, "r"), provider="SCH-MAIL")
    run_check(app, NOW + 8 * DAY)
    [reminder] = reminders_of(app, number)
    assert reminder.body.endswith(
        "Please reply to the social worker. Your contact is the district social worker. Thank you."
    )


def told_day_by_day(app: App, number: str, first: date, last: date) -> list[tuple[str, str]]:
    """The check run every night from `first` to `last`: (day, rule) of each reminder."""
    told: list[tuple[str, str]] = []
    day = first
    while day <= last:
        before = len(rules_of(app, number))
        run_check(app, datetime.combine(day, time(2), UTC))
        told += [(day.strftime("%d %b"), rule) for rule in rules_of(app, number)[before:]]
        day += timedelta(days=1)
    return told


def test_an_overdue_follow_up_is_reminded_weekly_escalated_weekly_then_counted_missed(
    app_with_contacts: App,
) -> None:
    number = in_service(
        app_with_contacts, identified(app_with_contacts, "f"), provider="SCH-MAIL"
    )  # follow-up due 2 April
    told = told_day_by_day(app_with_contacts, number, date(2026, 4, 1), date(2026, 5, 10))
    assert [(day, rule) for day, rule in told if rule.startswith("follow_up")] == [
        ("03 Apr", "follow_up_overdue"),  # the social worker, the day after
        ("09 Apr", "follow_up_overdue"),  # ... and every week while it is not done
        ("16 Apr", "follow_up_overdue"),
        ("16 Apr", "follow_up_escalation"),  # the supervisor from 14 days late, weekly
        ("23 Apr", "follow_up_overdue"),
        ("23 Apr", "follow_up_escalation"),
        ("30 Apr", "follow_up_overdue"),
        ("30 Apr", "follow_up_escalation"),
    ]  # 2 May: 30 days late, counted missed; nobody is asked for it again, but
    assert ("02 May", "unsatisfactory_alternative") in told  # the child needs action now
    case = app_with_contacts.handle(c.GetCase(number))
    assert [f.state.value for f in case.follow_ups][0] == "missed" and case.failed_contacts == 1
    assert case.history[-1].trigger == "follow_up_missed" and case.history[-1].actor == SYSTEM.name
    assert (
        s.index_of(case, app_with_contacts.rules).alternative_status
        is AlternativeStatus.UNSATISFACTORY
    )


def test_too_many_missed_follow_ups_mark_the_case_lost_through_the_state_machine(
    app_with_contacts: App,
) -> None:
    number = in_service(
        app_with_contacts,
        identified(app_with_contacts, "l"),
        provider="SCH-MAIL",
        started=date(2026, 3, 3),
    )
    run_check(app_with_contacts, NOW + 400 * DAY)  # every follow-up long overdue
    case = app_with_contacts.handle(c.GetCase(number))
    assert case.failed_contacts == 3 and case.state == "lost_to_follow_up"
    assert [h.trigger for h in case.history[-4:]] == ["follow_up_missed"] * 3 + ["mark_lost"]
    assert s.history_is_consistent(case)


def test_a_child_who_turned_18_is_proposed_for_closing(app_with_contacts: App) -> None:
    number = identified(app_with_contacts, "o", who=child(born=date(2008, 3, 10)))
    run_check(app_with_contacts, NOW + 9 * DAY)  # 11 March 2026: 18 since the 10th
    assert "turned_18" in rules_of(app_with_contacts, number)
    assert f"{number}:turned_18:2026-03-10" in [
        r.key for r in reminders_of(app_with_contacts, number)
    ]


def test_a_school_without_a_contact_makes_the_social_worker_fix_it_by_sms(
    app_with_contacts: App,
) -> None:
    app = app_with_contacts
    number = referred(app, identified(app, "c"), provider="SCH-12")  # no phone, no e-mail
    run_check(app, NOW + 8 * DAY)
    [reminder] = reminders_of(app, number)
    assert (reminder.rule, reminder.recipient, reminder.channel, reminder.address,
            reminder.status) == ("referral_unanswered", "Aizhan M.", "sms", "+77010000001",
                                 "pending")  # fmt: skip
    assert "School-lyceum No. 12" in reminder.body and number in reminder.body


def test_without_a_social_worker_to_reach_the_supervisor_fixes_the_contact(app: App) -> None:
    app.handle(c.AddStaff(StaffMember("Marat B.", "supervisor", "Turkestan",
                                      email="marat@mlsp.example.kz")))  # fmt: skip
    number = referred(app, identified(app, "d"), provider="SCH-12")
    run_check(app, NOW + 8 * DAY)
    [reminder] = reminders_of(app, number)
    assert (reminder.recipient, reminder.channel, reminder.status) == (
        "Marat B.", "email", "pending"
    )  # fmt: skip


def test_a_reminder_nobody_can_be_sent_stays_a_task_for_the_social_worker(app: App) -> None:
    number = referred(
        app, identified(app, "t"), provider="SCH-12"
    )  # the test directory has no contacts, nor any staff
    run_check(app, NOW + 8 * DAY)
    [reminder] = reminders_of(app, number)
    assert (reminder.rule, reminder.channel, reminder.status) == (
        "referral_unanswered",
        "task",
        "task",
    )
    assert reminder.recipient == "social worker of KZ-TUR-MAK"
    assert "School-lyceum No. 12" in reminder.body


def test_the_check_can_be_limited_to_one_region(app_with_contacts: App) -> None:
    identified(app_with_contacts, "r")
    assert (
        run_check(app_with_contacts, NOW + 8 * DAY, region="Almaty city").get("not_assessed", 0)
        == 0
    )
    assert run_check(app_with_contacts, NOW + 8 * DAY, region="Turkestan")["not_assessed"] == 1


def test_a_lost_case_resumed_stays_found_through_the_checks_that_follow(
    app_with_contacts: App,
) -> None:
    app = app_with_contacts
    number = in_service(app, identified(app, "f"), provider="SCH-MAIL", started=date(2026, 3, 3))
    day = NOW
    while app.handle(c.GetCase(number)).state != "lost_to_follow_up":
        day += DAY
        run_check(app, day)  # day by day: each follow-up is missed 30 days after it was due
    told_that_night = [(r.rule, r.recipient) for r in reminders_of(app, number)[-2:]]
    assert told_that_night == [
        ("too_many_failed_contacts", "Aizhan M."),  # the social worker: find the child
        ("lost_to_follow_up", "Marat B."),  # and the supervisor
    ]
    app.handle(c.Resume(number, SOCIAL_WORKER, day + DAY, "the family is back from Russia"))
    for later in range(2, 10):  # the nights after: the old count must not mark it lost again
        run_check(app, day + later * DAY)
    case = app.handle(c.GetCase(number))
    assert (case.state, case.failed_contacts) == ("in_service", 0)
    assert [h.trigger for h in case.history].count("mark_lost") == 1


def test_a_case_nobody_touches_is_chased_every_week_and_climbs_to_the_supervisor(
    app_with_contacts: App,
) -> None:
    number = identified(app_with_contacts, "n")  # 2 March; to be assessed by 9 March
    told = told_day_by_day(app_with_contacts, number, date(2026, 3, 2), date(2026, 4, 25))
    assert told == [
        ("10 Mar", "not_assessed"),  # the social worker, the first night after the deadline
        ("16 Mar", "not_assessed"),
        ("23 Mar", "not_assessed"),
        ("24 Mar", "action_escalation"),  # 14 days late: the supervisor too
        ("30 Mar", "not_assessed"),
        ("30 Mar", "action_escalation"),
        ("06 Apr", "not_assessed"),
        ("06 Apr", "action_escalation"),
        ("09 Apr", "stalled"),  # a month late: the region's coordinator, fortnightly
        ("13 Apr", "not_assessed"),
        ("13 Apr", "action_escalation"),
        ("20 Apr", "not_assessed"),
        ("20 Apr", "action_escalation"),
        ("22 Apr", "stalled"),
    ]
    by_rule = {r.rule: (r.recipient, r.channel) for r in reminders_of(app_with_contacts, number)}
    assert by_rule == {"not_assessed": ("Aizhan M.", "sms"),
                       "action_escalation": ("Marat B.", "email"),
                       "stalled": ("Gulnara T.", "email")}  # fmt: skip
    to_social_worker = [r.body for r in reminders_of(app_with_contacts, number)
                        if r.rule == "not_assessed"]  # fmt: skip
    assert not to_social_worker[0].startswith("Напоминание")  # the first time: plain
    assert to_social_worker[1].startswith("Напоминание 2: CLMS: ")  # then it says so
    assert to_social_worker[4].startswith("Напоминание 5: ")
    [to_coordinator, *_] = [
        r for r in reminders_of(app_with_contacts, number) if r.rule == "stalled"
    ]
    assert number in to_coordinator.body and "Айгерім" not in to_coordinator.body  # no names
    run_check(app_with_contacts, datetime(2026, 4, 25, 2, tzinfo=UTC))  # the same night again
    assert len(reminders_of(app_with_contacts, number)) == len(told)  # nothing twice

    # What `clms show` says of it: the ladder, who was told, since when, how often.
    case = app_with_contacts.handle(c.GetCase(number))
    chased = case_dict(case, app_with_contacts.rules, reminders_of(app_with_contacts, number))
    assert [(x["rule"], x["rung"], x["to"], x["due_since"], x["times"], x["last"][:10])
            for x in chased["chased"]] == [
        ("stalled", "coordinator", "Gulnara T.", "2026-03-09", 2, "2026-04-22"),
        ("action_escalation", "supervisor", "Marat B.", "2026-03-09", 5, "2026-04-20"),
        ("not_assessed", "social_worker", "Aizhan M.", "2026-03-09", 7, "2026-04-20"),
    ]  # fmt: skip


def test_a_schools_not_attending_answer_makes_the_case_need_action_and_chases_it(
    app_with_contacts: App,
) -> None:
    app = app_with_contacts
    number = in_service(app, identified(app, "s"), provider="SCH-MAIL")  # follow-up 2 April
    told = told_day_by_day(app, number, date(2026, 3, 24), date(2026, 3, 26))
    assert told == [("26 Mar", "attendance_check")]  # the school is asked, a week ahead
    link = re.search(r"/answer/(\S+)", reminders_of(app, number)[-1].body)
    assert link is not None
    answered = datetime(2026, 3, 27, 10, tzinfo=UTC)
    app.handle(c.RecordAnswer(link.group(1), "not_attending", answered))

    overdue = app.handle(c.ListCases(CaseQuery(overdue_at=answered + DAY)))
    assert number in [row.number for row in overdue]  # on the overdue list at once
    told = told_day_by_day(app, number, date(2026, 3, 28), date(2026, 4, 12))
    assert told == [
        ("28 Mar", "unsatisfactory_alternative"),  # the social worker, next night
        ("03 Apr", "unsatisfactory_alternative"),
        ("10 Apr", "unsatisfactory_alternative"),
        ("10 Apr", "unsatisfactory_escalation"),
    ]  # 14 days: the supervisor
    visit(app, number, date(2026, 4, 12))  # attending, not working: a satisfactory visit
    assert told_day_by_day(app, number, date(2026, 4, 13), date(2026, 4, 30)) == []


def test_reminders_for_a_channel_nobody_configured_are_counted_as_waiting(
    app_with_contacts: App,
) -> None:
    app = app_with_contacts  # no SMS gateway and no SMTP server in its settings
    identified(app, "w")
    run_check(app, NOW + 8 * DAY)  # the social worker's SMS
    in_service(app, identified(app, "x", who=child("Мадина")), provider="SCH-MAIL")
    # Day 25: the school's e-mail (an attendance check), the social worker's SMS again and
    # the supervisor's e-mail about the first case, still not assessed.
    run_check(app, NOW + 25 * DAY)
    assert app.handle(c.WaitingWithoutChannel()) == {"email": 2, "sms": 2}


def test_a_worst_form_is_told_at_once_and_its_referral_runs_on_urgent_deadlines(
    app_with_contacts: App,
) -> None:
    app = app_with_contacts
    number = identified(app, "u", "trafficking")  # 2 March, 09:00
    told = reminders_of(app, number)  # in the identification's transaction, not at 02:00
    assert [(r.rule, r.recipient, r.channel, r.created_at) for r in told] == [
        ("urgent_found", "Aizhan M.", "sms", NOW),
        ("urgent_found_supervisor", "Marat B.", "email", NOW),
    ]
    assert number in told[0].body and "Айгерім" not in told[0].body  # staff: the number only
    identified(app, "u2", "trafficking", at=NOW + timedelta(hours=3))  # seen again that day
    assert len(reminders_of(app, number)) == 2  # the same day's alert is not sent twice
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW + timedelta(hours=1)))
    referred_at = NOW + timedelta(hours=2)  # the school must answer within 24 hours
    app.handle(c.Refer(number, SOCIAL_WORKER, referred_at, provider="SCH-MAIL",
                       service_type="school"))  # fmt: skip
    [to_school] = [r for r in reminders_of(app, number) if r.rule == "urgent_referral"]
    assert (to_school.recipient, to_school.created_at) == ("School No. 3", referred_at)
    assert "URGENT" in to_school.subject and number not in to_school.body  # in English
    assert "trafficking" not in to_school.body and "Сапарова" not in to_school.body

    told_nightly = told_day_by_day(app, number, date(2026, 3, 3), date(2026, 3, 8))
    assert told_nightly[:4] == [
        ("04 Mar", "referral_unanswered"),  # the school, the first night after its 24 hours
        ("04 Mar", "referral_escalation"),  # and the supervisor the same night, not 3 days on
        ("05 Mar", "referral_unanswered"),  # every other day from the deadline
        ("06 Mar", "referral_expired"),  # 2 days past the deadline, not 7: refer elsewhere
    ]
    case = app.handle(c.GetCase(number))
    assert case.referrals[0].state == "expired" and case.live_referral is None
    assert told_nightly[4:] == [("08 Mar", "urgent_overdue")]  # 24 hours to refer again


def test_a_case_whose_closing_rule_is_met_is_ready_to_close_not_overdue(
    app_with_contacts: App,
) -> None:
    app = app_with_contacts
    number = in_service(app, identified(app, "r"), provider="SCH-MAIL")  # 2 Apr, 1 Jun, 30 Aug
    visit(app, number, date(2026, 4, 2))
    visit(app, number, date(2026, 6, 1))  # two in a row, but 60 days apart, not 90
    with pytest.raises(Refused, match="another satisfactory follow-up, the last on or after "
                                      "2026-07-01"):  # fmt: skip
        close(app, number, ClosureReason.WITHDRAWN, date(2026, 6, 2))
    visit(app, number, date(2026, 8, 30))  # the third scheduled visit meets the rule
    evening = datetime(2026, 8, 30, 18, tzinfo=UTC)
    ready = app.handle(c.ListCases(CaseQuery(ready_to_close=True)))
    assert [row.number for row in ready] == [number]
    overdue = app.handle(c.ListCases(CaseQuery(overdue_at=evening + 30 * DAY)))
    assert number not in [row.number for row in overdue]  # done, not late
    told = told_day_by_day(app, number, date(2026, 8, 31), date(2026, 10, 5))
    assert told == [
        ("31 Aug", "ready_to_close"),
        ("13 Sep", "ready_to_close"),
        ("27 Sep", "ready_to_close"),
    ]  # and a month on, no coordinator: not stalled
    close(app, number, ClosureReason.WITHDRAWN, date(2026, 10, 5))
    assert told_day_by_day(app, number, date(2026, 10, 6), date(2026, 11, 30)) == []


def test_a_run_broken_by_a_bad_visit_gets_one_more_visit_scheduled_and_chased(
    app_with_contacts: App,
) -> None:
    app = app_with_contacts
    number = in_service(app, identified(app, "b"), provider="SCH-MAIL")
    visit(app, number, date(2026, 4, 2))
    visit(app, number, date(2026, 6, 1), attending=False)  # not attending: the run breaks
    case = visit(app, number, date(2026, 8, 30))  # the last scheduled visit, satisfactory
    assert [f.due_on for f in case.scheduled_follow_ups()] == [date(2026, 11, 28)]  # +90 days
    assert not app.handle(c.ListCases(CaseQuery(ready_to_close=True)))
    told = told_day_by_day(app, number, date(2026, 11, 20), date(2026, 11, 30))
    assert told == [
        ("21 Nov", "attendance_check"),  # the school, a week before
        ("29 Nov", "follow_up_overdue"),
    ]  # the social worker, the day after
    visit(app, number, date(2026, 11, 30))
    assert [row.number for row in app.handle(c.ListCases(CaseQuery(ready_to_close=True)))] == [
        number
    ]


def test_a_cancelled_referral_leaves_the_case_needing_a_new_one_until_it_is_referred_elsewhere(
    app_with_contacts: App,
) -> None:
    app = app_with_contacts
    number = referred(app, identified(app, "w"), provider="SCH-MAIL")  # 2 March
    assert told_day_by_day(app, number, date(2026, 3, 3), date(2026, 3, 4)) == []
    cancelled = NOW + 2 * DAY  # 4 March: the family lives in another village
    app.handle(c.CancelReferral(number, SOCIAL_WORKER, cancelled, "wrong school: lives in Atakent"))

    waiting = app.handle(c.ListCases(CaseQuery(state="referred")))
    assert [(r.number, r.alternative_status, r.next_action_due) for r in waiting] == [
        (number, "none", cancelled + 14 * DAY)  # to be referred again within 14 days
    ]
    told = told_day_by_day(app, number, date(2026, 3, 5), date(2026, 3, 25))
    # The school is never chased about the cancelled referral (its answer was due 9 March);
    # the social worker is, the night after the new deadline (18 March), then weekly.
    assert told == [("19 Mar", "not_referred"), ("25 Mar", "not_referred")]
    overdue = app.handle(c.ListCases(CaseQuery(overdue_at=datetime(2026, 3, 19, tzinfo=UTC))))
    assert number in [row.number for row in overdue]

    referred_again = datetime(2026, 3, 26, 10, tzinfo=UTC)
    app.handle(c.Refer(number, SOCIAL_WORKER, referred_again, provider="SCH-12",
                       service_type="school"))  # fmt: skip
    assert told_day_by_day(app, number, date(2026, 3, 27), date(2026, 4, 2)) == []
    case = app.handle(c.GetCase(number))
    assert [(r.provider, r.state) for r in case.referrals] == [
        ("SCH-MAIL", "cancelled"), ("SCH-12", "sent")
    ]  # fmt: skip
    assert s.history_is_consistent(case)


def test_a_chunk_finds_only_its_own_cases_though_others_found_lie_between_them(
    app_with_contacts: App,
) -> None:
    names = ("Мадина", "Дана", "Асель")
    numbers = [identified(app_with_contacts, n, who=child(first=n)) for n in names]
    now = NOW + 8 * DAY
    with app_with_contacts.uow() as work:
        ids = work.check.candidate_ids(CheckRule.NOT_ASSESSED, now, None)
        assert len(ids) == 3
        found = work.check.findings(CheckRule.NOT_ASSESSED, [ids[0], ids[2]], now)
    assert [f.case_number for f in found] == [numbers[0], numbers[2]]
    assert [f.due for f in found] == [date(2026, 3, 9)] * 2  # the day, read from the moment
