"""The service directory and the staff who get reminders: kept right by the social
workers (added, changed, removed), what is refused, and why; a refusal changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from clms.bootstrap import App
from clms.domain.errors import InvalidInput, NotFound, Refused
from clms.domain.model import Provider
from clms.ports import StaffMember
from clms.services import commands as c
from clms.services.directory import StaffChange
from tests.builders import (
    DAY,
    DISTRICT,
    NOW,
    PROVIDERS,
    SCHOOL,
    SOCIAL_WORKER,
    child,
    identified,
    referred,
)


def test_a_provider_code_already_in_the_directory_is_refused(app: App) -> None:
    with pytest.raises(InvalidInput, match="'SCH-12' is already in the directory") as refused:
        app.handle(c.AddProvider(PROVIDERS[0]))
    assert refused.value.field == "code"
    assert len(app.handle(c.ListProviders())) == len(PROVIDERS)


@pytest.mark.parametrize(
    ("offers", "field"),
    [
        (frozenset(), "offer"),
        (frozenset({("circus", DISTRICT)}), "service_type"),
        (frozenset({("school", "KZ-NOWHERE")}), "district"),
    ],
)
def test_a_provider_offering_nothing_known_is_refused_naming_the_field(
    app: App, offers: frozenset[tuple[str, str]], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        app.handle(c.AddProvider(Provider("NEW", "New school", DISTRICT, offers)))
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("member", "field"),
    [
        (StaffMember("A", "social_worker", "KZ-NOWHERE"), "district"),
        (StaffMember("B", "supervisor", "Atlantis"), "area"),
        (StaffMember("C", "janitor", DISTRICT), "role"),
        (StaffMember(" ", "social_worker", DISTRICT), "name"),
    ],
)
def test_staff_in_an_unknown_area_or_role_are_refused_and_nothing_is_written(
    app: App, member: StaffMember, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        app.handle(c.AddStaff(member))
    assert refused.value.field == field
    assert app.handle(c.ListStaff()) == []


def test_a_supervisor_is_added_for_a_region_and_a_social_worker_for_a_district(app: App) -> None:
    app.handle(c.AddStaff(StaffMember("Marat B.", "supervisor", "Turkestan", email="m@example.kz")))
    app.handle(
        c.AddStaff(StaffMember("Aizhan M.", "social_worker", DISTRICT, phone="+77010000001"))
    )
    assert [(m.role, m.area) for m in app.handle(c.ListStaff())] == [
        ("supervisor", "Turkestan"),
        ("social_worker", DISTRICT),
    ]


def test_a_provider_is_added_with_its_school_system_and_language_and_its_phone_normalized(
    app: App,
) -> None:
    hook = "https://kundelik.example.kz/clms"
    given = replace(SCHOOL, phone="+7 (701) 123-45-67", webhook_url=hook, language="kk")
    added = app.handle(c.AddProvider(given))
    assert added.phone == "+77011234567"
    assert _provider(app, SCHOOL.code) == added
    assert (added.webhook_url, added.language) == (hook, "kk")


def test_an_update_changes_only_what_is_given(app: App) -> None:
    app.handle(c.AddProvider(SCHOOL))
    app.handle(c.UpdateProvider(SCHOOL.code, phone="+7 701 555 00 11"))
    assert _provider(app, SCHOOL.code) == replace(SCHOOL, phone="+77015550011")


def test_offers_given_to_an_update_replace_them_all_in_the_provider_s_district_by_default(
    app: App,
) -> None:
    app.handle(c.AddProvider(SCHOOL))
    app.handle(c.UpdateProvider(SCHOOL.code, offers=("vocational_training", "school@KZ-TUR-ZHT")))
    assert _provider(app, SCHOOL.code).offers == {
        ("vocational_training", DISTRICT),
        ("school", "KZ-TUR-ZHT"),
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "87011234567"}, "phone"),
        ({"email": "school3.edu.kz"}, "email"),
        ({"webhook_url": "ftp://school.kz/in"}, "webhook_url"),
        ({"language": "de"}, "language"),
        ({"offers": ("circus",)}, "service_type"),
        ({"name": " "}, "name"),
    ],
)
def test_a_refused_update_changes_nothing(app: App, change: dict[str, str], field: str) -> None:
    app.handle(c.AddProvider(SCHOOL))
    with pytest.raises(InvalidInput) as refused:
        app.handle(c.UpdateProvider(SCHOOL.code, **{"name": "School No. 3 (new)", **change}))
    assert refused.value.field == field
    assert _provider(app, SCHOOL.code) == SCHOOL


def test_a_local_phone_number_is_refused_asking_for_the_international_form(app: App) -> None:
    with pytest.raises(InvalidInput, match=r"international form.*\+77011234567") as refused:
        app.handle(c.AddProvider(replace(SCHOOL, phone="8 701 123 45 67")))
    assert refused.value.field == "phone"
    assert SCHOOL.code not in [p.code for p in app.handle(c.ListProviders())]


def test_an_unknown_provider_cannot_be_updated_or_removed(app: App) -> None:
    with pytest.raises(NotFound):
        app.handle(c.UpdateProvider("SCH-NONE", name="x"))
    with pytest.raises(NotFound):
        app.handle(c.RemoveProvider("SCH-NONE", NOW))


def test_a_provider_holding_a_child_s_place_is_not_removed_and_the_cases_are_named(
    app: App,
) -> None:
    first = referred(app, identified(app, "a"))
    second = referred(app, identified(app, "b", who=child("Мадина")))
    with pytest.raises(Refused, match=f"2 cases \\({first}, {second}\\) have a live referral"):
        app.handle(c.RemoveProvider("SCH-12", NOW))
    assert "SCH-12" in [p.code for p in app.handle(c.ListProviders())]


def test_a_provider_whose_referrals_ended_is_removed_and_the_past_referrals_keep_its_code(
    app: App,
) -> None:
    number = referred(app, identified(app, "a"))
    app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY, accepted=False))
    app.handle(c.RemoveProvider("SCH-12", NOW + 2 * DAY))

    assert "SCH-12" not in [p.code for p in app.handle(c.ListProviders())]
    assert app.handle(c.GetCase(number)).referrals[0].provider == "SCH-12"
    with pytest.raises(NotFound):
        app.handle(c.Refer(number, SOCIAL_WORKER, NOW + 2 * DAY, provider="SCH-12",
                           service_type="school"))  # fmt: skip
    with pytest.raises(InvalidInput, match="was removed from the directory on 2026-03-04"):
        app.handle(c.AddProvider(PROVIDERS[0]))  # its code stays with the past referrals


def test_staff_get_an_id_and_an_update_changes_only_what_is_given(app: App) -> None:
    added = app.handle(c.AddStaff(StaffMember("Aizhan M.", "social_worker", DISTRICT)))
    assert added.id is not None
    change = app.handle(c.UpdateStaff(added.id, phone="+7 701 000 00 01", language="kk"))
    assert change.member == replace(added, phone="+77010000001", language="kk")
    assert change.uncovered is None
    assert app.handle(c.ListStaff()) == [change.member]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "7010000001"}, "phone"),
        ({"email": "aizhan@"}, "email"),
        ({"language": "tr"}, "language"),
        ({"area": "Turkestan"}, "district"),  # a region: a social worker has a district
    ],
)
def test_a_refused_staff_update_changes_nothing(
    app: App, change: dict[str, str], field: str
) -> None:
    added = app.handle(c.AddStaff(StaffMember("Aizhan M.", "social_worker", DISTRICT)))
    with pytest.raises(InvalidInput) as refused:
        app.handle(c.UpdateStaff(added.id or 0, name="Aizhan Mukhametova", **change))
    assert refused.value.field == field
    assert app.handle(c.ListStaff()) == [added]


def test_removing_the_last_social_worker_of_a_district_says_it_is_left_uncovered(
    app: App,
) -> None:
    first = app.handle(c.AddStaff(StaffMember("Aizhan M.", "social_worker", DISTRICT)))
    second = app.handle(c.AddStaff(StaffMember("Dana K.", "social_worker", DISTRICT)))
    assert app.handle(c.RemoveStaff(first.id or 0)).uncovered is None
    assert app.handle(c.RemoveStaff(second.id or 0)) == StaffChange(second, DISTRICT)
    assert app.handle(c.ListStaff()) == []
    with pytest.raises(NotFound):
        app.handle(c.RemoveStaff(second.id or 0))


def test_moving_the_last_supervisor_of_a_region_says_the_region_is_left_uncovered(
    app: App,
) -> None:
    added = app.handle(c.AddStaff(StaffMember("Marat B.", "supervisor", "Turkestan")))
    change = app.handle(c.UpdateStaff(added.id or 0, area="Almaty city"))
    assert (change.member.area, change.uncovered) == ("Almaty city", "Turkestan")


def _provider(app: App, code: str) -> Provider:
    return next(p for p in app.handle(c.ListProviders()) if p.code == code)
