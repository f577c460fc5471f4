"""The service directory and the staff who get reminders: what is refused, and why."""

from __future__ import annotations

import pytest

from clms.bootstrap import App
from clms.domain.errors import InvalidInput
from clms.domain.model import Provider
from clms.ports import StaffMember
from clms.services import directory
from tests.conftest import DISTRICT, PROVIDERS


def test_a_provider_code_already_in_the_directory_is_refused(app: App) -> None:
    with pytest.raises(InvalidInput, match="'SCH-12' is already in the directory") as refused:
        directory.add_provider(PROVIDERS[0], app.uow(), app.rules)
    assert refused.value.field == "code"
    assert len(directory.list_providers(app.uow())) == len(PROVIDERS)


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
        directory.add_provider(
            Provider("NEW", "New school", DISTRICT, offers), app.uow(), app.rules
        )
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
        directory.add_staff(member, app.uow(), app.rules)
    assert refused.value.field == field
    assert directory.list_staff(app.uow()) == []


def test_a_supervisor_is_added_for_a_region_and_a_social_worker_for_a_district(app: App) -> None:
    directory.add_staff(
        StaffMember("Marat B.", "supervisor", "Turkestan", email="m@example.kz"),
        app.uow(),
        app.rules,
    )
    directory.add_staff(
        StaffMember("Aizhan M.", "social_worker", DISTRICT, phone="+7701"), app.uow(), app.rules
    )
    assert [(m.role, m.area) for m in directory.list_staff(app.uow())] == [
        ("supervisor", "Turkestan"),
        ("social_worker", DISTRICT),
    ]
