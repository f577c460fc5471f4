"""The directory: the providers a child is referred to, and the staff who get reminders."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from clms.cli.plumbing import AsJson, emit, open_app, refusals
from clms.cli.rendering import provider_dict, provider_line
from clms.domain.model import Provider
from clms.ports import StaffMember
from clms.services import commands as c
from clms.services.directory import parse_offer

providers_app = typer.Typer(help="The service directory.", no_args_is_help=True)
staff_app = typer.Typer(
    help="Who gets the reminders: social workers and supervisors.", no_args_is_help=True
)


@providers_app.command("add")
def providers_add(
    code: Annotated[str, typer.Option(help="A short unique code.")],
    name: Annotated[str, typer.Option()],
    district: Annotated[str, typer.Option(help="Where the provider is.")],
    offer: Annotated[
        list[str], typer.Option(help="SERVICE_TYPE or SERVICE_TYPE@DISTRICT (repeatable).")
    ],
    phone: Annotated[str, typer.Option()] = "",
    email: Annotated[str, typer.Option()] = "",
    as_json: AsJson = False,
) -> None:
    """Add a provider to the directory, with the services it offers and where."""
    with refusals(as_json):
        system = open_app()
        offers = frozenset(parse_offer(text, district) for text in offer)
        provider = Provider(code, name, district, offers, phone, email)
        system.handle(c.AddProvider(provider))
        emit(as_json, provider_dict(provider), f"added {code}: {name}")


@providers_app.command("list")
def providers_list(as_json: AsJson = False) -> None:
    """List the directory."""
    with refusals(as_json):
        rows = [provider_dict(p) for p in open_app().handle(c.ListProviders())]
        emit(as_json, rows, lambda: "\n".join(provider_line(r) for r in rows))


@staff_app.command("add")
def staff_add(
    name: Annotated[str, typer.Option()],
    role: Annotated[
        str, typer.Option(help="social_worker (of a district) or supervisor (of a region).")
    ],
    area: Annotated[
        str, typer.Option(help="The district code, or the region's name for a supervisor.")
    ],
    phone: Annotated[str, typer.Option()] = "",
    email: Annotated[str, typer.Option()] = "",
    language: Annotated[str, typer.Option(help="ru, kk or en.")] = "ru",
    as_json: AsJson = False,
) -> None:
    """Add a social worker or a supervisor who gets reminders."""
    with refusals(as_json):
        system = open_app()
        member = StaffMember(name, role, area, phone, email, language)
        system.handle(c.AddStaff(member))
        emit(as_json, asdict(member), f"added {role} {name} for {area}")


@staff_app.command("list")
def staff_list(as_json: AsJson = False) -> None:
    """List the staff who get reminders."""
    with refusals(as_json):
        rows = [asdict(m) for m in open_app().handle(c.ListStaff())]
        emit(
            as_json,
            rows,
            lambda: "\n".join(
                f"{r['role']:<14} {r['area']:<14} {r['name']} {r['phone']} {r['email']}"
                for r in rows
            ),
        )
