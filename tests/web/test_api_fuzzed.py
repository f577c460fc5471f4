"""The API fuzzed from its own OpenAPI document (schemathesis), as a social worker of one
district: whatever is sent, never a 5xx, and never a child of another district, even when
the request names that child's case."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from clms.bootstrap import bootstrap
from clms.domain.access import User
from clms.domain.model import Child, Observation, Role
from clms.services import commands as c
from clms.settings import Settings
from clms.web.app import create_app
from clms.web.auth import LoginThrottle

PASSWORD = "long enough, and secret"
THEIR_CHILD = ("Нұрлан", "Жақсыбеков")  # in Almaty: never to be read from Maktaaral


def _system_with_two_districts() -> tuple[TestClient, str, str]:
    folder = Path(tempfile.mkdtemp(prefix="clms-fuzz-"))
    system = bootstrap(Settings(database_url=f"sqlite:///{folder}/fuzz.db"))
    system.migrate()
    system.handle(c.AddUser(User("aigul.s", Role.SOCIAL_WORKER, "KZ-TUR-MAK"), PASSWORD))
    numbers = []
    for first, last, district in (
        ("Айгерім", "Сапарова", "KZ-TUR-MAK"),
        (*THEIR_CHILD, "KZ-ALA-ALT"),
    ):
        child = Child(first, last, date(2013, 4, 5), "m", district)
        seen = Observation(f"s-{district}", "m", system.clock(), ("cotton_harvesting",))
        numbers.append(system.handle(c.Identify(child, seen, system.clock())).case_number)
    client = TestClient(create_app(system), raise_server_exceptions=False)
    login = {"username": "aigul.s", "password": PASSWORD}
    token = client.post("/api/sessions", json=login).json()["token"]
    return client, token, numbers[1]


CLIENT, TOKEN, THEIRS = _system_with_two_districts()
# The fuzzed logins must not lock the address out of the fresh tokens below.
CLIENT.app.state.login_throttle = LoginThrottle(limit=1_000_000)
schema = schemathesis.openapi.from_asgi("/openapi.json", CLIENT.app)


def _token_for(case: schemathesis.Case) -> str:
    """The shared token, except for logging out: that ends a fresh session of its own, so
    that the other operations are still tried as the social worker, not as nobody."""
    if case.method.upper() != "DELETE":
        return TOKEN
    login = {"username": "aigul.s", "password": PASSWORD}
    return str(CLIENT.post("/api/sessions", json=login).json()["token"])


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gives_a_server_error_or_another_districts_child(
    case: schemathesis.Case,
) -> None:
    if case.path_parameters and "number" in case.path_parameters:
        case.path_parameters["number"] = THEIRS  # aim at the other district's case
    response = case.call(headers={"Authorization": f"Bearer {_token_for(case)}"})
    assert response.status_code < 500, response.text
    assert not any(name in response.text for name in THEIR_CHILD), response.text


def test_the_shared_token_still_reads_the_own_districts_cases_after_the_fuzzing() -> None:
    listed = CLIENT.get("/api/cases", headers={"Authorization": f"Bearer {TOKEN}"})
    assert listed.status_code == 200
    assert [row["district"] for row in listed.json()] == ["KZ-TUR-MAK"]
