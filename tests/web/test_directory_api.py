"""The service directory over HTTP as the administrator keeps it: providers with their
offers, and the staff who get the reminders; social workers read, never write."""

from __future__ import annotations

from starlette.testclient import TestClient

from clms.bootstrap import App
from clms.domain.access import User
from clms.domain.model import Role
from clms.services import commands as c
from tests.builders import DISTRICT, NOW, SOCIAL_WORKER, identified
from tests.web.staff import PASSWORD, WORKER
from tests.web.test_api import PROBLEM, token_for

ADMIN = User("admin.a", Role.ADMIN)
COLLEGE = {"code": "VOC-9", "name": "Колледж № 9", "district": DISTRICT,
           "offers": ["vocational_training", "school@KZ-TUR-ZHT"], "phone": "+7 701 555 0101"}  # fmt: skip


def as_admin(staff_app: App, staff_client: TestClient) -> dict[str, str]:
    staff_app.handle(c.AddUser(ADMIN, PASSWORD))
    return token_for(staff_client, ADMIN.username)


def test_the_administrator_adds_a_provider_and_everyone_who_refers_sees_its_offers(
    staff_app: App, staff_client: TestClient
) -> None:
    admin = as_admin(staff_app, staff_client)

    added = staff_client.post("/api/providers", json=COLLEGE, headers=admin)

    assert added.status_code == 201, added.text
    assert added.json()["phone"] == "+77015550101"  # stored normalized
    listed = staff_client.get("/api/providers", headers=token_for(staff_client, WORKER.username))
    college = next(p for p in listed.json() if p["code"] == "VOC-9")
    assert college["offers"] == ["school@KZ-TUR-ZHT", f"vocational_training@{DISTRICT}"]


def test_a_change_replaces_only_what_it_gives_and_offers_all_at_once(
    staff_app: App, staff_client: TestClient
) -> None:
    admin = as_admin(staff_app, staff_client)
    staff_client.post("/api/providers", json=COLLEGE, headers=admin)

    changed = staff_client.patch("/api/providers/VOC-9", json={"offers": ["school"]},
                                 headers=admin)  # fmt: skip

    assert changed.status_code == 200, changed.text
    assert changed.json()["offers"] == [f"school@{DISTRICT}"]
    assert changed.json()["name"] == COLLEGE["name"]


def test_an_unknown_district_in_an_offer_is_refused_naming_it_and_adds_nothing(
    staff_app: App, staff_client: TestClient
) -> None:
    admin = as_admin(staff_app, staff_client)

    refused = staff_client.post("/api/providers", json={**COLLEGE, "offers": ["school@NOWHERE"]},
                                headers=admin)  # fmt: skip

    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    assert "NOWHERE" in refused.json()["detail"]
    assert "VOC-9" not in {p.code for p in staff_app.handle(c.ListProviders())}


def test_a_provider_with_a_live_referral_cannot_be_removed_and_the_refusal_names_the_case(
    staff_app: App, staff_client: TestClient
) -> None:
    admin = as_admin(staff_app, staff_client)
    number = identified(staff_app, "s1")
    staff_app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    staff_app.handle(c.Refer(number, SOCIAL_WORKER, NOW, provider="SCH-12", service_type="school"))

    refused = staff_client.delete("/api/providers/SCH-12", headers=admin)

    assert refused.status_code == 422
    assert number in refused.json()["detail"]
    assert "SCH-12" in {p.code for p in staff_app.handle(c.ListProviders())}


def test_moving_the_only_social_worker_of_a_district_says_it_is_left_uncovered(
    staff_app: App, staff_client: TestClient
) -> None:
    admin = as_admin(staff_app, staff_client)
    member = {"name": "Гульнара Т.", "role": "social_worker", "area": DISTRICT,
              "email": "gulnara@example.org"}  # fmt: skip
    added = staff_client.post("/api/staff", json=member, headers=admin).json()

    moved = staff_client.patch(f"/api/staff/{added['id']}", json={"area": "KZ-TUR-ZHT"},
                               headers=admin)  # fmt: skip

    assert moved.status_code == 200, moved.text
    assert moved.json() == {"member": {**added, "area": "KZ-TUR-ZHT"}, "uncovered": DISTRICT}


def test_a_social_worker_reads_the_directory_but_may_not_change_it(
    staff_client: TestClient,
) -> None:
    worker = token_for(staff_client, WORKER.username)

    for refused in (
        staff_client.post("/api/providers", json=COLLEGE, headers=worker),
        staff_client.delete("/api/providers/SCH-12", headers=worker),
        staff_client.get("/api/staff", headers=worker),
    ):
        assert refused.status_code == 403, refused.request.url
    assert staff_client.get("/api/providers", headers=worker).status_code == 200
