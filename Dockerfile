# The portal image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production PORTAL_VAR_DIR=/var/lib/portal

# Letters need CJK fonts; WeasyPrint needs Pango, and HarfBuzz subsetting (without it ~50x slower).
RUN apt-get update && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs settings to import; these placeholders never serve traffic.
RUN DJANGO_SECRET_KEY=build-only-placeholder-0123456789-0123456789-0123456789 \
    AUDIT_CHAIN_KEY=build-only-placeholder-0123456789-0123 \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput \
    && useradd --system --home /app portal && mkdir -p /var/lib/portal && chown portal /var/lib/portal
USER portal
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60"]
