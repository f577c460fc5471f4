"""The directory on the database: the service providers with what they offer where, and
the staff who get the reminders."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import Session, col, select

from clms.adapters.db.tables import OfferRow, ProviderRow, StaffRow
from clms.domain.check import Contact
from clms.domain.errors import NotFound
from clms.domain.model import Provider
from clms.ports import StaffMember


class SqlProviderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str) -> Provider:
        row = self.session.exec(select(ProviderRow).where(ProviderRow.code == code)).first()
        if row is None:
            raise NotFound(f"no provider {code!r} in the directory", field="provider")
        return self._provider(row)

    def add(self, provider: Provider) -> None:
        self.session.add(
            ProviderRow(
                code=provider.code,
                name=provider.name,
                district=provider.district,
                phone=provider.phone,
                email=provider.email,
                webhook_url=provider.webhook_url,
                language=provider.language,
            )
        )
        # The provider row first: the offers refer to it.
        self.session.flush()
        for service_type, district in sorted(provider.offers):
            self.session.add(
                OfferRow(provider_code=provider.code, service_type=service_type, district=district)
            )
        self.session.flush()

    def all(self) -> list[Provider]:
        rows = self.session.exec(select(ProviderRow).order_by(col(ProviderRow.code))).all()
        return [self._provider(row) for row in rows]

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


class SqlStaff:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, member: StaffMember) -> None:
        self.session.add(StaffRow(**asdict(member)))
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


def _member(row: StaffRow) -> StaffMember:
    return StaffMember(row.name, row.role, row.area, row.phone, row.email, row.language)
