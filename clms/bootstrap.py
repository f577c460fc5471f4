"""The composition root: the one place that picks the database, the rules and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from clms.adapters.db.engine import make_engine
from clms.adapters.db.uow import SqlUnitOfWork
from clms.config_files import load_country
from clms.domain.outbox import RetryPolicy
from clms.domain.rules import CountryRules
from clms.ports import MessageSender
from clms.services.check import Links
from clms.settings import Settings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    rules: CountryRules
    engine: Engine
    clock: Clock = field(default=system_clock)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.rules)

    def links(self) -> Links:
        return Links(self.settings.public_url, self.settings.secret_key.encode())

    def retry_policy(self) -> RetryPolicy:
        s = self.settings
        return RetryPolicy(s.delivery_max_attempts, s.delivery_base_delay_seconds,
                           s.delivery_max_delay_seconds, s.delivery_lease_seconds)  # fmt: skip

    def senders(self) -> dict[str, MessageSender]:
        """The adapters of the channels that are configured; the others wait."""
        from clms.adapters.email import SmtpSender
        from clms.adapters.school_webhook import SchoolWebhook
        from clms.adapters.sms import HttpSmsGateway

        s = self.settings
        senders: dict[str, MessageSender] = {"webhook": SchoolWebhook(s.webhook_secret.encode())}
        if s.sms_url:
            senders["sms"] = HttpSmsGateway(s.sms_url, s.sms_token, s.sms_sender)
        if s.smtp_host:
            senders["email"] = SmtpSender(s.smtp_host, s.smtp_port, s.smtp_sender, s.smtp_username,
                                          s.smtp_password, s.smtp_starttls)  # fmt: skip
        return senders

    def migrate(self) -> None:
        from clms.adapters.db.migrate import upgrade  # Alembic is needed only here

        upgrade(self.settings.database_url)


def bootstrap(settings: Settings | None = None, clock: Clock = system_clock) -> App:
    settings = settings or Settings()
    rules = load_country(settings.country, settings.config_dir)
    return App(settings, rules, make_engine(settings.database_url), clock)
