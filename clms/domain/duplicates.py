"""One child, one case: when two identifications are the same child (the child key), and
when they only may be (a possible duplicate, for a person to confirm or dismiss).

The key folds spellings of one name (clms.domain.names), never different names, so a
birth date typed with day and month the wrong way round, names given in the wrong order,
or a family seen across a district line make a second key. Merging on such a guess could
join two children's histories, which harms as much as losing one; so the new child gets a
case of their own (nobody is lost) and a flag links it to the earlier case until a person
decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from clms.domain.case_events import attach_identification
from clms.domain.errors import InvalidInput, Refused
from clms.domain.lifecycle import Act, fire, note
from clms.domain.model import Case, Child, ClosureReason, Role
from clms.domain.names import name_key


@dataclass(frozen=True)
class ChildKey:
    """What makes two identifications the same child: the district, the birth date and the
    matching keys of the first and last names."""

    district: str
    birth_date: date
    first_key: str
    last_key: str

    @property
    def readable(self) -> bool:
        """A name with no letter the key can read (Arabic, Chinese or Georgian script, "?")
        is no evidence of identity: such a child matches nobody, not even another child
        written so, and resembles nobody either."""
        return bool(self.first_key and self.last_key)


def child_key(child: Child) -> ChildKey:
    return ChildKey(
        child.district, child.birth_date, name_key(child.first_name), name_key(child.last_name)
    )


class Resemblance(StrEnum):
    """Why a new case's child may be an earlier case's child."""

    DAY_AND_MONTH_SWAPPED = "day_and_month_swapped"
    NAMES_SWAPPED = "names_swapped"
    OTHER_DISTRICT = "other_district_of_the_region"
    EARLIER_CASE_ENDED = "earlier_case_ended"

    @property
    def words(self) -> str:
        return RESEMBLANCE_WORDS[self]


RESEMBLANCE_WORDS = {
    Resemblance.DAY_AND_MONTH_SWAPPED: "same names, birth date with day and month swapped",
    Resemblance.NAMES_SWAPPED: "same birth date, first and last names swapped",
    Resemblance.OTHER_DISTRICT: "same names and birth date, in another district of the region",
    Resemblance.EARLIER_CASE_ENDED: "same child as a closed or screened-out case",
}


@dataclass(frozen=True)
class EarlierCase:
    """A case found near a new child, with what the matching rules read of it."""

    number: str
    key: ChildKey
    region: str
    is_open: bool


def swapped_day_and_month(day: date) -> date | None:
    """The date read the other way round (5 April for 4 May), or None when there is none."""
    if day.day == day.month:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:  # a day after the 12th is no month
        return None


def _day_and_month_swapped(new: ChildKey, old: ChildKey) -> bool:
    swapped = swapped_day_and_month(new.birth_date)
    return swapped is not None and old == replace(new, birth_date=swapped)


def _names_swapped(new: ChildKey, old: ChildKey) -> bool:
    return old == replace(new, first_key=new.last_key, last_key=new.first_key)


def _other_district(new: ChildKey, old: ChildKey) -> bool:
    # The country files name each district's region, not its neighbours: every district of
    # the region counts as a neighbour (the lookup reads only the new child's region).
    return old.district != new.district and replace(old, district=new.district) == new


# A near match differs from the child key in one way only; each is looked for in the
# open cases of the new child's region.
NEAR_MATCHES: tuple[tuple[Resemblance, Callable[[ChildKey, ChildKey], bool]], ...] = (
    (Resemblance.DAY_AND_MONTH_SWAPPED, _day_and_month_swapped),
    (Resemblance.NAMES_SWAPPED, _names_swapped),
    (Resemblance.OTHER_DISTRICT, _other_district),
)


def resemblance(new: ChildKey, region: str, earlier: EarlierCase) -> Resemblance | None:
    """Why the child `new` (of `region`) may be the child of `earlier`, or None. The same
    child with an open case is no flag: the identification was attached to that case."""
    if not (new.readable and earlier.key.readable):
        return None
    if earlier.key == new:
        return None if earlier.is_open else Resemblance.EARLIER_CASE_ENDED
    if not earlier.is_open or earlier.region != region:
        return None
    return next((why for why, alike in NEAR_MATCHES if alike(new, earlier.key)), None)


def neighbourhood(key: ChildKey, region: str) -> str:
    """One name shared by every child that `key` may be or resemble by the rules above:
    the region, the birth year, the day and month in either order, the names in either
    order. Identifications in one neighbourhood are recorded one at a time, so that two
    forms for one child arriving at once cannot both open a case."""
    day_and_month = sorted((key.birth_date.day, key.birth_date.month))
    names = sorted((key.first_key, key.last_key))
    return f"{region}|{key.birth_date.year}|{day_and_month}|{names}"


def birth_dates_to_look_for(key: ChildKey) -> tuple[date, ...]:
    swapped = swapped_day_and_month(key.birth_date)
    return (key.birth_date,) if swapped is None else (key.birth_date, swapped)


class FlagStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"  # a person said: the same child
    DISMISSED = "dismissed"  # a person said: different children; never raised again


@dataclass(frozen=True)
class PossibleDuplicate:
    """A new case whose child may be the child of an earlier case."""

    new_case: str
    old_case: str
    resemblance: Resemblance
    flagged_at: datetime
    status: FlagStatus = FlagStatus.OPEN
    decided_by: str = ""
    decided_at: datetime | None = None
    decision: str = ""  # the person's reason


def flags_for(
    new_case: str,
    key: ChildKey,
    region: str,
    earlier: Iterable[EarlierCase],
    said_to_differ: frozenset[ChildKey],
    now: datetime,
) -> list[PossibleDuplicate]:
    """The flags a new case raises against the `earlier` cases found near its child, except
    against children a person already said are not this one (`said_to_differ`)."""
    flags = []
    for case in earlier:
        why = resemblance(key, region, case)
        if why is not None and case.key not in said_to_differ:
            flags.append(PossibleDuplicate(new_case, case.number, why, now))
    return flags


# Who decides whether two cases are one child: the staff who verify children.
DECIDES = (Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True)
class Confirmed:
    flag: PossibleDuplicate
    merged: bool  # the new case closed into the earlier one, its identifications moved


def confirm(flag: PossibleDuplicate, new: Case, old: Case, act: Act) -> Confirmed:
    """The person says the two cases are one child. An earlier case still open goes on: the
    new one closes as its duplicate and its identifications join it, as if attached to it
    (they may raise its category). An earlier case that ended stays ended: the new case is
    the child's new episode, and both cases record that they are one child."""
    settled = _settle(flag, FlagStatus.CONFIRMED, act)
    if not old.is_open:
        for case, other in ((new, old), (old, new)):
            note(case, "duplicate_confirmed", replace(act, data={"same_child_as": other.number}))
        return Confirmed(settled, merged=False)
    _close_as_duplicate(new, old, act)
    moved, new.identifications = new.identifications, []
    for identification in moved:
        merged = f"from {new.number}, confirmed the same child: {act.reason}"
        attach_identification(old, identification, replace(act, reason=merged))
    return Confirmed(settled, merged=True)


def dismiss(flag: PossibleDuplicate, act: Act) -> PossibleDuplicate:
    """The person says the two cases are different children."""
    return _settle(flag, FlagStatus.DISMISSED, act)


def _close_as_duplicate(new: Case, old: Case, act: Act) -> None:
    if not new.is_open:  # closed by hand already: only its identifications move
        return
    if new.referrals:  # closing would cancel a referral or end a service in progress
        raise Refused(
            f"cannot merge {new.number} into {old.number}: {new.number} has a referral "
            f"({new.referrals[-1].state}); settle it, close {new.number} as a duplicate by "
            "hand, then confirm"
        )
    reason = f"duplicate of {old.number}: {act.reason}"
    data = {"closure": ClosureReason.DUPLICATE.value, "duplicate_of": old.number}
    fire(new, "close", replace(act, closure=ClosureReason.DUPLICATE, reason=reason, data=data))


def _settle(flag: PossibleDuplicate, status: FlagStatus, act: Act) -> PossibleDuplicate:
    if act.actor.role not in DECIDES:
        raise Refused(
            f"cannot decide a possible duplicate as {act.actor.role.value}: "
            "needs a social worker or a supervisor"
        )
    if flag.status is not FlagStatus.OPEN:
        raise Refused(
            f"{flag.new_case} and {flag.old_case} were already {flag.status.value} by "
            f"{flag.decided_by} on {flag.decided_at:%Y-%m-%d}"
        )
    if not act.reason.strip():
        raise InvalidInput("say why: a reason is required", field="reason")
    return replace(flag, status=status, decided_by=act.actor.name, decided_at=act.now,
                   decision=act.reason)  # fmt: skip
