"""Service configuration: pydantic-settings, prefix ``GRADER_``; built once at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Everything the service reads from the environment (``GRADER_*``) or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="GRADER_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "var", description="Where the SQLite file lives.")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty: SQLite file grader.db in data_dir."
    )
    admin_token: SecretStr | None = Field(
        default=None, description="Instructor token; unset: generated once and printed."
    )
    course_secret: SecretStr | None = Field(
        default=None, description="HMAC key of the variants; unset: generated once, persisted."
    )
    max_body_bytes: int = Field(default=256 * 1024, gt=0)
    max_notebook_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    workers: int = Field(default=2, ge=0, description="Grading threads (and sandbox slots).")
    host: str = "127.0.0.1"
    port: int = 8000
    token_cache_seconds: float = Field(default=5.0, ge=0.0)
    grade_cache_size: int = Field(default=20000, ge=0)
    worker_poll_seconds: float = Field(default=2.0, gt=0.0)
    log_level: str = "info"

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'grader.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings once (environment, ``.env``, then explicit overrides)."""
    return Settings(**overrides)  # type: ignore[arg-type]
