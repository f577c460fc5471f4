"""`clms check` and `clms deliver` use the Prefect server the process has (PREFECT_API_URL),
or run the same steps in their own process without one, and say which."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from clms.bootstrap import App
from tests.builders import identified

CLMS = str(Path(sys.executable).with_name("clms"))
CHECK_AT = "2026-03-10T09:00:00"


def environment(app: App, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return {**env, "CLMS_DATABASE_URL": app.settings.database_url, **more}


def check_runs() -> dict[str, str]:
    query = {"flows": {"name": {"any_": ["satisfactory-alternative-check"]}}, "limit": 200}
    with get_client(sync_client=True) as client:
        response = client._client.post("/flow_runs/filter", json=query)
    response.raise_for_status()
    return {run["id"]: run["state_type"] for run in response.json()}


def test_clms_check_with_prefect_api_url_runs_as_a_flow_run_on_that_server(
    flows_app: App,
) -> None:
    identified(flows_app, "a")
    server = str(PREFECT_API_URL.value())
    before = check_runs()
    done = subprocess.run(
        [CLMS, "check", "--now", CHECK_AT], env=environment(flows_app, PREFECT_API_URL=server),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"ran as Prefect flow runs on {server} (PREFECT_API_URL)" in done.stderr
    new = {key: state for key, state in check_runs().items() if key not in before}
    assert list(new.values()) == ["COMPLETED"]
    assert "not_assessed" in done.stdout


def test_clms_check_and_deliver_without_prefect_api_url_run_here_without_loading_prefect(
    flows_app: App,
) -> None:
    identified(flows_app, "a")
    script = (
        "import sys\n"
        "from clms.cli import app\n"
        f"app(['check', '--now', '{CHECK_AT}'], standalone_mode=False)\n"
        "app(['deliver'], standalone_mode=False)\n"
        "print('prefect loaded:', 'prefect' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment(flows_app),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "not_assessed" in done.stdout and "prefect loaded: False" in done.stdout
    said = "ran in this process, without a Prefect server (PREFECT_API_URL is not set)"
    assert done.stderr.count(said) == 2
