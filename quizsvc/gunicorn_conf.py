"""gunicorn settings, from the same QUIZSVC_* environment as the app.

    gunicorn -c quizsvc/gunicorn_conf.py "quizsvc:create_app()"

Web processes hold no state of their own, so workers (and machines) can be added freely.
Background work (deliveries, deadlines, grading of late submissions) runs in the queue's
consumers, ``quizsvc worker``, never in these processes.
"""

import os

bind = os.environ.get("QUIZSVC_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QUIZSVC_WORKERS", "2"))
threads = int(os.environ.get("QUIZSVC_THREADS", "4"))
timeout = int(os.environ.get("QUIZSVC_TIMEOUT", "60"))
# The largest request line and headers gunicorn accepts (it answers beyond them itself, with
# 414 or 431 and an HTML page): well above anything the API documents, e.g. a question search
# with every filter at its longest, percent-encoded.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Requests are logged by the app itself, with their request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("QUIZSVC_LOG_LEVEL", "info").lower()


def post_worker_init(worker):
    """Load the sentence encoder in the background, so the first grading request does not
    wait the ~10 s that importing torch takes; the app stays lazy outside gunicorn."""
    import threading

    def warm_up():
        try:
            worker.wsgi.extensions["quizsvc.grading"]["embedder"].encode(["warm up"])
        except Exception:  # noqa: BLE001 - a failed warm-up only means a slower first request
            worker.log.exception("grader warm-up failed")

    threading.Thread(target=warm_up, name="grader-warm-up", daemon=True).start()
