"""Settings, read from the environment with the ``LOAM_`` prefix (and an optional ``.env`` file)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path.cwd()
DEFAULT_SECRET = "loam-insecure-development-secret"  # noqa: S105 - detected and refused by `loam serve --prod`


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOAM_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'loam.db'}"
    redis_url: str | None = None
    huey_path: str = str(ROOT / "var" / "huey.db")
    secret_key: str = DEFAULT_SECRET
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_CN"
    session_days: int = 14
    secure_cookies: bool = False
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    page_size: int = 25
    max_page_size: int = 200
    demo: bool = True

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


settings = Settings()
