"""The service directory: who offers which service type, in which districts; and the staff
who get the reminders. Every address is checked (clms.domain.addresses) before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from clms.domain.addresses import CONTACT_FIELDS, checked_contact
from clms.domain.errors import InvalidInput, Refused
from clms.domain.model import Provider, Role
from clms.domain.rules import CountryRules
from clms.messages import languages
from clms.ports import StaffMember, UnitOfWork
from clms.services import commands as c
from clms.states import referral as referral_states

# How many of the cases that keep a provider in the directory a refusal names.
CASES_NAMED = 5

Listed = TypeVar("Listed", Provider, StaffMember)


@dataclass(frozen=True)
class StaffChange:
    """A member as changed (or as it was, when removed), and the area the change left
    without anybody of the member's role: its reminders become tasks nobody receives."""

    member: StaffMember
    uncovered: str | None = None


def parse_offer(text: str, home_district: str) -> tuple[str, str]:
    """`school` (in the provider's own district) or `school@KZ-TUR-MAK`."""
    service_type, _, district = text.partition("@")
    return service_type.strip(), (district or home_district).strip()


def add_provider(provider: Provider, uow: UnitOfWork, rules: CountryRules) -> Provider:
    provider = _checked_provider(provider, rules)
    with uow:
        _refuse_a_taken_code(provider.code, uow)
        uow.providers.add(provider)
        uow.commit()
    return provider


def update_provider(cmd: c.UpdateProvider, uow: UnitOfWork, rules: CountryRules) -> Provider:
    """Only what the command gives changes; offers, when given, replace them all."""
    with uow:
        stored = uow.providers.get(cmd.code)
        changes = _given(cmd, "name", *CONTACT_FIELDS)
        if cmd.offers is not None:
            changes["offers"] = frozenset(parse_offer(t, stored.district) for t in cmd.offers)
        provider = _checked_provider(replace(stored, **changes), rules)
        uow.providers.save(provider)
        uow.commit()
    return provider


def remove_provider(cmd: c.RemoveProvider, uow: UnitOfWork) -> None:
    """Refused while a referral to the provider holds a child's place; the past referrals
    keep its code."""
    with uow:
        uow.providers.get(cmd.code)
        live = uow.cases.referred_to(cmd.code, referral_states.LIVE)
        if live:
            raise Refused(
                f"cannot remove {cmd.code}: {_cases(live)} a live referral to it; it can "
                "go once they have ended (declined, expired, completed, or the case closed)"
            )
        uow.providers.remove(cmd.code, cmd.now)
        uow.commit()


def list_providers(uow: UnitOfWork) -> list[Provider]:
    with uow:
        return uow.providers.all()


def add_staff(member: StaffMember, uow: UnitOfWork, rules: CountryRules) -> StaffMember:
    """A social worker (for a district) or a supervisor (for a region) who gets reminders."""
    member = _checked_member(member, rules)
    with uow:
        stored = uow.staff.add(member)
        uow.commit()
    return stored


def update_staff(cmd: c.UpdateStaff, uow: UnitOfWork, rules: CountryRules) -> StaffChange:
    """Only what the command gives changes; a new area may leave the old one uncovered."""
    with uow:
        stored = uow.staff.get(cmd.member_id)
        changed = replace(stored, **_given(cmd, "name", "area", *CONTACT_FIELDS))
        member = _checked_member(changed, rules)
        uow.staff.save(member)
        moved = member.area != stored.area
        change = StaffChange(member, _uncovered(stored, uow) if moved else None)
        uow.commit()
    return change


def remove_staff(cmd: c.RemoveStaff, uow: UnitOfWork) -> StaffChange:
    with uow:
        member = uow.staff.get(cmd.member_id)
        uow.staff.remove(cmd.member_id)
        change = StaffChange(member, _uncovered(member, uow))
        uow.commit()
    return change


def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    with uow:
        return uow.staff.all()


def _given(cmd: object, *names: str) -> dict[str, Any]:
    """The fields of `cmd` among `names` that were given (None: leave as it is)."""
    values = {name: getattr(cmd, name, None) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def _uncovered(member: StaffMember, uow: UnitOfWork) -> str | None:
    """`member`'s area, if nobody of its role is left there."""
    return member.area if uow.staff.contact(member.role, member.area) is None else None


def _cases(numbers: list[str]) -> str:
    """ "2 cases (KZ-000001, KZ-000002) have", the first few named."""
    named = ", ".join(numbers[:CASES_NAMED])
    more = f" and {len(numbers) - CASES_NAMED} more" if len(numbers) > CASES_NAMED else ""
    count = "1 case" if len(numbers) == 1 else f"{len(numbers)} cases"
    return f"{count} ({named}{more}) {'has' if len(numbers) == 1 else 'have'}"


def _refuse_a_taken_code(code: str, uow: UnitOfWork) -> None:
    removed = uow.providers.removed_at(code)
    if removed is not None:
        raise InvalidInput(
            f"provider {code!r} was removed from the directory on {removed:%Y-%m-%d}; its "
            "past referrals keep the code: choose another one",
            field="code",
        )
    if any(known.code == code for known in uow.providers.all()):
        raise InvalidInput(f"provider {code!r} is already in the directory", field="code")


def _with_checked_contact(listed: Listed) -> Listed:
    """`listed` with its phone, e-mail, webhook and language checked and as stored."""
    given = {f.name: getattr(listed, f.name) for f in fields(listed) if f.name in CONTACT_FIELDS}
    checked: dict[str, Any] = checked_contact(given, languages())
    return replace(listed, **checked)


def _checked_member(member: StaffMember, rules: CountryRules) -> StaffMember:
    if _staff_role(member.role).area == "district":
        rules.district(member.area)
    else:
        _check_region(member.area, rules)
    if not member.name.strip():
        raise InvalidInput("a name is required", field="name")
    return _with_checked_contact(member)


def _staff_role(role: str) -> Role:
    """Only the roles responsible for an area get reminders."""
    known = [r for r in Role if r.area]
    if role not in known:
        raise InvalidInput(f"role must be {' or '.join(known)}", field="role")
    return Role(role)


def _check_region(region: str, rules: CountryRules) -> None:
    regions = sorted({d.region for d in rules.districts.values()})
    if region not in regions:
        raise InvalidInput(f"unknown region {region!r}; known: {', '.join(regions)}", field="area")


def _checked_provider(provider: Provider, rules: CountryRules) -> Provider:
    if not provider.code.strip():
        raise InvalidInput("a provider needs a code", field="code")
    if not provider.name.strip():
        raise InvalidInput("a provider needs a name", field="name")
    if not provider.offers:
        raise InvalidInput("a provider must offer at least one service", field="offer")
    rules.district(provider.district)
    for service_type, district in provider.offers:
        rules.service_type(service_type)
        rules.district(district)
    return _with_checked_contact(provider)
