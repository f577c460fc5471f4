"""Settings: config/settings.toml, overridden by CLMS_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from clms.config_files import DEFAULT_CONFIG_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLMS_", toml_file=DEFAULT_CONFIG_DIR / "settings.toml"
    )

    database_url: str = "sqlite:///data/clms.db"
    country: str = "kz"
    config_dir: Path = DEFAULT_CONFIG_DIR

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
