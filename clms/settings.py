"""Settings: settings.toml in the config directory (CLMS_CONFIG_DIR, else the shipped
config/), overridden by CLMS_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from clms.config_files import DEFAULT_CONFIG_DIR, configured_config_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLMS_")

    database_url: str = "sqlite:///data/clms.db"
    country: str = "kz"
    config_dir: Path = DEFAULT_CONFIG_DIR
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str = "development-only-secret"
    webhook_secret: str = "development-only-webhook-secret"
    check_cron: str = "0 2 * * *"
    deliver_cron: str = "*/5 * * * *"
    check_chunk_size: int = 5000
    delivery_max_attempts: int = 20
    delivery_base_delay_seconds: float = 60
    delivery_max_delay_seconds: float = 21600
    delivery_lease_seconds: float = 600
    delivery_batch: int = 20
    sms_url: str = ""
    sms_token: str = ""
    sms_sender: str = "CLMS"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "clms@localhost"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # A request body over this many bytes is refused (413) before it is read.
    max_request_bytes: int = 1_048_576
    # How long a write waits for another writer's lock before giving up (StorageBusy).
    busy_timeout_seconds: float = 30

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's place is looked up on each Settings(), not fixed at import.
        toml = TomlConfigSettingsSource(settings_cls, configured_config_dir() / "settings.toml")
        return (init_settings, env_settings, toml)
