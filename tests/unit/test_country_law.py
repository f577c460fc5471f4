"""The country files as texts an inspector can trust: every value names its source, and the
children the US Department of Labor's findings describe are classified as the law says."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from clms.config_files import DEFAULT_CONFIG_DIR, available_countries, load_country
from clms.domain.classification import classify
from clms.domain.errors import InvalidInput
from clms.domain.model import Category
from clms.domain.rules import ActivityKind, CountryRules
from tests.builders import seen

LAW_TABLES = ("activities", "conditions", "admissions", "hours_limits", "load_limits")
LAW_ENTRIES = ("minimum_age", "compulsory_education")


def _law_entries(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [(table, row) for table in LAW_TABLES for row in data.get(table, [])]
    return rows + [(name, data[name]) for name in LAW_ENTRIES if name in data]


def _files() -> list[Path]:
    return [DEFAULT_CONFIG_DIR / "ilo.toml", *(DEFAULT_CONFIG_DIR / "countries").glob("*.toml")]


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_every_entry_of_the_law_names_its_article_or_list_item(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    missing = [
        f"{table}: {row.get('code', row)}"
        for table, row in _law_entries(data)
        if not str(row.get("source", "")).strip()
    ]
    assert missing == []


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_every_file_has_a_version_and_names_its_documents(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["version"]
    assert all(d["code"] and d["title"] for d in data["documents"])


def test_a_country_file_with_an_entry_without_a_source_is_refused(tmp_path: Path) -> None:
    (tmp_path / "countries").mkdir()
    for name in ("ilo.toml", "service_types.toml"):
        (tmp_path / name).write_text((DEFAULT_CONFIG_DIR / name).read_text(encoding="utf-8"))
    text = (DEFAULT_CONFIG_DIR / "countries" / "kz.toml").read_text(encoding="utf-8")
    cited = 'source = "Labour Code 2015 Art. 26 (work harmful to a minor\'s moral development)"'
    unsourced = text.replace(cited, 'source = ""', 1)
    assert unsourced != text
    (tmp_path / "countries" / "kz.toml").write_text(unsourced, encoding="utf-8")
    with pytest.raises(InvalidInput, match="names no source"):
        load_country("kz", tmp_path)


def test_the_citations_the_former_files_got_wrong_are_gone() -> None:
    texts = {c: (DEFAULT_CONFIG_DIR / "countries" / f"{c}.toml").read_text() for c in ("kg", "tj")}
    kg, tj = load_country("kg"), load_country("tj")
    assert "Decree No. 225" not in kg.hazardous_list
    assert "Decree No. 314 of 2 July 2001" in kg.hazardous_list
    assert "unverified" in kg.hazardous_list
    assert tj.hazardous_list.startswith("Government Decree No. 169 of 4 March 2014")
    assert "No. 110 of 3 March 2017" in tj.hazardous_list
    assert "Labour Code 2025" in texts["kg"] and "WHICH CODE" in texts["kg"]
    hours = load_country("kz").hours_limits
    assert all(h.source.startswith("Labour Code 2015 Art. 69") for h in hours)


@pytest.mark.parametrize("country", available_countries())
def test_every_country_names_the_work_the_findings_and_its_list_name(country: str) -> None:
    rules = load_country(country)
    named = {
        "mining", "construction", "cotton_harvesting", "tobacco", "selling_alcohol",
        "selling_tobacco", "gambling_night_venues", "restaurant_work", "car_repair",
        "brickmaking", "begging", "shoe_shining", "bus_conductor", "market_vending",
        "transporting_goods", "car_washing", "domestic_work", "state_organised_cotton_picking",
    }  # fmt: skip
    assert named <= set(rules.activities)
    assert rules.activity("mining").kind is ActivityKind.HAZARDOUS
    assert rules.activity("state_organised_cotton_picking").kind is ActivityKind.WORST_FORM


@pytest.mark.parametrize("country", available_countries())
def test_a_classification_records_the_version_of_the_rules_that_made_it(country: str) -> None:
    rules = load_country(country)
    result = classify(12, seen("s", "street_vending"), rules)
    assert result.rules_version == rules.version
    assert rules.version.startswith(f"{country}-") and "+ilo-" in rules.version


# --- Kazakhstan ------------------------------------------------------------------------------


def test_kazakhstan_light_work_at_14_is_for_pupils_only(kz: CountryRules) -> None:
    facts = {"parent_consent": True, "free_time_only": True, "hours_per_week": 10}
    assert (
        classify(14, seen("s", "street_vending", **facts), kz).category is Category.PERMITTED_WORK
    )
    out = classify(14, seen("s", "street_vending", in_school=False, **facts), kz)
    assert out.category is Category.BELOW_MINIMUM_AGE
    assert "needs the child to be a pupil" in out.reasons[0]


def test_kazakhstan_usdol_cotton_harvest_child_of_13_is_hazardous_and_below_minimum_age(
    kz: CountryRules,
) -> None:
    # USDOL 2016: children harvest cotton in the south (Maktaaral, Turkestan region).
    result = classify(13, seen("s", "cotton_harvesting", conditions=("chemicals",)), kz)
    assert result.category is Category.HAZARDOUS
    assert any("pesticides" in r for r in result.reasons)
    assert any("no work is allowed before 14" in r for r in result.reasons)


def test_kazakhstan_usdol_market_porter_is_judged_by_the_weight_carried(kz: CountryRules) -> None:
    # USDOL: children carry goods in markets. A boy of 16 may carry 20 kg, not 30.
    porter = {"hours_per_week": 15, "in_school": True}
    light = classify(16, seen("s", "transporting_goods", load_kg=18, **porter), kz, sex="m")
    heavy = classify(16, seen("s", "transporting_goods", load_kg=30, **porter), kz, sex="m")
    assert light.category is Category.PERMITTED_WORK
    assert heavy.category is Category.HAZARDOUS
    assert heavy.reasons[0].startswith("load over the limit: 30 kg, at most 20 kg for boys of 16")
    assert "[unverified]" in heavy.reasons[0]


def test_a_load_with_the_childs_sex_unrecorded_is_held_to_the_lower_limit(
    kz: CountryRules,
) -> None:
    result = classify(16, seen("s", "transporting_goods", load_kg=10), kz)
    assert result.category is Category.HAZARDOUS
    assert "at most 7 kg for a child whose sex is not recorded" in result.reasons[0]


def test_kazakhstan_usdol_bus_conductor_of_17_one_hour_over_is_working_time_not_hazardous(
    kz: CountryRules,
) -> None:
    result = classify(17, seen("s", "bus_conductor", hours_per_week=37, in_school=False), kz)
    assert result.category is Category.WORKING_TIME
    assert result.category.severity > Category.BELOW_MINIMUM_AGE.severity
    assert result.category.severity < Category.AT_RISK.severity
    assert any(r.startswith("out of school") for r in result.reasons[1:])


def test_kazakhstan_a_pupil_is_held_to_the_school_term_hours_but_not_in_the_holidays(
    kz: CountryRules,
) -> None:
    term = classify(16, seen("s", "market_vending", hours_per_week=24), kz)
    holidays = classify(
        16, seen("s", "market_vending", hours_per_week=24, school_holidays=True), kz
    )
    assert term.category is Category.WORKING_TIME
    assert "during the school term" in term.reasons[0]
    assert holidays.category is Category.PERMITTED_WORK


def test_kazakhstan_usdol_child_selling_alcohol_is_forbidden_work_by_the_labour_code(
    kz: CountryRules,
) -> None:
    result = classify(17, seen("s", "selling_alcohol"), kz)
    assert result.category is Category.HAZARDOUS
    assert "Labour Code 2015 Art. 26" in result.reasons[0]


# --- Kyrgyzstan ------------------------------------------------------------------------------


def test_kyrgyzstan_usdol_tobacco_field_child_spraying_is_hazardous() -> None:
    # USDOL 2008 and 24.kg: children water, spray and collect tobacco in Osh region.
    result = classify(15, seen("s", "tobacco", conditions=("chemicals",)), load_country("kg"))
    assert result.category is Category.HAZARDOUS


def test_kyrgyzstan_admits_work_at_15_only_with_a_trade_union_or_the_inspectorate() -> None:
    kg = load_country("kg")
    without = classify(15, seen("s", "market_vending"), kg)
    assert without.category is Category.BELOW_MINIMUM_AGE
    assert "the consent of a trade union or the labour inspectorate" in without.reasons[0]
    allowed = classify(15, seen("s", "market_vending", authority_consent=True), kg)
    assert allowed.category is Category.PERMITTED_WORK


def test_kyrgyzstan_caps_a_pupils_day_in_term_and_in_the_holidays() -> None:
    # USDOL 2007: children sell goods and carry loads in Bishkek's bazaars.
    kg = load_country("kg")
    term = classify(16, seen("s", "market_vending", hours_per_day=4), kg)
    assert term.category is Category.WORKING_TIME
    assert "4 h/day, at 16 at most 3.5 h/day during the school term" in term.reasons[0]
    holidays = seen("s", "market_vending", hours_per_day=4, school_holidays=True)
    assert classify(16, holidays, kg).category is Category.PERMITTED_WORK
    assert classify(16, seen("s", "market_vending", hours_per_day=8, school_holidays=True), kg)\
        .category is Category.WORKING_TIME  # fmt: skip


def test_kyrgyzstan_usdol_shoe_shiner_of_12_is_below_minimum_age() -> None:
    result = classify(12, seen("s", "shoe_shining"), load_country("kg"))
    assert result.category is Category.BELOW_MINIMUM_AGE


def test_kyrgyzstan_school_organised_cotton_picking_is_forced_labour() -> None:
    result = classify(14, seen("s", "state_organised_cotton_picking"), load_country("kg"))
    assert result.category is Category.WORST_FORM
    assert "ILO C182 Art. 3(a)" in result.reasons[0]


# --- Tajikistan ------------------------------------------------------------------------------


def test_tajikistan_a_girl_porter_of_15_carrying_20_kg_is_hazardous() -> None:
    # IWPR / ILO: children work as porters in the markets of Dushanbe.
    tj = load_country("tj")
    result = classify(15, seen("s", "transporting_goods", load_kg=20), tj, sex="f")
    assert result.category is Category.HAZARDOUS
    assert "Decree No. 169 of 2014" in result.reasons[0]


def test_tajikistan_a_herder_of_15_out_of_school_is_past_compulsory_education() -> None:
    tj = load_country("tj")
    result = classify(15, seen("s", "livestock", in_school=False), tj)
    assert result.category is Category.AT_RISK
    assert result.reasons == ("out of school",)


def test_tajikistan_mining_is_on_the_national_list() -> None:
    result = classify(16, seen("s", "mining"), load_country("tj"))
    assert result.category is Category.HAZARDOUS
    assert "Decree No. 169 of 2014, Section I" in result.reasons[0]
