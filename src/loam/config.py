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
    # Imports and exports (background jobs): where their files live and for how long.
    files_path: str = str(ROOT / "var" / "files")
    job_files_keep_days: int = 30
    import_max_bytes: int = 300 * 1024 * 1024  # an uploaded file
    import_max_unzipped_bytes: int = 2 * 1024 * 1024 * 1024  # what an xlsx may inflate to (zip bombs)
    import_max_rows: int = 2_000_000
    import_max_cell_chars: int = 5000
    # A customer file at least this big is read and parsed in a second process while the job stores
    # (loam.imports.producer): worth its ~1 s start on two cores from about 80,000 rows.
    import_split_min_bytes: int = 8 * 1024 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


settings = Settings()
