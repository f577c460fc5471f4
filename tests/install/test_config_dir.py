"""CLMS_CONFIG_DIR names a deployment's own copy of config/, and everything that reads
config reads it from there: the settings, the country rules and the reminders' texts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clms.bootstrap import App
from clms.config_files import DEFAULT_CONFIG_DIR, configured_config_dir
from clms.messages import render
from clms.settings import Settings
from tests.builders import DAY, NOW, add_contacts, identified, reminders_of, run_check

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite is enough here: what is tested is where the texts come from."""
    return f"sqlite:///{tmp_path}/clms.db"


@pytest.fixture
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped config whose messages say "OWN" where they said "CLMS"."""
    folder = tmp_path / "own-config"
    shutil.copytree(DEFAULT_CONFIG_DIR, folder, ignore=shutil.ignore_patterns("__*"))
    for messages in (folder / "messages").glob("*.toml"):
        text = messages.read_text(encoding="utf-8")
        messages.write_text(text.replace("CLMS:", "OWN:"), encoding="utf-8")
    monkeypatch.setenv("CLMS_CONFIG_DIR", str(folder))
    return folder


def test_in_a_checkout_the_shipped_config_is_the_top_level_config_folder() -> None:
    assert DEFAULT_CONFIG_DIR.resolve() == ROOT / "config"


def test_without_clms_config_dir_the_shipped_config_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLMS_CONFIG_DIR", raising=False)
    assert configured_config_dir() == DEFAULT_CONFIG_DIR
    assert render("fix_contact", "en", {"recipient": "x", "case": "KZ-1"})[0].startswith("CLMS:")


def test_the_message_templates_come_from_clms_config_dir(own_config: Path) -> None:
    subject, body = render("fix_contact", "en", {"recipient": "School No. 3", "case": "KZ-1"})
    assert subject == "OWN: no contact for School No. 3"
    assert body.startswith("OWN: a message for School No. 3 about case KZ-1")


def test_the_daily_checks_reminders_use_the_templates_of_clms_config_dir(
    app: App, own_config: Path
) -> None:
    add_contacts(app)
    number = identified(app, "a")
    run_check(app, NOW + 8 * DAY)
    [reminder] = reminders_of(app, number)
    assert reminder.rule == "not_assessed" and reminder.body.startswith("OWN:")


def test_settings_toml_is_read_from_clms_config_dir(own_config: Path) -> None:
    settings = (own_config / "settings.toml").read_text(encoding="utf-8")
    own = settings.replace("http://127.0.0.1:8000", "https://clms.example.kz")
    (own_config / "settings.toml").write_text(own, encoding="utf-8")
    assert Settings().public_url == "https://clms.example.kz"
    assert Settings().config_dir == own_config


def test_an_environment_variable_still_overrides_settings_toml_of_clms_config_dir(
    own_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLMS_COUNTRY", "tj")
    assert Settings().country == "tj"
