"""The composition root: the one place that picks the database, the rules and the clock,
and the one door (`App.handle`) through which the CLI, the flows, the pages, the demo and
the tests ask for a use case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import TypeVar

from sqlalchemy import Engine

from clms.adapters.db.engine import make_engine
from clms.adapters.db.uow import SqlUnitOfWork
from clms.config_files import load_country
from clms.domain.access import SYSTEM, User
from clms.domain.outbox import RetryPolicy
from clms.domain.rules import CountryRules
from clms.ports import MessageSender, UnitOfWork
from clms.ports.passwords import PasswordHasher
from clms.services.access import admit
from clms.services.commands import Command
from clms.services.handlers import Dependencies, handler_for
from clms.services.telling import Links
from clms.settings import Settings

# The setting that turns each optional channel on (see `App.senders`), for the message
# that says why reminders wait.
CHANNEL_SETTINGS = {"sms": "CLMS_SMS_URL", "email": "CLMS_SMTP_HOST"}

Clock = Callable[[], datetime]
Result = TypeVar("Result")


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    rules: CountryRules
    engine: Engine
    clock: Clock = field(default=system_clock)
    # Another storage for the same use cases: the tests' in-memory fakes.
    uow_factory: Callable[[], UnitOfWork] | None = None
    # Who asks: the system itself (the flows, the schedule), or a person (acting_as).
    user: User = SYSTEM

    def handle(self, command: Command[Result]) -> Result:
        """Runs the use case `command` asks for, if this App's user may, and returns its
        result (clms.services.access: refused and logged otherwise)."""
        deps = self.dependencies()
        admitted = admit(command, self.user, deps.new_uow, self.rules, self.clock())
        result: Result = handler_for(admitted)(admitted, deps)
        return result

    def acting_as(self, user: User) -> App:
        """The same system, asked by `user`: every command checked and made the server's."""
        return replace(self, user=user)

    def dependencies(self) -> Dependencies:
        s = self.settings
        return Dependencies(self.uow, self.rules, self.clock, self.links(), self.senders,
                            self.retry_policy(), s.check_chunk_size, s.delivery_batch,
                            _passwords())  # fmt: skip

    def uow(self) -> UnitOfWork:
        return self.uow_factory() if self.uow_factory else SqlUnitOfWork(self.engine, self.rules)

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
                                          s.smtp_password, s.smtp_starttls,
                                          secret=s.webhook_secret.encode())  # fmt: skip
        return senders

    def migrate(self) -> None:
        from clms.adapters.db.migrate import upgrade  # Alembic is needed only here

        upgrade(self.settings.database_url)

    def grant_app_role(self, role: str) -> list[str]:
        """As the owner, on PostgreSQL: what the application's role may do (README)."""
        from clms.adapters.db.roles import grant_app_role

        return grant_app_role(self.engine, role)


@cache
def _passwords() -> PasswordHasher:
    from clms.adapters.passwords import Argon2Passwords

    return Argon2Passwords()


def bootstrap(settings: Settings | None = None, clock: Clock = system_clock) -> App:
    settings = settings or Settings()
    rules = load_country(settings.country, settings.config_dir)
    engine = make_engine(settings.database_url, settings.busy_timeout_seconds)
    return App(settings, rules, engine, clock)


# The App of this process for the flows: the embedded mode and the tests hand theirs in
# (use_app); a Prefect worker, which only imports the flows, builds one from settings.
_current: App | None = None


def use_app(app: App | None) -> None:
    global _current
    _current = app


def current_app() -> App:
    global _current
    if _current is None:
        _current = bootstrap()
    return _current
