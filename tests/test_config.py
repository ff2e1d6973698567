import pytest

from quizsvc.config import ConfigError, Settings


def _clear(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("QUIZSVC_"):
            monkeypatch.delenv(name)


def test_defaults(monkeypatch):
    _clear(monkeypatch)
    settings = Settings.from_env()
    assert (settings.env, settings.database_url, settings.max_request_bytes) == ("development", None, 1024 * 1024)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"QUIZSVC_ENV": "production"}, "QUIZSVC_DATABASE_URL is required when QUIZSVC_ENV=production"),
        ({"QUIZSVC_ENV": "staging"}, "QUIZSVC_ENV must be one of development, production, testing, got 'staging'"),
        ({"QUIZSVC_MAX_REQUEST_BYTES": "many"}, "QUIZSVC_MAX_REQUEST_BYTES must be an integer, got 'many'"),
        ({"QUIZSVC_MAX_REQUEST_BYTES": "10"}, "QUIZSVC_MAX_REQUEST_BYTES must be at least 1024, got 10"),
        ({"QUIZSVC_LOG_FORMAT": "xml"}, "QUIZSVC_LOG_FORMAT must be json or text, got 'xml'"),
        ({"QUIZSVC_BOOTSTRAP_KEY": "short"}, "QUIZSVC_BOOTSTRAP_KEY must be at least 24 characters"),
        (
            {
                "QUIZSVC_ENV": "production",
                "QUIZSVC_DATABASE_URL": "postgresql+psycopg://db/quizsvc",
                "QUIZSVC_SECRET_KEY": "s" * 32,
            },
            "QUIZSVC_PUBLIC_URL or QUIZSVC_TRUSTED_HOSTS is required when QUIZSVC_ENV=production",
        ),
        (
            {"QUIZSVC_PUBLIC_URL": "quiz.example.com"},
            "QUIZSVC_PUBLIC_URL must start with http:// or https://, got 'quiz.example.com'",
        ),
        (
            {"QUIZSVC_RATELIMIT_API_KEY": "lots"},
            "QUIZSVC_RATELIMIT_API_KEY must be a rate such as '600 per minute', got 'lots'",
        ),
        ({"QUIZSVC_PROXY_COUNT": "-1"}, "QUIZSVC_PROXY_COUNT must be at least 0, got -1"),
        (
            {"QUIZSVC_RATELIMIT_PRACTICE": "often"},
            "QUIZSVC_RATELIMIT_PRACTICE must be a rate such as '600 per minute', got 'often'",
        ),
        ({"QUIZSVC_REVIEW_CONFIDENCE": "2"}, "QUIZSVC_REVIEW_CONFIDENCE must be between 0.0 and 1.0, got 2.0"),
        ({"QUIZSVC_REVIEW_CONFIDENCE": "high"}, "QUIZSVC_REVIEW_CONFIDENCE must be a number, got 'high'"),
        ({"QUIZSVC_CONSOLE_SESSION_HOURS": "0"}, "QUIZSVC_CONSOLE_SESSION_HOURS must be at least 1, got 0"),
        ({"QUIZSVC_DEFAULT_ORG": "o" * 101}, "QUIZSVC_DEFAULT_ORG must be at most 100 characters"),
    ],
)
def test_bad_settings_fail_at_start(monkeypatch, env, message):
    _clear(monkeypatch)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        Settings.from_env()
    assert str(error.value) == message


def test_environment_reaches_the_app(monkeypatch, tmp_path):
    _clear(monkeypatch)
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("QUIZSVC_MAX_REQUEST_BYTES", "4096")
    from quizsvc import create_app

    app = create_app()
    assert app.config["MAX_CONTENT_LENGTH"] == 4096
    assert app.config["QUIZSVC_DATABASE_URL"].endswith("x.db")


def test_a_missing_embedding_model_fails_start_up(monkeypatch, tmp_path):
    from quizsvc import create_app
    from quizsvc.scoring.embedding import ModelNotAvailable

    _clear(monkeypatch)
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("QUIZSVC_EMBEDDING_MODEL", "acme/not-on-this-machine")
    with pytest.raises(ModelNotAvailable) as error:
        create_app()
    assert "never downloads" in str(error.value)


def test_a_local_model_directory_is_accepted(monkeypatch, tmp_path):
    from quizsvc import create_app

    _clear(monkeypatch)
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("QUIZSVC_EMBEDDING_MODEL", str(tmp_path))
    assert create_app().extensions["quizsvc.grading"]["embedder"].model_id == str(tmp_path)


@pytest.mark.parametrize(
    "env",
    [
        {"QUIZSVC_PUBLIC_URL": "https://quiz.example.com"},
        {"QUIZSVC_TRUSTED_HOSTS": "quiz.example.com, .internal.example.com"},
    ],
)
def test_production_starts_with_a_public_url_or_trusted_hosts(monkeypatch, env):
    _clear(monkeypatch)
    monkeypatch.setenv("QUIZSVC_ENV", "production")
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", "postgresql+psycopg://db/quizsvc")
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", "s" * 32)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    expected = ("quiz.example.com", ".internal.example.com") if "QUIZSVC_TRUSTED_HOSTS" in env else ()
    assert settings.to_flask()["QUIZSVC_TRUSTED_HOSTS"] == expected


def test_rate_limit_settings(monkeypatch):
    _clear(monkeypatch)
    defaults = Settings.from_env()
    assert (defaults.ratelimit_api_key, defaults.ratelimit_candidate, defaults.ratelimit_auth_failures) == (
        "600 per minute",
        "120 per minute",
        "30 per minute",
    )
    assert defaults.ratelimit_storage_uri == "memory://"
    monkeypatch.setenv("QUIZSVC_RATELIMIT_CANDIDATE", "")
    assert Settings.from_env().ratelimit_candidate == ""  # set but empty: that limit is off
