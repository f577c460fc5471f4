"""Reads config/: the shared ILO lists, the service types and one file per country."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from clms.domain.errors import InvalidInput
from clms.domain.reminders import REMINDER_RULES
from clms.domain.rules import (
    Activity,
    ActivityKind,
    Admission,
    CheckPolicy,
    ClosingPolicy,
    CompulsoryEducation,
    CountryRules,
    Deadlines,
    District,
    Document,
    HazardousCondition,
    HoursLimit,
    LoadLimit,
    MinimumAge,
    Requirement,
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
    return _config_dir(os.environ.get("CLMS_CONFIG_DIR") or "")


@cache  # a Path a message: tens of thousands a night in the daily check
def _config_dir(named: str) -> Path:
    return Path(named) if named else DEFAULT_CONFIG_DIR


def available_countries(config_dir: Path = DEFAULT_CONFIG_DIR) -> list[str]:
    return sorted(path.stem for path in (config_dir / "countries").glob("*.toml"))


def load_country(code: str, config_dir: Path = DEFAULT_CONFIG_DIR) -> CountryRules:
    path = config_dir / "countries" / f"{code.lower()}.toml"
    if not path.is_file():
        known = ", ".join(available_countries(config_dir))
        raise InvalidInput(f"unknown country {code!r}; known: {known}", field="country")
    country, shared = _read(path), _read(config_dir / "ilo.toml")
    services = _read(config_dir / "service_types.toml")
    law = _Law(path.name, country)
    return CountryRules(
        code=country["code"],
        name=country["name"],
        version=f"{country['code']}-{country['version']}+ilo-{shared['version']}",
        documents=tuple(Document(**d) for d in shared["documents"] + country["documents"]),
        minimum_age=MinimumAge(**law.sourced(country["minimum_age"], "minimum_age")),
        admissions=law.all("admissions", _admission),
        hazardous_list=country.get("hazardous_list", ""),
        hours_limits=law.all("hours_limits", lambda r: HoursLimit(**r)),
        load_limits=law.all("load_limits", lambda r: LoadLimit(**r)),
        compulsory_education=law.optional("compulsory_education", CompulsoryEducation),
        activities=_by_code(
            _activity, _Law("ilo.toml", shared).rows("activities") + law.rows("activities")
        ),
        conditions=_by_code(
            _condition, _Law("ilo.toml", shared).rows("conditions") + law.rows("conditions")
        ),
        districts=_by_code(lambda d: District(**d), country["districts"]),
        service_types=_by_code(lambda s: ServiceType(**s), services["service_types"]),
        closing=ClosingPolicy(**country.get("closing", {})),
        deadlines=Deadlines(**country.get("deadlines", {})),
        follow_up_days=tuple(country["follow_up"]["days_after_service_start"]),
        check=_check_policy(path.name, country.get("check", {})),
    )


T = TypeVar("T")


class _Law:
    """The rows of one file that state the law: each must name its source."""

    def __init__(self, file: str, data: dict[str, Any]) -> None:
        self.file, self.data = file, data

    def sourced(self, row: dict[str, Any], where: str) -> dict[str, Any]:
        if not str(row.get("source", "")).strip():
            name = row.get("code", where)
            raise InvalidInput(
                f"{self.file}: {where} {name!r} names no source (article or list item)",
                field="source",
            )
        return row

    def rows(self, table: str) -> list[dict[str, Any]]:
        return [self.sourced(row, table) for row in self.data.get(table, [])]

    def all(self, table: str, make: Callable[[dict[str, Any]], T]) -> tuple[T, ...]:
        return tuple(make(row) for row in self.rows(table))

    def optional(self, table: str, make: Callable[..., T]) -> T | None:
        row = self.data.get(table)
        return make(**self.sourced(row, table)) if row else None


def _check_policy(file: str, table: dict[str, Any]) -> CheckPolicy:
    """A repeat for a rule that does not exist, or that changes the case (it acts once),
    would be silently ignored: refuse it, naming the rules that can repeat."""
    can_repeat = sorted(e.rule.value for e in REMINDER_RULES if e.audience and not e.change)
    wrong = sorted(set(table.get("repeat_every_days", {})) - set(can_repeat))
    if wrong:
        raise InvalidInput(
            f"{file}: [check.repeat_every_days] names {wrong}; the rules that can repeat "
            f"are {can_repeat}",
            field="repeat_every_days",
        )
    return CheckPolicy(**table)


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def _admission(row: dict[str, Any]) -> Admission:
    requires = tuple(Requirement(r) for r in row.get("requires", ()))
    return Admission(**{**row, "requires": requires})


def _activity(row: dict[str, Any]) -> Activity:
    return Activity(**{**row, "kind": ActivityKind(row["kind"])})


def _condition(row: dict[str, Any]) -> HazardousCondition:
    return HazardousCondition(**row)


def _by_code(make: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {row["code"]: make(row) for row in rows}
