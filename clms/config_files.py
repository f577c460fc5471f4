"""Reads config/: the shared ILO lists, the service types and one file per country."""

from __future__ import annotations

import os
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

from clms.domain.errors import InvalidInput
from clms.domain.rules import (
    Activity,
    ActivityKind,
    CheckPolicy,
    ClosingPolicy,
    CountryRules,
    Deadlines,
    District,
    HazardousCondition,
    HoursLimit,
    LightWork,
    ServiceType,
)


def _shipped_config_dir() -> Path:
    """The top-level config/ folder, installed as the package clms.config: found the same way
    from a checkout's editable install and from a wheel."""
    folder = files("clms.config")
    assert isinstance(folder, Path), "clms is installed as files, never zipped"
    return folder


DEFAULT_CONFIG_DIR = _shipped_config_dir()


def configured_config_dir() -> Path:
    """CLMS_CONFIG_DIR when set (a deployment's own copy of config/), else the shipped one.

    Read at each call, not at import, so that every process honours its own environment."""
    return Path(os.environ.get("CLMS_CONFIG_DIR") or DEFAULT_CONFIG_DIR)


def available_countries(config_dir: Path = DEFAULT_CONFIG_DIR) -> list[str]:
    return sorted(path.stem for path in (config_dir / "countries").glob("*.toml"))


def load_country(code: str, config_dir: Path = DEFAULT_CONFIG_DIR) -> CountryRules:
    path = config_dir / "countries" / f"{code.lower()}.toml"
    if not path.is_file():
        known = ", ".join(available_countries(config_dir))
        raise InvalidInput(f"unknown country {code!r}; known: {known}", field="country")
    country, shared = _read(path), _read(config_dir / "ilo.toml")
    services = _read(config_dir / "service_types.toml")
    return CountryRules(
        code=country["code"],
        name=country["name"],
        minimum_age=country["minimum_age"],
        minimum_age_after_basic_secondary=country["minimum_age_after_basic_secondary"],
        hazardous_list=country.get("hazardous_list", ""),
        light_work=LightWork(**country["light_work"]),
        hours_limits=tuple(HoursLimit(**h) for h in country["hours_limits"]),
        activities=_by_code(_activity, shared["activities"] + country["activities"]),
        conditions=_by_code(_condition, shared["conditions"] + country.get("conditions", [])),
        districts=_by_code(lambda d: District(**d), country["districts"]),
        service_types=_by_code(lambda s: ServiceType(**s), services["service_types"]),
        closing=ClosingPolicy(**country.get("closing", {})),
        deadlines=Deadlines(**country.get("deadlines", {})),
        follow_up_days=tuple(country["follow_up"]["days_after_service_start"]),
        check=CheckPolicy(**country.get("check", {})),
    )


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def _activity(row: dict[str, Any]) -> Activity:
    return Activity(row["code"], row["label"], ActivityKind(row["kind"]), row.get("basis", ""))


def _condition(row: dict[str, Any]) -> HazardousCondition:
    return HazardousCondition(row["code"], row["label"], row.get("basis", ""))


def _by_code(make: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {row["code"]: make(row) for row in rows}
