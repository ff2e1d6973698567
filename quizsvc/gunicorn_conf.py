"""gunicorn settings, from the same QUIZSVC_* environment as the app.

    gunicorn -c quizsvc/gunicorn_conf.py "quizsvc:create_app()"

Web processes hold no state of their own, so workers (and machines) can be added freely.
"""

import os

bind = os.environ.get("QUIZSVC_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QUIZSVC_WORKERS", "2"))
threads = int(os.environ.get("QUIZSVC_THREADS", "4"))
timeout = int(os.environ.get("QUIZSVC_TIMEOUT", "60"))
# Requests are logged by the app itself, with their request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("QUIZSVC_LOG_LEVEL", "info").lower()
