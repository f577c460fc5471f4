"""The directory: the providers a child is referred to, and the staff who get reminders."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer

from clms.cli.plumbing import AsJson, emit, open_app, refusals
from clms.cli.rendering import provider_dict, provider_line
from clms.domain.addresses import EXAMPLE_PHONE
from clms.domain.model import Provider
from clms.messages import languages
from clms.ports import StaffMember
from clms.services import commands as c
from clms.services.directory import StaffChange, parse_offer

providers_app = typer.Typer(help="The service directory.", no_args_is_help=True)
staff_app = typer.Typer(
    help="Who gets the reminders: social workers, supervisors and coordinators.",
    no_args_is_help=True,
)

# The options of `add` and `update`; on `update`, one left out keeps what is stored.
Name = Annotated[str | None, typer.Option()]
Phone = Annotated[
    str | None, typer.Option(help=f"In the international form, e.g. {EXAMPLE_PHONE}.")
]
Email = Annotated[str | None, typer.Option()]
WebhookUrl = Annotated[
    str | None, typer.Option(help="The school system's address that takes attendance checks.")
]
Language = Annotated[
    str | None,
    typer.Option(help=f"Of the messages: {', '.join(languages())} (config/messages)."),
]
Offers = Annotated[
    list[str] | None,
    typer.Option(help="SERVICE_TYPE or SERVICE_TYPE@DISTRICT (repeatable)."),
]
Code = Annotated[str, typer.Argument(help="The provider's code.")]
MemberId = Annotated[int, typer.Argument(help="The member's id (clms staff list).")]


@providers_app.command("add")
def providers_add(
    code: Annotated[str, typer.Option(help="A short unique code.")],
    name: Annotated[str, typer.Option()],
    district: Annotated[str, typer.Option(help="Where the provider is.")],
    offer: Annotated[
        list[str], typer.Option(help="SERVICE_TYPE or SERVICE_TYPE@DISTRICT (repeatable).")
    ],
    phone: Phone = "",
    email: Email = "",
    webhook_url: WebhookUrl = "",
    language: Language = "ru",
    as_json: AsJson = False,
) -> None:
    """Add a provider to the directory, with the services it offers and where."""
    with refusals(as_json):
        system = open_app()
        offers = frozenset(parse_offer(text, district) for text in offer)
        provider = Provider(code, name, district, offers, phone or "", email or "",
                            webhook_url or "", language or "ru")  # fmt: skip
        added = system.handle(c.AddProvider(provider))
        emit(as_json, provider_dict(added), f"added {code}: {name}")


@providers_app.command("update")
def providers_update(
    code: Code,
    name: Name = None,
    phone: Phone = None,
    email: Email = None,
    webhook_url: WebhookUrl = None,
    language: Language = None,
    offer: Offers = None,
    as_json: AsJson = False,
) -> None:
    """Change a provider: only what is given changes (--offer replaces all its offers;
    an empty value, e.g. --phone "", clears a contact)."""
    with refusals(as_json):
        offers = tuple(offer) if offer else None
        command = c.UpdateProvider(code, name, phone, email, webhook_url, language, offers)
        row = provider_dict(open_app().handle(command))
        emit(as_json, row, lambda: f"updated {provider_line(row)}")


@providers_app.command("remove")
def providers_remove(code: Code, as_json: AsJson = False) -> None:
    """Remove a provider with no live referral (its past referrals keep its code)."""
    with refusals(as_json):
        system = open_app()
        system.handle(c.RemoveProvider(code, system.clock()))
        emit(as_json, {"removed": code}, f"removed {code}")


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
        str,
        typer.Option(
            help="social_worker (of a district), supervisor or coordinator (of a region)."
        ),
    ],
    area: Annotated[
        str, typer.Option(help="The district code, or the region's name for a supervisor.")
    ],
    phone: Phone = "",
    email: Email = "",
    language: Language = "ru",
    as_json: AsJson = False,
) -> None:
    """Add a social worker or a supervisor who gets reminders."""
    with refusals(as_json):
        member = StaffMember(name, role, area, phone or "", email or "", language or "ru")
        added = open_app().handle(c.AddStaff(member))
        emit(as_json, asdict(added), f"added {role} {name} for {area} (id {added.id})")


@staff_app.command("update")
def staff_update(
    member_id: MemberId,
    name: Name = None,
    phone: Phone = None,
    email: Email = None,
    language: Language = None,
    area: Annotated[str | None, typer.Option(help="A district, or a supervisor's region.")] = None,
    as_json: AsJson = False,
) -> None:
    """Change a member of staff: only what is given changes."""
    with refusals(as_json):
        command = c.UpdateStaff(member_id, name, phone, email, language, area)
        _emit_change(as_json, open_app().handle(command), "updated")


@staff_app.command("remove")
def staff_remove(member_id: MemberId, as_json: AsJson = False) -> None:
    """Remove a member of staff; warns when their area is left without anybody."""
    with refusals(as_json):
        _emit_change(as_json, open_app().handle(c.RemoveStaff(member_id)), "removed")


@staff_app.command("list")
def staff_list(as_json: AsJson = False) -> None:
    """List the staff who get reminders, with the ids that update and remove take."""
    with refusals(as_json):
        rows = [asdict(m) for m in open_app().handle(c.ListStaff())]
        emit(as_json, rows, lambda: "\n".join(_staff_line(r) for r in rows))


def _staff_line(row: dict[str, Any]) -> str:
    contacts = " ".join(filter(None, (row["phone"], row["email"])))
    return f"{row['id']:>4}  {row['role']:<14} {row['area']:<14} {row['name']} {contacts}"


def _emit_change(as_json: bool, change: StaffChange, done: str) -> None:
    """What was done to the member; a warning (on stderr) when an area is left uncovered."""
    warning = _uncovered_warning(change)
    data = {**asdict(change.member), "uncovered": change.uncovered, "warning": warning}
    emit(as_json, data, f"{done} {_staff_line(asdict(change.member))}")
    if warning:
        typer.echo(f"warning: {warning}", err=True)


def _uncovered_warning(change: StaffChange) -> str | None:
    if change.uncovered is None:
        return None
    role = change.member.role.replace("_", " ")
    return (
        f"{change.uncovered} has no {role} now: its reminders will become tasks nobody "
        "receives until one is added (clms staff add)"
    )
