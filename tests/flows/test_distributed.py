"""At scale, for real: a Prefect server on 127.0.0.1 whose own database is PostgreSQL, a
work pool of type process, two workers (`prefect worker start`, one flow run at a time
each), the deployments of prefect.yaml (`prefect deploy --all`), runs triggered with
`prefect deployment run`, the CLMS database on PostgreSQL written by several flow-run
processes at once, and the reminders sent to an SMS gateway on 127.0.0.1.

What must hold: every region is checked exactly once, by the deployment of its region;
two deliveries that run at the same time on the two workers send every reminder, and
none twice. The server's scheduler is off: the deployments' schedules are checked as
deployed, and a run started by the clock (02:00, every five minutes) cannot mix with the
runs this test starts."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from clms.bootstrap import App, bootstrap
from clms.config_files import load_country
from clms.ports import StaffMember
from clms.services import commands as c
from clms.settings import Settings
from tests import postgres
from tests.builders import child, identified
from tests.flows.sms_gateway import Gateway, sms_gateway
from tests.servers import free_port, wait_until

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
CHECK_FLOW, DELIVER_FLOW = "satisfactory-alternative-check", "deliver-reminders"
CASES_PER_DISTRICT = 2
# The flows run on the workers' own clock: the cases are that much older than now.
MONTHS_AGO = datetime.now(UTC) - timedelta(days=90)
GATE_SECONDS = 7.0  # under the SMS adapter's 10 s timeout: a held request must not time out
# A flow run's own log line, which its process writes to the log of the worker that ran it.
RAN = re.compile(r"/runs/flow-run/([0-9a-f-]+)")


# --- processes ---------------------------------------------------------------------------


class Processes:
    """Long-running commands, each in its own process group (stopped with all it started)
    and logging to a file of `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, words: list[str], env: dict[str, str]) -> None:
        with (self.folder / f"{name}.log").open("wb") as log:
            self.running[name] = subprocess.Popen(
                words, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.running.values():
            _signal_group(process, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=10)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with suppress(ProcessLookupError):  # the group has ended already
        os.killpg(process.pid, signum)


def run(words: list[str], env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(words, env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip
    assert done.returncode == 0, f"{' '.join(words)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def run_all(commands: list[list[str]], env: dict[str, str]) -> None:
    """Commands at the same time (each loads Prefect for seconds), all of which must succeed."""
    started = [
        subprocess.Popen(
            words, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )  # fmt: skip
        for words in commands
    ]
    for words, process in zip(commands, started, strict=True):
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, f"{' '.join(words)}:\n{output}"


# --- the Prefect server's API ------------------------------------------------------------


@dataclass
class PrefectApi:
    url: str

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(f"{self.url}{path}", json={"limit": 200, **body}, timeout=10)
        response.raise_for_status()
        return response.json()

    def deployments(self) -> dict[str, dict[str, Any]]:
        return {d["id"]: d for d in self.post("/deployments/filter", {})}

    def runs_by_deployment(self) -> dict[str, list[dict[str, Any]]]:
        names = {key: d["name"] for key, d in self.deployments().items()}
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names.values()}
        for flow_run in self.post("/flow_runs/filter", {}):
            runs[names[flow_run["deployment_id"]]].append(flow_run)
        return runs

    def runs_of(self, flow_name: str) -> list[dict[str, Any]]:
        return self.post("/flow_runs/filter", {"flows": {"name": {"any_": [flow_name]}}})

    def artifacts(self, key: str) -> list[str]:
        found = self.post("/artifacts/filter", {"artifacts": {"key": {"any_": [key]}}})
        return [str(artifact["data"]) for artifact in found]


def wait_for_runs(api: PrefectApi, flow_name: str, count: int, seconds: float) -> None:
    def finished() -> bool:
        runs = api.runs_of(flow_name)
        failed = [r for r in runs if r["state_type"] in {"FAILED", "CRASHED", "CANCELLED"}]
        assert not failed, f"{flow_name} runs ended badly: {failed}"
        return len(runs) == count and all(r["state_type"] == "COMPLETED" for r in runs)

    wait_until(finished, f"{count} {flow_name} runs did not complete in {seconds} s", seconds)


def start_prefect_server(
    processes: Processes, postgres_host: str, home: Path
) -> tuple[PrefectApi, dict[str, str]]:
    """A Prefect server on 127.0.0.1 with its own database on PostgreSQL (it takes seconds
    to be ready: `wait_until_ready`); its API and the environment of the commands that talk
    to it."""
    database = postgres.create_database(postgres_host, "prefect").replace("+psycopg", "+asyncpg")
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "INFO",  # a flow run's log says which worker ran it
    }
    server_env = {**env, "PREFECT_API_DATABASE_CONNECTION_URL": database}
    processes.start(
        "server",
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui",
         "--no-scheduler"],
        server_env,
    )  # fmt: skip
    return PrefectApi(env["PREFECT_API_URL"]), env


def wait_until_ready(api: PrefectApi, processes: Processes) -> None:
    wait_until(lambda: _healthy(api), f"no Prefect server:\n{processes.log('server')}", 120)


def _healthy(api: PrefectApi) -> bool:
    try:
        return httpx.get(f"{api.url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


# --- the CLMS database -------------------------------------------------------------------


def cases_in_every_district(app: App) -> dict[str, set[str]]:
    """Children identified months ago and never assessed, with a social worker per district
    and a supervisor and a coordinator per region, all reached by SMS. Case numbers by
    region."""
    rules = app.rules
    numbers: dict[str, set[str]] = {}
    for n, district in enumerate(sorted(rules.districts)):
        region = rules.districts[district].region
        add_staff(app, f"SW {district}", "social_worker", district, 100 + n)
        for k in range(CASES_PER_DISTRICT):
            who = child(first=f"Child{n}x{k}", last=f"Family{n}", district=district)
            number = identified(app, f"{district}-{k}", who=who, at=MONTHS_AGO)
            numbers.setdefault(region, set()).add(number)
    for n, region in enumerate(sorted(numbers)):
        add_staff(app, f"Supervisor {region}", "supervisor", region, 200 + n)
        add_staff(app, f"Coordinator {region}", "coordinator", region, 300 + n)
    return numbers


def add_staff(app: App, name: str, role: str, area: str, number: int) -> None:
    app.handle(c.AddStaff(StaffMember(name, role, area, phone=f"+7701000{number:04d}")))


# --- the test ----------------------------------------------------------------------------


def test_two_workers_check_every_region_once_and_deliver_every_reminder_once(
    postgres_host: str, tmp_path: Path
) -> None:
    clms_url = postgres.create_database(postgres_host, "clms_distributed")
    app = bootstrap(Settings(database_url=clms_url))
    processes = Processes(tmp_path)
    try:
        api, env = start_prefect_server(processes, postgres_host, tmp_path / "prefect")
        app.migrate()
        numbers = cases_in_every_district(app)
        wait_until_ready(api, processes)
        with sms_gateway() as (gateway, sms_url):
            workers_env = {**env, "CLMS_HOME": str(ROOT), "CLMS_DATABASE_URL": clms_url,
                           "CLMS_SMS_URL": sms_url, "CLMS_SMS_TOKEN": "gateway-token",
                           "CLMS_DELIVERY_BATCH": "5",
                           "PREFECT_WORKER_QUERY_SECONDS": "1"}  # fmt: skip
            deploy_and_start_workers(processes, workers_env)
            check_every_region(api, processes, workers_env, numbers, app)
            deliver_on_both_workers(api, processes, workers_env, gateway, app)
    finally:
        processes.stop_all()
        app.engine.dispose()


def deploy_and_start_workers(processes: Processes, env: dict[str, str]) -> None:
    run([PREFECT, "work-pool", "create", "clms", "--type", "process"], env)
    for name in ("worker-a", "worker-b"):
        processes.start(
            name, [PREFECT, "worker", "start", "--pool", "clms", "--limit", "1", "--name", name],
            env,
        )  # fmt: skip
    run([PREFECT, "--no-prompt", "deploy", "--all"], env, timeout=240)


def check_every_region(
    api: PrefectApi,
    processes: Processes,
    env: dict[str, str],
    numbers: dict[str, set[str]],
    app: App,
) -> None:
    regions = {d.region for d in load_country("kz").districts.values()}
    deployments = api.deployments().values()
    checks = {d["name"]: d for d in deployments if d["entrypoint"].endswith("_check")}
    assert {d["parameters"]["region"] for d in checks.values()} == regions
    crons = {d["name"]: d["schedules"][0]["schedule"]["cron"] for d in deployments}
    assert set(crons.values()) == {"0 2 * * *", "*/5 * * * *"}

    run_all([[PREFECT, "deployment", "run", f"{CHECK_FLOW}/{name}"] for name in checks], env)
    wait_for_runs(api, CHECK_FLOW, len(checks), 180)

    runs = api.runs_by_deployment()
    assert all(len(runs[name]) == 1 for name in checks), runs
    summaries = [text.splitlines()[0] for text in api.artifacts("check-summary")]
    assert sorted(s.rsplit(", ", 1)[1] for s in summaries) == sorted(regions)
    told = {r.case_number for r in app.handle(c.ListReminders(None, 10_000))}
    assert {region: numbers[region] - told for region in regions} == {r: set() for r in regions}
    took = runs_taken_by_worker(processes)
    assert set(took) == {"worker-a", "worker-b"}, took  # one run at a time each: both worked


def deliver_on_both_workers(
    api: PrefectApi, processes: Processes, env: dict[str, str], gateway: Gateway, app: App
) -> None:
    outbox = app.handle(c.ListReminders(None, 10_000))
    assert len(outbox) > 2 * 5, "fewer reminders than two batches: nothing to share"
    run_all([[PREFECT, "deployment", "run", f"{DELIVER_FLOW}/{DELIVER_FLOW}"]] * 2, env)
    assert gateway.first_hit.wait(180), "no delivery reached the SMS gateway"
    at_once = most_running_at_once(api, DELIVER_FLOW, GATE_SECONDS)
    gateway.gate.set()
    wait_for_runs(api, DELIVER_FLOW, 2, 120)

    assert at_once == 2, "the two deliveries never ran at the same time"
    keys = gateway.keys()
    assert [key for key, n in Counter(keys).items() if n > 1] == []
    reminders = app.handle(c.ListReminders(None, 10_000))
    assert sorted(keys) == sorted(r.key for r in reminders)
    assert Counter(r.status for r in reminders) == {"sent": len(reminders)}
    delivered_by = {w for w, ids in runs_taken_by_worker(processes).items()
                    if ids & {r["id"] for r in api.runs_of(DELIVER_FLOW)}}  # fmt: skip
    assert delivered_by == {"worker-a", "worker-b"}


def most_running_at_once(api: PrefectApi, flow_name: str, seconds: float) -> int:
    """Watches the runs of `flow_name` for up to `seconds`, until two are running."""
    most, deadline = 0, time.monotonic() + seconds
    while most < 2 and time.monotonic() < deadline:
        running = [r for r in api.runs_of(flow_name) if r["state_type"] == "RUNNING"]
        most = max(most, len(running))
        time.sleep(0.1)
    return most


def runs_taken_by_worker(processes: Processes) -> dict[str, set[str]]:
    """Which flow runs ran under each worker, from its log; no run ran under both."""
    taken = {name: set(RAN.findall(processes.log(name))) for name in ("worker-a", "worker-b")}
    assert not taken["worker-a"] & taken["worker-b"], f"a flow run ran twice: {taken}"
    return {name: ids for name, ids in taken.items() if ids}
