"""The service directory over HTTP, for the administrator: providers (who offers which
service, where) and the staff who get the reminders. Thin like the rest of the API: each
route is one command for the one door, which decides who may (the administrator adds and
changes; social workers and supervisors read)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from clms.domain.model import Provider
from clms.ports import StaffMember
from clms.services import commands as c
from clms.services.directory import StaffChange, parse_offer
from clms.web import schemas as s
from clms.web.api import _ask
from clms.web.auth import UserApp

router = APIRouter(prefix="/api", tags=["directory"])


@router.post("/providers", status_code=201, response_model=s.ProviderOut)
async def add_provider(system: UserApp, body: s.ProviderIn) -> s.ProviderOut:
    """A provider with the services it offers: each "TYPE" (in its own district) or
    "TYPE@DISTRICT"."""
    offers = frozenset(parse_offer(text, body.district) for text in body.offers)
    provider = Provider(body.code, body.name, body.district, offers, body.phone, body.email,
                        body.webhook_url, body.language)  # fmt: skip
    return s.provider_out(await _ask(system, c.AddProvider(provider)))


@router.patch("/providers/{code}", response_model=s.ProviderOut)
async def update_provider(system: UserApp, code: str, body: s.ProviderChangeIn) -> s.ProviderOut:
    """Changes what the body gives; `offers`, when given, replace them all."""
    given: dict[str, Any] = body.model_dump(exclude_unset=True, exclude_none=True)
    if "offers" in given:
        given["offers"] = tuple(given["offers"])
    return s.provider_out(await _ask(system, c.UpdateProvider(code, **given)))


@router.delete("/providers/{code}", status_code=204)
async def remove_provider(system: UserApp, code: str) -> Response:
    """Refused (422, naming the cases) while a referral to the provider is live."""
    await _ask(system, c.RemoveProvider(code, system.clock()))
    return Response(status_code=204)


@router.get("/staff", response_model=list[s.StaffOut])
async def staff(system: UserApp) -> list[s.StaffOut]:
    return [s.StaffOut.model_validate(m) for m in await _ask(system, c.ListStaff())]


@router.post("/staff", status_code=201, response_model=s.StaffOut)
async def add_staff(system: UserApp, body: s.StaffIn) -> s.StaffOut:
    member = StaffMember(**body.model_dump())
    return s.StaffOut.model_validate(await _ask(system, c.AddStaff(member)))


@router.patch("/staff/{member_id}", response_model=s.StaffChangeOut)
async def update_staff(system: UserApp, member_id: int, body: s.StaffChangeIn) -> Any:
    """Changes what the body gives; `uncovered` names an area the change left without
    anybody of the member's role (its reminders would reach nobody)."""
    given = body.model_dump(exclude_unset=True, exclude_none=True)
    return _change_out(await _ask(system, c.UpdateStaff(member_id, **given)))


@router.delete("/staff/{member_id}", response_model=s.StaffChangeOut)
async def remove_staff(system: UserApp, member_id: int) -> Any:
    return _change_out(await _ask(system, c.RemoveStaff(member_id)))


def _change_out(change: StaffChange) -> s.StaffChangeOut:
    return s.StaffChangeOut(member=s.StaffOut.model_validate(change.member),
                            uncovered=change.uncovered)  # fmt: skip
