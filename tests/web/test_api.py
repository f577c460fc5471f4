"""The HTTP API as a phone or another system uses it, through a real App on a migrated
SQLite file: a token from /api/sessions, identifications that a resend cannot double, actions
guarded by If-Match, and refusals as RFC 9457 problem details that say why."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from clms.bootstrap import App
from clms.services import commands as c
from tests.builders import DISTRICT, identified
from tests.web.staff import MONITOR, PASSWORD, WORKER

PROBLEM = "application/problem+json"


def token_for(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/sessions", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def identification(submission: str = "", **seen: Any) -> dict[str, Any]:
    child = {"first_name": "Бекзат", "last_name": "Оспанов", "birth_date": "2012-06-01",
             "sex": "m", "district": DISTRICT}  # fmt: skip
    return {"submission_id": submission, "child": child, "activities": ["cotton_harvesting"],
            "hours_per_week": 30, **seen}  # fmt: skip


def test_a_resent_identification_is_one_case_201_then_200_with_the_same_answer(
    staff_client: TestClient, staff_app: App
) -> None:
    monitor = token_for(staff_client, MONITOR.username)

    first = staff_client.post("/api/identifications", json=identification("sub-1"), headers=monitor)
    again = staff_client.post("/api/identifications", json=identification("sub-1"), headers=monitor)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["case"] == again.json()["case"]
    assert first.json()["category"] == "hazardous"
    assert len(staff_app.handle(c.ListSubmissions(monitor=MONITOR.username))) == 1


def test_the_idempotency_key_header_stands_for_a_missing_submission_id(
    staff_client: TestClient,
) -> None:
    monitor = {**token_for(staff_client, MONITOR.username), "Idempotency-Key": "phone-7-form-3"}

    first = staff_client.post("/api/identifications", json=identification(), headers=monitor)
    again = staff_client.post("/api/identifications", json=identification(), headers=monitor)

    assert (first.status_code, again.status_code) == (201, 200)
    mine = staff_client.get("/api/identifications", headers=monitor).json()
    assert [(row["submission_id"], row["case_number"]) for row in mine] == [
        ("phone-7-form-3", first.json()["case"])
    ]


def test_the_same_submission_id_with_another_observation_is_refused_naming_the_field(
    staff_client: TestClient, staff_app: App
) -> None:
    monitor = token_for(staff_client, MONITOR.username)
    staff_client.post("/api/identifications", json=identification("sub-1"), headers=monitor)

    changed = staff_client.post(
        "/api/identifications", json=identification("sub-1", hours_per_week=5), headers=monitor
    )

    assert changed.status_code == 422
    assert changed.headers["content-type"] == PROBLEM
    assert "submission_id" in changed.text
    assert len(staff_app.handle(c.ListSubmissions(monitor=MONITOR.username))) == 1


def test_an_action_with_a_stale_if_match_is_a_409_with_the_current_version_and_changes_nothing(
    staff_client: TestClient, staff_app: App
) -> None:
    number = identified(staff_app, "s1")
    worker = token_for(staff_client, WORKER.username)
    seen = staff_client.get(f"/api/cases/{number}", headers=worker)
    version = seen.headers["etag"]
    assessed = staff_client.post(f"/api/cases/{number}/assess", json={"reason": "visited"},
                           headers={**worker, "If-Match": version})  # fmt: skip
    assert assessed.status_code == 200 and assessed.json()["state"] == "assessed"

    stale = staff_client.post(f"/api/cases/{number}/mark-lost", json={"reason": "gone"},
                        headers={**worker, "If-Match": version})  # fmt: skip

    assert stale.status_code == 409
    assert stale.headers["content-type"] == PROBLEM
    assert stale.json()["current_version"] == int(assessed.headers["etag"].strip('"'))
    assert staff_app.handle(c.GetCase(number)).state == "assessed"


def test_a_refused_action_is_a_422_with_the_reason_and_the_actions_allowed_now(
    staff_client: TestClient, staff_app: App
) -> None:
    number = identified(staff_app, "s1")
    worker = token_for(staff_client, WORKER.username)

    refused = staff_client.post(f"/api/cases/{number}/close",
                          json={"closure": "withdrawn", "reason": "x"}, headers=worker)  # fmt: skip

    assert refused.status_code == 422
    problem = refused.json()
    assert problem["status"] == 422 and "cannot close" in problem["detail"]
    assert problem["allowed_now"] == ["assess", "screen-out", "close", "mark-lost"]
    assert staff_app.handle(c.GetCase(number)).state == "identified"


def test_without_a_token_the_api_answers_401_with_a_bearer_challenge(
    staff_client: TestClient,
) -> None:
    response = staff_client.get("/api/cases")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == PROBLEM


def test_a_social_worker_may_not_read_the_monitors_submissions_list(
    staff_client: TestClient,
) -> None:
    worker = token_for(staff_client, WORKER.username)

    response = staff_client.get("/api/identifications", headers=worker)

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
