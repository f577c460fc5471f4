"""What the use cases need from the outside, as protocols and the records they pass:
storage (persistence), reminders' channels (messaging) and the lists (read_models)."""

from clms.ports.messaging import Delivery, MessageSender, OutgoingMessage
from clms.ports.persistence import (
    AccessEntry,
    AccessLog,
    Account,
    Accounts,
    AnswerToken,
    AnswerTokens,
    CaseIndex,
    CaseRepository,
    CheckQueries,
    ChildKey,
    NewReminder,
    Outbox,
    ProviderRepository,
    Staff,
    StaffMember,
    UnitOfWork,
)
from clms.ports.read_models import CaseQuery, CaseSummary, StoredReminder, Submission

__all__ = [
    "AccessEntry",
    "AccessLog",
    "Account",
    "Accounts",
    "AnswerToken",
    "AnswerTokens",
    "CaseIndex",
    "CaseQuery",
    "CaseRepository",
    "CaseSummary",
    "CheckQueries",
    "ChildKey",
    "Delivery",
    "MessageSender",
    "NewReminder",
    "OutgoingMessage",
    "Outbox",
    "ProviderRepository",
    "Staff",
    "StaffMember",
    "StoredReminder",
    "Submission",
    "UnitOfWork",
]
