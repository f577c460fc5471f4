"""Possible duplicates: a new child who only resembles an earlier case's child gets a case of
their own and a flag for a person to confirm or dismiss; never a silent merge.

The matching rules are tested as pure functions first, then the use cases on the fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from clms.bootstrap import App
from clms.domain.duplicates import (
    ChildKey,
    EarlierCase,
    FlagStatus,
    PossibleDuplicate,
    Resemblance,
    child_key,
    flags_for,
    neighbourhood,
    resemblance,
    swapped_day_and_month,
)
from clms.domain.errors import InvalidInput, NotFound, Refused
from clms.domain.model import Actor, Case, Category, ClosureReason, Role
from clms.services import commands as c
from tests.builders import (
    DAY,
    NOW,
    SOCIAL_WORKER,
    SUPERVISOR,
    child,
    close,
    identified,
    referred,
    seen,
)
from tests.fakes import FakeCases, FakeUnitOfWork

REGION = "Turkestan"
KEY = ChildKey("KZ-TUR-MAK", date(2013, 4, 5), "aigerim", "saparova")

# One row per rule: an earlier child who differs from KEY in that way only.
NEAR = [
    (Resemblance.DAY_AND_MONTH_SWAPPED, replace(KEY, birth_date=date(2013, 5, 4))),
    (Resemblance.NAMES_SWAPPED, replace(KEY, first_key="saparova", last_key="aigerim")),
    (Resemblance.OTHER_DISTRICT, replace(KEY, district="KZ-TUR-ZHT")),
]


def earlier(key: ChildKey, is_open: bool = True, region: str = REGION) -> EarlierCase:
    return EarlierCase("KZ-000001", key, region, is_open)


# --- the rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(("why", "old"), NEAR)
def test_a_child_differing_in_one_way_from_an_open_case_resembles_it_for_that_reason(
    why: Resemblance, old: ChildKey
) -> None:
    assert resemblance(KEY, REGION, earlier(old)) is why


@pytest.mark.parametrize(("why", "old"), NEAR)
def test_a_near_match_to_a_case_that_ended_is_no_flag(why: Resemblance, old: ChildKey) -> None:
    assert resemblance(KEY, REGION, earlier(old, is_open=False)) is None


def test_the_same_child_as_an_ended_case_is_flagged_and_as_an_open_case_is_not() -> None:
    assert resemblance(KEY, REGION, earlier(KEY, is_open=False)) is Resemblance.EARLIER_CASE_ENDED
    assert resemblance(KEY, REGION, earlier(KEY, is_open=True)) is None  # attached instead


@pytest.mark.parametrize(
    "old",
    [
        replace(KEY, district="KZ-ALA-ALT"),  # another region
        replace(KEY, birth_date=date(2013, 5, 4), first_key="saparova", last_key="aigerim"),
        replace(KEY, birth_date=date(2013, 4, 6)),
        replace(KEY, first_key="aigul"),
        replace(KEY, birth_date=date(2014, 4, 5)),
    ],
)
def test_children_differing_in_more_than_one_way_or_otherwise_do_not_resemble(
    old: ChildKey,
) -> None:
    region = "Almaty city" if old.district == "KZ-ALA-ALT" else REGION
    assert resemblance(KEY, REGION, earlier(old, region=region)) is None


@pytest.mark.parametrize(
    ("day", "swapped"),
    [
        (date(2013, 4, 5), date(2013, 5, 4)),
        (date(2013, 4, 13), None),  # the 13th is no month
        (date(2013, 4, 4), None),  # the same date either way
        (date(2012, 2, 29), None),
        (date(2013, 12, 1), date(2013, 1, 12)),
    ],
)
def test_a_birth_date_read_the_other_way_round(day: date, swapped: date | None) -> None:
    assert swapped_day_and_month(day) == swapped


@pytest.mark.parametrize(
    ("first", "last"), [("?", "?"), ("محمد", "علي"), ("王伟", "李"), ("Aigerim", "?")]
)
def test_children_whose_names_the_key_cannot_read_resemble_nobody(first: str, last: str) -> None:
    unreadable = child_key(child(first, last))
    for old in (unreadable, replace(unreadable, district="KZ-TUR-ZHT")):
        assert resemblance(unreadable, REGION, earlier(old, is_open=False)) is None
        assert resemblance(unreadable, REGION, earlier(old)) is None


def test_a_child_a_person_said_is_somebody_else_is_not_flagged_again() -> None:
    found = [earlier(old) for _, old in NEAR]
    assert len(flags_for("KZ-000009", KEY, REGION, found, frozenset(), NOW)) == 3
    said = frozenset({NEAR[1][1]})
    flags = flags_for("KZ-000009", KEY, REGION, found, said, NOW)
    assert [f.resemblance for f in flags] == [
        Resemblance.DAY_AND_MONTH_SWAPPED,
        Resemblance.OTHER_DISTRICT,
    ]


@pytest.mark.parametrize(("why", "old"), NEAR)
def test_a_child_and_whoever_resembles_them_share_one_neighbourhood(
    why: Resemblance, old: ChildKey
) -> None:
    assert neighbourhood(old, REGION) == neighbourhood(KEY, REGION)


def test_different_children_have_different_neighbourhoods() -> None:
    others = [replace(KEY, birth_date=date(2014, 4, 5)), replace(KEY, first_key="aigul")]
    assert all(neighbourhood(o, REGION) != neighbourhood(KEY, REGION) for o in others)
    assert neighbourhood(KEY, "Almaty city") != neighbourhood(KEY, REGION)


# --- the use cases, on the fakes -------------------------------------------------------------


@pytest.fixture
def app(fake_app: App) -> App:
    return fake_app


def open_flags(app: App) -> list[PossibleDuplicate]:
    return app.handle(c.ListPossibleDuplicates())


def test_a_resembling_child_gets_a_new_case_flagged_with_the_earlier_one(app: App) -> None:
    old = identified(app, "sub-1")
    new = app.handle(c.Identify(child("Сапарова", "Айгерім"), seen("sub-2", "weeding"), NOW))
    assert new.outcome == "opened" and new.case_number != old
    flag = PossibleDuplicate(new.case_number, old, Resemblance.NAMES_SWAPPED, NOW)
    assert new.flagged == (flag,)
    assert open_flags(app) == [flag]


def test_a_child_seen_again_after_their_case_closed_is_flagged_with_it(app: App) -> None:
    old = identified(app, "sub-1")
    close(app, old, ClosureReason.MOVED, NOW.date(), reason="family left for Shymkent")
    new = identified(app, "sub-2", at=NOW + 30 * DAY)
    assert [(f.new_case, f.old_case, f.resemblance) for f in open_flags(app)] == [
        (new, old, Resemblance.EARLIER_CASE_ENDED)
    ]


def test_an_identification_attached_to_the_open_case_raises_no_flag(app: App) -> None:
    identified(app, "sub-1", who=child(district="KZ-TUR-ZHT"))
    first = identified(app, "sub-2")
    assert identified(app, "sub-3") == first  # attached: the flag was raised once, on opening
    assert len(open_flags(app)) == 1


def test_children_whose_names_the_key_cannot_read_are_never_flagged(app: App) -> None:
    for i, district in enumerate(("KZ-TUR-MAK", "KZ-TUR-ZHT", "KZ-TUR-MAK")):
        identified(app, f"sub-{i}", who=child("?", "?", district=district))
    assert open_flags(app) == []


def test_confirming_merges_the_new_case_into_the_open_earlier_one(app: App) -> None:
    old = identified(app, "sub-1", "weeding")
    new = identified(app, "sub-2", "trafficking", who=child(born=date(2013, 5, 4)))
    confirmed = app.handle(c.ConfirmDuplicate(new, old, SOCIAL_WORKER, NOW + DAY, "same mother"))
    assert confirmed.merged and confirmed.flag.status is FlagStatus.CONFIRMED
    closed, kept = app.handle(c.GetCase(new)), app.handle(c.GetCase(old))
    assert (closed.state, closed.closure_reason) == ("closed", ClosureReason.DUPLICATE)
    assert closed.history[-1].reason == f"duplicate of {old}: same mother"
    assert closed.identifications == []
    assert [i.observation.submission_id for i in kept.identifications] == ["sub-1", "sub-2"]
    assert kept.category is Category.WORST_FORM  # the merged finding raises the case
    assert kept.history[-1].trigger == "attach_identification"
    assert kept.history[-1].reason == f"from {new}, confirmed the same child: same mother"
    assert open_flags(app) == []


def test_a_form_sent_again_after_a_merge_answers_with_the_case_that_goes_on(app: App) -> None:
    old = identified(app, "sub-1")
    new = identified(app, "sub-2", who=child(district="KZ-TUR-ZHT"))
    app.handle(c.ConfirmDuplicate(new, old, SOCIAL_WORKER, NOW, "same school"))
    again = app.handle(c.Identify(child(district="KZ-TUR-ZHT"), seen("sub-2", "weeding"), NOW))
    assert (again.case_number, again.outcome) == (old, "already recorded")


def test_confirming_a_match_to_an_ended_case_keeps_the_new_episode_open(app: App) -> None:
    old = identified(app, "sub-1")
    close(app, old, ClosureReason.MOVED, NOW.date(), reason="moved")
    new = identified(app, "sub-2", at=NOW + DAY)
    confirmed = app.handle(c.ConfirmDuplicate(new, old, SOCIAL_WORKER, NOW + DAY, "same child"))
    assert not confirmed.merged
    for number, other in ((new, old), (old, new)):
        case = app.handle(c.GetCase(number))
        assert case.history[-1].trigger == "duplicate_confirmed"
        assert case.history[-1].data == {"same_child_as": other}
    assert app.handle(c.GetCase(new)).state == "identified"


def test_a_new_case_with_a_referral_is_not_merged_and_nothing_changes(app: App) -> None:
    old = identified(app, "sub-1")
    new = referred(app, identified(app, "sub-2", who=child(born=date(2013, 5, 4))))
    before = app.handle(c.GetCase(new)), app.handle(c.GetCase(old))
    with pytest.raises(Refused, match=f"cannot merge {new} into {old}: .* has a referral"):
        app.handle(c.ConfirmDuplicate(new, old, SOCIAL_WORKER, NOW, "same child"))
    assert (app.handle(c.GetCase(new)), app.handle(c.GetCase(old))) == before
    assert [f.status for f in open_flags(app)] == [FlagStatus.OPEN]


def test_a_new_case_closed_by_hand_is_merged_without_closing_it_again(app: App) -> None:
    old = identified(app, "sub-1")
    new = referred(app, identified(app, "sub-2", who=child(born=date(2013, 5, 4))))
    close(app, new, ClosureReason.DUPLICATE, NOW.date(), reason=f"of {old}")
    confirmed = app.handle(c.ConfirmDuplicate(new, old, SOCIAL_WORKER, NOW, "same child"))
    assert confirmed.merged
    assert [h.trigger for h in app.handle(c.GetCase(new)).history].count("close") == 1
    assert len(app.handle(c.GetCase(old)).identifications) == 2


def test_dismissing_keeps_the_flag_and_the_pair_is_not_raised_again(app: App) -> None:
    old = identified(app, "sub-1")
    twin = child(born=date(2013, 5, 4))
    new = identified(app, "sub-2", who=twin)
    dismissed = app.handle(c.DismissDuplicate(new, old, SUPERVISOR, NOW, "different mothers"))
    assert (dismissed.status, dismissed.decided_by, dismissed.decision) == (
        FlagStatus.DISMISSED,
        "marat.k",
        "different mothers",
    )
    assert open_flags(app) == []
    assert app.handle(c.ListPossibleDuplicates("dismissed")) == [dismissed]
    close(app, new, ClosureReason.MOVED, NOW.date(), reason="moved")
    later = identified(app, "sub-3", who=twin, at=NOW + DAY)  # the twin's next episode
    assert [(f.new_case, f.old_case) for f in open_flags(app)] == [(later, new)]


@pytest.mark.parametrize(
    ("actor", "reason", "error", "message"),
    [
        (Actor("inspector.b", Role.MONITOR), "same", Refused, "needs a social worker"),
        (SOCIAL_WORKER, " ", InvalidInput, "a reason is required"),
    ],
)
def test_a_decision_needs_staff_and_a_reason(
    app: App, actor: Actor, reason: str, error: type[Exception], message: str
) -> None:
    old = identified(app, "sub-1")
    new = identified(app, "sub-2", who=child(born=date(2013, 5, 4)))
    for command in (c.ConfirmDuplicate, c.DismissDuplicate):
        with pytest.raises(error, match=message):
            app.handle(command(new, old, actor, NOW, reason))
    assert [f.status for f in open_flags(app)] == [FlagStatus.OPEN]


def test_a_flag_is_decided_once_and_an_unknown_pair_is_not_found(app: App) -> None:
    old = identified(app, "sub-1")
    new = identified(app, "sub-2", who=child(born=date(2013, 5, 4)))
    app.handle(c.DismissDuplicate(new, old, SOCIAL_WORKER, NOW, "twins"))
    with pytest.raises(Refused, match="already dismissed by aigul.s"):
        app.handle(c.ConfirmDuplicate(new, old, SOCIAL_WORKER, NOW, "no, the same"))
    with pytest.raises(NotFound, match="was not flagged") as missing:
        app.handle(c.ConfirmDuplicate(old, new, SOCIAL_WORKER, NOW, "same"))
    assert missing.value.field == "case"


def test_the_list_refuses_an_unknown_status_with_the_known_ones(app: App) -> None:
    with pytest.raises(InvalidInput, match="unknown status 'closed'; one of: open, confirmed"):
        app.handle(c.ListPossibleDuplicates("closed"))


class _AssessedMeanwhile(FakeCases):
    """A social worker saves the child's open case just after the identification read it."""

    raced = False  # once per test: the stores are deep-copied on every rollback

    def open_case_of(self, child: ChildKey) -> Case | None:
        case = super().open_case_of(child)
        if case is not None and not _AssessedMeanwhile.raced:
            _AssessedMeanwhile.raced = True
            self.stored[case.number].version += 1  # as the other save left it
        return case


def test_an_identification_racing_a_change_to_the_open_case_is_attached_after_it(
    app: App, uow: FakeUnitOfWork
) -> None:
    number = identified(app, "sub-1")
    uow.cases.__class__ = _AssessedMeanwhile
    _AssessedMeanwhile.raced = False
    again = app.handle(c.Identify(child(), seen("sub-2", "weeding"), NOW))
    assert _AssessedMeanwhile.raced and (again.case_number, again.outcome) == (number, "attached")
    assert len(app.handle(c.GetCase(number)).identifications) == 2
