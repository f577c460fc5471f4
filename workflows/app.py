"""The flows' composition root: the App the flows work with in this process. The
embedded mode and the tests hand theirs in; a Prefect worker builds one from settings."""

from __future__ import annotations

from clms.bootstrap import App, bootstrap

_app: App | None = None


def use_app(app: App | None) -> None:
    global _app
    _app = app


def current_app() -> App:
    global _app
    if _app is None:
        _app = bootstrap()
    return _app
