# Production image: `python -m app serve` (uvicorn workers with httptools and uvloop, a
# listening socket each) behind a TLS-terminating reverse proxy,
# migrations on start, JSON logs, no demo data. See docs/production.md.
# Docker cannot run on the project's own machines, so this file is never built there;
# tests/test_deployment.py checks what can be checked without building it.

# htmx is pinned by package-lock.json, as for `make assets`; only its one file reaches the image.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && mkdir -p static/vendor \
    && cp node_modules/htmx.org/dist/htmx.min.js static/vendor/

FROM python:3.11-slim-bookworm
# WEB_CONCURRENCY is the number of worker processes (two suit a 2-core machine);
# FORWARDED_ALLOW_IPS must name the proxy's address when it is not on 127.0.0.1.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BYGD_ENVIRONMENT=production BYGD_LOG_FORMAT=json WEB_CONCURRENCY=2
WORKDIR /srv/bygdestod
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY --from=assets /build/static/vendor ./static/vendor
# The English catalogue is compiled here, as `make` does on set-up (.mo files are not committed).
RUN pybabel compile -d app/locale -l en
# The code stays root's and read-only to the service; only var/ (attachments, unless
# BYGD_ATTACHMENTS_DIR points elsewhere) is writable. Mount a volume there.
RUN groupadd --system --gid 10001 bygdestod \
    && useradd --system --uid 10001 --gid 10001 --home-dir /srv/bygdestod --no-create-home \
       --shell /usr/sbin/nologin bygdestod \
    && mkdir -p var/attachments && chown -R 10001:10001 var
USER 10001:10001
EXPOSE 8000
# Liveness only (no database): /readyz is for the proxy or orchestrator to route by.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# The migration takes a lock, so replicas starting together upgrade the schema once. `exec`
# makes the server's supervisor PID 1, so that it gets the container's SIGTERM and shuts the
# workers down gracefully.
# Other process types use the same image with another command: `python -m app send-mail`.
CMD ["sh", "-c", "python -m app migrate && exec python -m app serve --host 0.0.0.0 --port 8000 --proxy-headers"]
