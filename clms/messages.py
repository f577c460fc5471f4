"""The message templates in messages/<language>.toml of the config directory."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from clms.config_files import configured_config_dir

FALLBACK_LANGUAGE = "ru"


def languages(config_dir: Path | None = None) -> list[str]:
    """The languages that have message templates: those a contact may be written to in.
    From `config_dir`, by default the one the templates are rendered from."""
    folder = (config_dir or configured_config_dir()) / "messages"
    return sorted(path.stem for path in folder.glob("*.toml"))


@cache
def templates(language: str, config_dir: Path) -> dict[str, dict[str, str]]:
    path = config_dir / "messages" / f"{language}.toml"
    if not path.is_file():
        path = config_dir / "messages" / f"{FALLBACK_LANGUAGE}.toml"
    with path.open("rb") as file:
        return tomllib.load(file)


def render(
    name: str, language: str, values: dict[str, str], config_dir: Path | None = None
) -> tuple[str, str]:
    """The subject and body of message `name`, in `language` (Russian when there is none),
    from `config_dir`, by default the one CLMS_CONFIG_DIR names, as for the country rules."""
    template = templates(language, config_dir or configured_config_dir())[name]
    return template["subject"].format(**values), template["body"].format(**values)
