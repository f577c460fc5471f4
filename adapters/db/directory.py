"""The directory on the database: the service providers with what they offer where, and
the staff who get the reminders."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from clms.adapters.db.tables import OfferRow, ProviderRow, StaffRow
from clms.domain.check import Contact
from clms.domain.errors import NotFound
from clms.domain.model import Provider
from clms.ports import StaffMember


class SqlProviderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str) -> Provider:
        return self._provider(self._row(code))

    def add(self, provider: Provider) -> None:
        self.session.add(ProviderRow(code=provider.code, **_details(provider)))
        # The provider row first: the offers refer to it.
        self.session.flush()
        self._add_offers(provider)

    def all(self) -> list[Provider]:
        rows = self.session.exec(_listed().order_by(col(ProviderRow.code))).all()
        return [self._provider(row) for row in rows]

    def save(self, provider: Provider) -> None:
        row = self._row(provider.code)
        for name, value in _details(provider).items():
            setattr(row, name, value)
        self._delete_offers(provider.code)
        self._add_offers(provider)

    def remove(self, code: str, now: datetime) -> None:
        self._row(code).removed_at = now
        self._delete_offers(code)

    def removed_at(self, code: str) -> datetime | None:
        query = select(ProviderRow.removed_at).where(ProviderRow.code == code)
        return self.session.exec(query).first()

    def _row(self, code: str) -> ProviderRow:
        row = self.session.exec(_listed().where(ProviderRow.code == code)).first()
        if row is None:
            raise NotFound(f"no provider {code!r} in the directory", field="provider")
        return row

    def _add_offers(self, provider: Provider) -> None:
        for service_type, district in sorted(provider.offers):
            self.session.add(
                OfferRow(provider_code=provider.code, service_type=service_type, district=district)
            )
        self.session.flush()

    def _delete_offers(self, code: str) -> None:
        self.session.exec(delete(OfferRow).where(col(OfferRow.provider_code) == code))

    def _provider(self, row: ProviderRow) -> Provider:
        offers = self.session.exec(select(OfferRow).where(OfferRow.provider_code == row.code)).all()
        served = frozenset((o.service_type, o.district) for o in offers)
        return Provider(
            row.code,
            row.name,
            row.district,
            served,
            row.phone,
            row.email,
            row.webhook_url,
            row.language,
        )


def _listed() -> SelectOfScalar[ProviderRow]:
    """The providers in the directory: not the removed ones."""
    return select(ProviderRow).where(col(ProviderRow.removed_at).is_(None))


def _details(provider: Provider) -> dict[str, Any]:
    """The provider's columns but its code, which never changes."""
    return {"name": provider.name, "district": provider.district, "phone": provider.phone,
            "email": provider.email, "webhook_url": provider.webhook_url,
            "language": provider.language}  # fmt: skip


class SqlStaff:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, member: StaffMember) -> StaffMember:
        row = StaffRow(**asdict(replace(member, id=None)))
        self.session.add(row)
        self.session.flush()
        return _member(row)

    def get(self, member_id: int) -> StaffMember:
        return _member(self._row(member_id))

    def save(self, member: StaffMember) -> None:
        assert member.id is not None, "a member is saved after it was got"
        row = self._row(member.id)
        for name, value in asdict(member).items():
            setattr(row, name, value)
        self.session.flush()

    def remove(self, member_id: int) -> None:
        self.session.delete(self._row(member_id))
        self.session.flush()

    def all(self) -> list[StaffMember]:
        rows = self.session.exec(select(StaffRow).order_by(col(StaffRow.id))).all()
        return [_member(row) for row in rows]

    def contact(self, role: str, area: str) -> Contact | None:
        """The first staff member of `role` for `area`: the one reminders go to."""
        query = select(StaffRow).where(StaffRow.role == role, StaffRow.area == area)
        member = self.session.exec(query.order_by(col(StaffRow.id))).first()
        if member is None:
            return None
        return Contact(member.name, member.phone, member.email, "", member.language)

    def _row(self, member_id: int) -> StaffRow:
        row = self.session.get(StaffRow, member_id)
        if row is None:
            raise NotFound(f"no staff member with id {member_id}", field="staff")
        return row


def _member(row: StaffRow) -> StaffMember:
    return StaffMember(row.name, row.role, row.area, row.phone, row.email, row.language, row.id)
