"""prefect.yaml stays in step with the code and the country rules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml
from prefect import Flow

from clms.config_files import load_country
from clms.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


def flow_at(entrypoint: str) -> object:
    path, name = entrypoint.split(":")
    spec = importlib.util.spec_from_file_location("entry", ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def test_every_deployment_points_at_a_flow() -> None:
    for deployment in DEPLOYMENTS:
        assert isinstance(flow_at(deployment["entrypoint"]), Flow), deployment["name"]


def test_the_check_has_one_deployment_per_region_of_the_country() -> None:
    rules = load_country(Settings().country)
    regions = {d.region for d in rules.districts.values()}
    checks = [d for d in DEPLOYMENTS if d["entrypoint"].endswith(":satisfactory_alternative_check")]
    assert sorted(d["parameters"]["region"] for d in checks) == sorted(regions)


def test_the_schedules_are_the_embedded_modes_schedules() -> None:
    settings = Settings()
    crons = {d["entrypoint"].split(":")[1]: d["schedules"][0]["cron"] for d in DEPLOYMENTS}
    assert crons == {
        "satisfactory_alternative_check": settings.check_cron,
        "deliver_reminders": settings.deliver_cron,
    }
