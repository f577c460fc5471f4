"""Logging in: the lock after repeated failures, sessions that end, one answer for every
kind of wrong login."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from clms.bootstrap import App
from clms.domain.access import (
    LOCK_AFTER_FAILURES,
    LOCK_FOR,
    SESSION_LIFETIME,
    NotAuthenticated,
    User,
)
from clms.domain.model import Role
from clms.domain.rules import CountryRules
from clms.services import commands as c
from tests.builders import NOW, app_over, fakes_with_providers

PASSWORD = "long enough, and secret"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clocked(kz: CountryRules) -> tuple[App, Clock]:
    clock = Clock()
    system = replace(app_over(fakes_with_providers(), kz), clock=clock)
    system.handle(c.AddUser(User("aigul.s", Role.SOCIAL_WORKER, "KZ-TUR-MAK"), PASSWORD))
    return system, clock


def test_repeated_failures_lock_the_account_even_for_the_right_password_until_the_wait_ends(
    clocked: tuple[App, Clock],
) -> None:
    system, clock = clocked
    for _ in range(LOCK_AFTER_FAILURES):
        with pytest.raises(NotAuthenticated):
            system.handle(c.LogIn("aigul.s", "wrong guess, long"))
    with pytest.raises(NotAuthenticated) as locked:
        system.handle(c.LogIn("aigul.s", PASSWORD))
    with pytest.raises(NotAuthenticated) as unknown:
        system.handle(c.LogIn("nobody.here", PASSWORD))
    assert locked.value.message == unknown.value.message  # a guess learns nothing
    clock.now += LOCK_FOR + timedelta(seconds=1)
    assert system.handle(c.LogIn("aigul.s", PASSWORD)).user.username == "aigul.s"


def test_a_session_ends_when_it_expires_and_when_its_user_is_disabled(
    clocked: tuple[App, Clock],
) -> None:
    system, clock = clocked
    page = system.handle(c.LogIn("aigul.s", PASSWORD, "page")).token
    api = system.handle(c.LogIn("aigul.s", PASSWORD, "api")).token
    clock.now += SESSION_LIFETIME["page"] + timedelta(seconds=1)
    with pytest.raises(NotAuthenticated):
        system.handle(c.WhoHolds(page))
    assert system.handle(c.WhoHolds(api))[1] == "api"
    system.handle(c.DisableUser("aigul.s"))
    with pytest.raises(NotAuthenticated):
        system.handle(c.WhoHolds(api))
    with pytest.raises(NotAuthenticated):
        system.handle(c.LogIn("aigul.s", PASSWORD))
