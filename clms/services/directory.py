"""The service directory: who offers which service type, in which districts."""

from __future__ import annotations

from clms.domain.errors import InvalidInput
from clms.domain.model import Provider, Role
from clms.domain.rules import CountryRules
from clms.ports import StaffMember, UnitOfWork


def parse_offer(text: str, home_district: str) -> tuple[str, str]:
    """`school` (in the provider's own district) or `school@KZ-TUR-MAK`."""
    service_type, _, district = text.partition("@")
    return service_type.strip(), (district or home_district).strip()


def add_provider(provider: Provider, uow: UnitOfWork, rules: CountryRules) -> None:
    _check(provider, rules)
    with uow:
        if any(known.code == provider.code for known in uow.providers.all()):
            raise InvalidInput(
                f"provider {provider.code!r} is already in the directory", field="code"
            )
        uow.providers.add(provider)
        uow.commit()


def list_providers(uow: UnitOfWork) -> list[Provider]:
    with uow:
        return uow.providers.all()


def add_staff(member: StaffMember, uow: UnitOfWork, rules: CountryRules) -> None:
    """A social worker (for a district) or a supervisor (for a region) who gets reminders."""
    if _staff_role(member.role).area == "district":
        rules.district(member.area)
    else:
        _check_region(member.area, rules)
    if not member.name.strip():
        raise InvalidInput("a name is required", field="name")
    with uow:
        uow.staff.add(member)
        uow.commit()


def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    with uow:
        return uow.staff.all()


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


def _check(provider: Provider, rules: CountryRules) -> None:
    if not provider.code.strip() or not provider.name.strip():
        raise InvalidInput("a provider needs a code and a name", field="code")
    if not provider.offers:
        raise InvalidInput("a provider must offer at least one service", field="offer")
    rules.district(provider.district)
    for service_type, district in provider.offers:
        rules.service_type(service_type)
        rules.district(district)
