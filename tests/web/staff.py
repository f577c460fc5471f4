"""The staff of the staff pages' tests: a migrated SQLite database with the test directory,
users added at the door by the system itself, and the login every test starts with."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from clms.bootstrap import App, bootstrap
from clms.domain.access import User
from clms.domain.model import Role
from clms.services import commands as c
from clms.settings import Settings
from tests.builders import DISTRICT, NOW, PROVIDERS

PASSWORD = "a long enough passphrase"
# English speakers, so that the tests can read the labels; one Kazakh speaker for the catalogues.
MONITOR = User("inspector.b", Role.MONITOR, DISTRICT, language="en")
WORKER = User("aigul.s", Role.SOCIAL_WORKER, DISTRICT, language="en")
KAZAKH_WORKER = User("aizhan.t", Role.SOCIAL_WORKER, DISTRICT, language="kk")
ALMATY_WORKER = User("dana.k", Role.SOCIAL_WORKER, "KZ-ALA-ALT", language="en")
SUPERVISOR = User("marat.k", Role.SUPERVISOR, "Turkestan", language="en")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def staff_system(tmp_path: Path, **settings: Any) -> App:
    """An App on a migrated SQLite file, the test directory and the users in it; its clock
    stays at NOW."""
    database_url = f"sqlite:///{tmp_path}/clms.db"
    system = bootstrap(Settings(database_url=database_url, **settings), clock=lambda: NOW)
    system.migrate()
    with system.uow() as work:
        for provider in PROVIDERS:
            work.providers.add(provider)
        work.commit()
    for user in (MONITOR, WORKER, KAZAKH_WORKER, ALMATY_WORKER, SUPERVISOR):
        system.handle(c.AddUser(user, PASSWORD))
    return system


def log_in(client: TestClient, user: User) -> None:
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF.search(page)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)
