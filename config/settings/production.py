"""Production: refuses to start without its secrets; `manage.py check --deploy` is clean."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY, env_bool, file_storage

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random string of 50+ characters")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names the portal serves")
if len(os.environ.get("AUDIT_CHAIN_KEY", "")) < 32:
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be set to a random string of 32+ characters (the audit "
                               "chain's HMAC key, kept outside the database)")
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production")
# Links in e-mails and letters point at the address people reach the portal by, not the embedded default.
_base_url = urlsplit(os.environ.get("PORTAL_BASE_URL", ""))
if _base_url.scheme != "https" or not _base_url.hostname:
    raise ImproperlyConfigured("PORTAL_BASE_URL must be set to the portal's public https address "
                               "(e.g. https://portal.example.gov.cn); e-mail links are built from it")
if "*" not in ALLOWED_HOSTS and _base_url.hostname not in ALLOWED_HOSTS:
    raise ImproperlyConfigured(f"PORTAL_BASE_URL's host {_base_url.hostname} is not in DJANGO_ALLOWED_HOSTS")

DEBUG = False
STORAGES = {
    "default": file_storage(),  # the filesystem, or FILE_STORAGE=s3 for the object store (see base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Callbacks leave the portal over https only (PORTAL_WEBHOOK_ALLOW_HTTP=1 to allow http on a closed network).
PORTAL_WEBHOOK_ALLOW_HTTP = env_bool("PORTAL_WEBHOOK_ALLOW_HTTP", False)
