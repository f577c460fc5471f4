"""The message templates in config/messages/<language>.toml."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from clms.config_files import DEFAULT_CONFIG_DIR

FALLBACK_LANGUAGE = "ru"


@cache
def templates(language: str, config_dir: Path = DEFAULT_CONFIG_DIR) -> dict[str, dict[str, str]]:
    path = config_dir / "messages" / f"{language}.toml"
    if not path.is_file():
        path = config_dir / "messages" / f"{FALLBACK_LANGUAGE}.toml"
    with path.open("rb") as file:
        return tomllib.load(file)


def render(
    name: str, language: str, values: dict[str, str], config_dir: Path = DEFAULT_CONFIG_DIR
) -> tuple[str, str]:
    """The subject and body of message `name`, in `language` (Russian when there is none)."""
    template = templates(language, config_dir)[name]
    return template["subject"].format(**values), template["body"].format(**values)
