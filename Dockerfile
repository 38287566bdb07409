# Production image: uvicorn with httptools + uvloop, migrations on start, no demo data.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && mkdir -p static/vendor \
    && cp node_modules/htmx.org/dist/htmx.min.js static/vendor/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 BYGD_ENVIRONMENT=production
WORKDIR /srv/bygdestod
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY --from=assets /build/static/vendor ./static/vendor
# The English catalogue is compiled here, as `make` does on set-up.
RUN pybabel compile -d app/locale -l en
RUN useradd --system --home /srv/bygdestod bygdestod && mkdir -p var && chown bygdestod var
USER bygdestod
EXPOSE 8000
# Two workers suit a 2-core machine; put a TLS-terminating proxy in front and set
# BYGD_COOKIE_SECURE=true.
CMD ["sh", "-c", "python -m app migrate && exec uvicorn --factory app.main:create_app --host 0.0.0.0 --port 8000 --workers 2 --http httptools --loop uvloop --proxy-headers --no-access-log"]
