"""The service directory: who offers which service type, in which districts."""

from __future__ import annotations

from clms.domain.errors import InvalidInput
from clms.domain.model import Provider
from clms.domain.rules import CountryRules
from clms.ports import UnitOfWork


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


def _check(provider: Provider, rules: CountryRules) -> None:
    if not provider.code.strip() or not provider.name.strip():
        raise InvalidInput("a provider needs a code and a name", field="code")
    if not provider.offers:
        raise InvalidInput("a provider must offer at least one service", field="offer")
    rules.district(provider.district)
    for service_type, district in provider.offers:
        rules.service_type(service_type)
        rules.district(district)
