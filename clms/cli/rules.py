"""The country rules, read from config/ (no database): classify a child by them, and show
their version, their values and the sources of each."""

from __future__ import annotations

from typing import Annotated

import typer

from clms.bootstrap import system_clock
from clms.cli.plumbing import (
    AsJson,
    AuthorityConsent,
    Codes,
    Country,
    HoursPerDay,
    LoadKg,
    SchoolHolidays,
    country_rules,
    emit,
    refusals,
)
from clms.cli.rendering import classification_dict, classification_text, rules_dict, rules_text
from clms.config_files import available_countries
from clms.domain.classification import classify as classify_age
from clms.domain.model import Observation
from clms.settings import Settings

rules_app = typer.Typer(help="The country rules in config/: their version and sources.")


def classify(
    age: Annotated[int, typer.Option(help="The child's age in years.")],
    activity: Codes = None,
    condition: Codes = None,
    hours: Annotated[float | None, typer.Option(help="Hours of work a week.")] = None,
    parent_consent: Annotated[bool, typer.Option(help="A parent consented in writing.")] = False,
    free_time_only: Annotated[bool, typer.Option(help="Works outside school hours only.")] = False,
    in_school: Annotated[bool, typer.Option(help="Attends school.")] = True,
    basic_secondary: Annotated[bool, typer.Option(help="Completed basic secondary.")] = False,
    family_at_risk: Annotated[bool, typer.Option(help="The family is at risk.")] = False,
    hours_per_day: HoursPerDay = None,
    school_holidays: SchoolHolidays = False,
    authority_consent: AuthorityConsent = False,
    load_kg: LoadKg = None,
    sex: Annotated[str, typer.Option(help="f or m: chooses the load limit.")] = "",
    country: Country = None,
    as_json: AsJson = False,
) -> None:
    """Classify a child by the country's rules, and say why."""
    with refusals(as_json):
        seen = Observation(
            "classify", "cli", system_clock(), tuple(activity or ()), tuple(condition or ()),
            hours, parent_consent, free_time_only, in_school, basic_secondary, family_at_risk,
            hours_per_day=hours_per_day, school_holidays=school_holidays,
            authority_consent=authority_consent, load_kg=load_kg,
        )  # fmt: skip
        result = classify_age(age, seen, country_rules(country), sex=sex)
        emit(as_json, classification_dict(result), lambda: classification_text(result))


@rules_app.callback(invoke_without_command=True)
def rules_overview(ctx: typer.Context, country: Country = None, as_json: AsJson = False) -> None:
    """The version of the rules, the ages and limits they set, and their sources."""
    if ctx.invoked_subcommand is not None:
        return
    with refusals(as_json):
        data = rules_dict(country_rules(country))
        emit(as_json, data, lambda: rules_text(data))


@rules_app.command("activities")
def rules_activities(country: Country = None, as_json: AsJson = False) -> None:
    """List the activity codes and how each is classified."""
    with refusals(as_json):
        found = country_rules(country).activities.values()
        rows = [
            {"code": a.code, "kind": a.kind.value, "label": a.label, "source": a.citation}
            for a in found
        ]
        emit(
            as_json,
            rows,
            lambda: "\n".join(
                f"{r['code']:<32} {r['kind']:<11} {r['label']}\n{'':<44} {r['source']}"
                for r in rows
            ),
        )


@rules_app.command("conditions")
def rules_conditions(country: Country = None, as_json: AsJson = False) -> None:
    """List the hazardous conditions."""
    with refusals(as_json):
        rows = [
            {"code": h.code, "label": h.label, "source": h.citation}
            for h in country_rules(country).conditions.values()
        ]
        emit(as_json, rows, lambda: "\n".join(f"{r['code']:<24} {r['label']}" for r in rows))


@rules_app.command("districts")
def rules_districts(country: Country = None, as_json: AsJson = False) -> None:
    """List the district codes."""
    with refusals(as_json):
        found = country_rules(country).districts.values()
        rows = [{"code": d.code, "name": d.name, "region": d.region} for d in found]
        emit(
            as_json,
            rows,
            lambda: "\n".join(f"{r['code']:<12} {r['name']} ({r['region']})" for r in rows),
        )


@rules_app.command("services")
def rules_services(country: Country = None, as_json: AsJson = False) -> None:
    """List the service types and the ages they fit."""
    with refusals(as_json):
        found = country_rules(country).service_types.values()
        rows = [
            {"code": s.code, "label": s.label, "min_age": s.min_age, "max_age": s.max_age}
            for s in found
        ]
        emit(
            as_json,
            rows,
            lambda: "\n".join(
                f"{r['code']:<22} {r['min_age']:>2}-{r['max_age']:<3} {r['label']}" for r in rows
            ),
        )


@rules_app.command("countries")
def rules_countries(as_json: AsJson = False) -> None:
    """List the countries that have a rules file."""
    codes = available_countries(Settings().config_dir)
    emit(as_json, codes, "\n".join(codes))
