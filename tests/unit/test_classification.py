"""The country rules of DESIGN.md, applied to one child at a time, in words."""

from __future__ import annotations

import pytest

from clms.config_files import available_countries, load_country
from clms.domain.classification import classify
from clms.domain.errors import InvalidInput
from clms.domain.model import Category, Priority
from clms.domain.rules import ActivityKind, CountryRules
from tests.builders import seen

KZ_REPORTED = {
    "farming_vegetables", "weeding", "collecting_worms", "cotton_harvesting", "tobacco", "rice",
    "construction", "market_vending", "street_vending", "transporting_goods", "domestic_work",
    "gas_station", "car_washing", "bus_conductor", "restaurant_work", "selling_alcohol",
    "trafficking", "commercial_sexual_exploitation", "forced_labour", "forced_begging",
    "illicit_activities", "armed_conflict_recruitment",
}  # fmt: skip


def test_kazakhstan_covers_every_activity_the_labour_department_reports(kz: CountryRules) -> None:
    assert set(kz.activities) >= KZ_REPORTED


@pytest.mark.parametrize("country", available_countries())
def test_every_country_file_loads_with_the_shared_worst_forms(country: str) -> None:
    rules = load_country(country)
    worst = {a.code for a in rules.activities.values() if a.kind is ActivityKind.WORST_FORM}
    assert {"trafficking", "commercial_sexual_exploitation", "illicit_activities"} <= worst
    assert rules.districts and rules.hours_limits


@pytest.mark.parametrize("age", [5, 12, 17])
def test_a_worst_form_is_urgent_child_labour_at_any_age_under_18(
    kz: CountryRules, age: int
) -> None:
    result = classify(age, seen("s", "commercial_sexual_exploitation"), kz)
    assert result.category is Category.WORST_FORM
    assert result.priority is Priority.URGENT
    assert "ILO C182 Art. 3(b)" in result.reasons[0]


def test_cotton_harvesting_at_17_is_hazardous_and_names_the_national_list(kz: CountryRules) -> None:
    result = classify(17, seen("s", "cotton_harvesting"), kz)
    assert result.category is Category.HAZARDOUS
    assert "Order No. 944 of 2015, Appendix 1" in result.reasons[0]


def test_ordinary_work_in_hazardous_conditions_is_hazardous(kz: CountryRules) -> None:
    result = classify(17, seen("s", "market_vending", conditions=("night_work",)), kz)
    assert result.category is Category.HAZARDOUS
    assert "night work" in result.reasons[0]


def test_too_many_hours_at_16_are_a_working_time_violation_with_the_limit_named(
    kz: CountryRules,
) -> None:
    result = classify(16, seen("s", "car_washing", hours_per_week=40, in_school=False), kz)
    assert result.category is Category.WORKING_TIME
    assert result.reasons[0].startswith(
        "working time over the limit: 40 h/week, at 16 at most 36 h/week (Labour Code 2015 Art. 69"
    )
    assert not result.category.is_child_labour


def test_light_work_at_14_with_consent_in_free_time_is_permitted(kz: CountryRules) -> None:
    facts = {"parent_consent": True, "free_time_only": True, "hours_per_week": 10}
    result = classify(14, seen("s", "street_vending", **facts), kz)
    assert result.category is Category.PERMITTED_WORK


def test_light_work_without_consent_is_below_minimum_age_and_says_what_is_missing(
    kz: CountryRules,
) -> None:
    result = classify(14, seen("s", "street_vending", free_time_only=True), kz)
    assert result.category is Category.BELOW_MINIMUM_AGE
    assert result.reasons == (
        "below the minimum working age of 16 (Labour Code 2015 Art. 31(1)), age 14: light work "
        "from 14 for pupils, in free time, not harmful to health or study (Labour Code 2015 "
        "Art. 31(2)(2); hours: Labour Code 2015 Art. 69) needs a parent's written consent",
    )


def test_work_at_13_is_below_the_light_work_age(kz: CountryRules) -> None:
    result = classify(13, seen("s", "domestic_work", parent_consent=True, free_time_only=True), kz)
    assert result.category is Category.BELOW_MINIMUM_AGE
    assert "no work is allowed before 14" in result.reasons[0]


def test_at_15_in_kazakhstan_work_needs_secondary_education_and_a_parents_written_consent(
    kz: CountryRules,
) -> None:
    educated = {"completed_basic_secondary": True}
    assert (
        classify(15, seen("s", "market_vending", parent_consent=True, **educated), kz).category
        is Category.PERMITTED_WORK
    )
    without_consent = classify(15, seen("s", "market_vending", **educated), kz)
    assert without_consent.category is Category.BELOW_MINIMUM_AGE
    assert "a parent's written consent" in without_consent.reasons[0]


def test_tajikistan_allows_work_from_15() -> None:
    tj = load_country("tj")
    assert classify(15, seen("s", "market_vending"), tj).category is Category.PERMITTED_WORK
    assert (
        classify(15, seen("s", "market_vending"), load_country("kg")).category
        is Category.BELOW_MINIMUM_AGE
    )


def test_a_child_out_of_school_and_not_working_is_at_risk(kz: CountryRules) -> None:
    result = classify(11, seen("s", in_school=False, family_at_risk=True), kz)
    assert result.category is Category.AT_RISK
    assert result.reasons[0].startswith("out of school, while education is compulsory until 17")
    assert result.reasons[1] == "family at risk"


def test_a_child_in_school_not_working_and_not_at_risk_is_no_concern(kz: CountryRules) -> None:
    assert classify(11, seen("s"), kz).category is Category.NO_CONCERN


def test_every_lesser_concern_is_listed_after_the_main_one(kz: CountryRules) -> None:
    result = classify(12, seen("s", "forced_begging", "street_vending", in_school=False), kz)
    assert result.category is Category.WORST_FORM
    assert any("minimum working age" in r for r in result.reasons[1:])
    assert any(r.startswith("out of school") for r in result.reasons)


@pytest.mark.parametrize(
    ("age", "observation", "field"),
    [
        (18, seen("s", "weeding"), "age"),
        (-1, seen("s", "weeding"), "age"),
        (12, seen("s", "juggling"), "activity"),
        (12, seen("s", "weeding", conditions=("boredom",)), "condition"),
        (12, seen("s", "weeding", hours_per_week=200), "hours_per_week"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    kz: CountryRules, age: int, observation: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        classify(age, observation, kz)  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize("hours", [{"hours_per_week": 20}, {"hours_per_day": 5}])
def test_a_child_reported_working_hours_without_an_activity_is_working(
    kz: CountryRules, hours: dict[str, float]
) -> None:
    # The monitor found no activity in the list to tick; the hours still say the child works.
    result = classify(12, seen("s", **hours), kz)  # type: ignore[arg-type]
    assert result.category is Category.BELOW_MINIMUM_AGE
    assert "age 12: no work is allowed before 14" in result.reasons[0]
