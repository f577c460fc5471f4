"""Every refusal is an error a person can read and act on; none leaves anything written."""


class ClmsError(Exception):
    """Base of the refusals; `exit_code` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"error": type(self).__name__, "message": self.message, "field": self.field}


class InvalidInput(ClmsError):
    """A value is wrong in itself: an age of 19, an unknown district, a future birth date."""

    exit_code = 2


class NotFound(ClmsError):
    exit_code = 3


class Refused(ClmsError):
    """The action is not allowed now: a transition from the wrong state, a rule not met."""

    exit_code = 4

    def __init__(self, message: str, *, allowed_now: list[str] | None = None) -> None:
        self.allowed_now = allowed_now or []
        suffix = f" (allowed now: {', '.join(self.allowed_now) or 'nothing'})"
        super().__init__(message + (suffix if allowed_now is not None else ""))


class Conflict(ClmsError):
    """Somebody else changed the case since it was read: reload and try again."""

    exit_code = 5


class DuplicateSubmission(Conflict):
    """Two deliveries of one form submission raced; the first one was recorded."""
