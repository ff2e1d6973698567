"""quizsvc: auto-graded interview quizzes over HTTP.

Settings come from ``QUIZSVC_*`` environment variables (see ``quizsvc.config`` and the
README's table); ``create_app(config)`` takes overrides as Flask config keys.
"""

from pathlib import Path

from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    from quizsvc import api, cli, logs
    from quizsvc.grading import grading
    from quizsvc.config import Settings
    from quizsvc.db import db

    settings = {**Settings.from_env().to_flask(), **(config or {})}
    instance_path = settings["QUIZSVC_INSTANCE_PATH"] or Path(__file__).resolve().parent.parent / "instance"
    app = Flask(__name__, instance_path=str(instance_path))
    app.config.update(settings)
    if not app.config["QUIZSVC_DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["QUIZSVC_DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'quizsvc.db'}"
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    logs.configure(app.config["QUIZSVC_LOG_LEVEL"], app.config["QUIZSVC_LOG_FORMAT"])
    logs.init_app(app)
    db.init_app(app)
    grading.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    return app
