"""The Host a request may name (QUIZSVC_TRUSTED_HOSTS).

Where QUIZSVC_PUBLIC_URL is unset, links are built from the request's host, so a request
for any other host is refused (400) before a view runs. Probes are exempt: a load
balancer's health check and a Prometheus scrape reach an instance by its own address, and
neither builds a link.
"""

from flask import Flask, abort, request
from werkzeug.sansio.utils import host_is_trusted

PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


def init_app(app: Flask) -> None:
    trusted = list(app.config.get("QUIZSVC_TRUSTED_HOSTS") or ())
    if not trusted:
        return

    @app.before_request
    def _only_trusted_hosts():
        if request.path not in PROBES and not host_is_trusted(request.host, trusted):
            abort(400, description=f"The host {request.host!r} is not one this service answers to.")
