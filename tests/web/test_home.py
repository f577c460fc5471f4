"""Where `clms serve` (and `make run`) opens: the login page for somebody not logged in."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from clms.bootstrap import bootstrap
from clms.settings import Settings
from clms.web.app import create_app


def test_the_root_opens_on_the_login_page_for_somebody_not_logged_in(tmp_path: Path) -> None:
    system = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/home.db"))
    system.migrate()
    client = TestClient(create_app(system))
    page = client.get("/")
    assert page.status_code == 200 and page.url.path == "/login"
    assert 'name="password"' in page.text
