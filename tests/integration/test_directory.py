"""The service directory and the staff who get reminders: what is refused, and why."""

from __future__ import annotations

import pytest

from clms.bootstrap import App
from clms.domain.errors import InvalidInput
from clms.domain.model import Provider
from clms.ports import StaffMember
from clms.services import commands as c
from tests.builders import DISTRICT, PROVIDERS


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
    app.handle(c.AddStaff(StaffMember("Aizhan M.", "social_worker", DISTRICT, phone="+7701")))
    assert [(m.role, m.area) for m in app.handle(c.ListStaff())] == [
        ("supervisor", "Turkestan"),
        ("social_worker", DISTRICT),
    ]
