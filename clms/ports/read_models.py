"""What the lists show: queries and the rows they return, never whole aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CaseQuery:
    state: str | None = None
    district: str | None = None
    priority: str | None = None
    overdue_at: datetime | None = None  # only cases whose next action was due before this
    ready_to_close: bool | None = None  # only those ready (True) or not ready (False)
    limit: int = 100
    region: str | None = None
    offset: int = 0  # for paging: how many of the ordered list to skip


@dataclass(frozen=True)
class CaseSummary:
    number: str
    name: str
    district: str
    category: str
    priority: str
    state: str
    alternative_status: str
    next_action_due: datetime | None
    version: int
    ready_to_close: bool = False


@dataclass(frozen=True)
class Submission:
    """A monitor's own identification, as they see it afterwards: that it arrived, and as
    which case and category."""

    submission_id: str
    recorded_at: datetime
    case_number: str
    name: str
    district: str
    category: str


@dataclass(frozen=True)
class StoredReminder:
    id: int
    key: str
    case_number: str
    rule: str
    recipient: str
    channel: str
    address: str
    subject: str
    body: str
    payload: dict[str, object]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
