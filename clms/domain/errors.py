"""Every refusal is an error a person can read and act on; none leaves anything written.

The errors say what went wrong, never how to show it: the edges map their types to exit
codes (clms.cli.plumbing) and HTTP statuses (clms.web)."""

from collections.abc import Iterable


class ClmsError(Exception):
    """Base of the refusals."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"error": type(self).__name__, "message": self.message, "field": self.field}


class InvalidInput(ClmsError):
    """A value is wrong in itself: an age of 19, an unknown district, a future birth date."""


def one_of(value: str, known: Iterable[str], field: str) -> str:
    """`value` if it is one of `known`; else a refusal that lists them, so that a typo in
    a filter is not read as "nothing matches"."""
    choices = list(known)
    if value not in choices:
        raise InvalidInput(f"unknown {field} {value!r}; one of: {', '.join(choices)}", field=field)
    return value


class NotFound(ClmsError):
    pass


class Refused(ClmsError):
    """The action is not allowed now: a transition from the wrong state, a rule not met."""

    def __init__(self, message: str, *, allowed_now: list[str] | None = None) -> None:
        self.allowed_now = allowed_now or []
        suffix = f" (allowed now: {', '.join(self.allowed_now) or 'nothing'})"
        super().__init__(message + (suffix if allowed_now is not None else ""))


class Conflict(ClmsError):
    """Somebody else changed the case since it was read: reload and try again."""


class DuplicateSubmission(Conflict):
    """Two deliveries of one form submission raced; the first one was recorded."""


BUSY = "the database is busy (another process is writing): nothing was written; try again"


class StorageBusy(Exception):
    """Another process holds the database's write lock beyond the wait: nothing was written,
    and the same request will work once it lets go. Not a refusal (nothing is wrong with the
    request), so it is not a ClmsError: the edges answer "try again" (HTTP 503, exit 6)."""

    def __init__(self, message: str = BUSY) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, str | None]:
        return {"error": type(self).__name__, "message": self.message, "field": None}
