"""Test settings: fast hasher, local e-mail, the same database switch as everywhere else."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The fault test's worker processes write e-mail to files it can count (PORTAL_TEST_EMAIL_DIR).
EMAIL_BACKEND = ("django.core.mail.backends.filebased.EmailBackend" if os.environ.get("PORTAL_TEST_EMAIL_DIR")
                 else "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("PORTAL_TEST_EMAIL_DIR", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so the Celery worker and beat started by the integration tests
    # see the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-portal.sqlite3")}
# Serve static files from the apps' folders without collectstatic, as the pages would be.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY") or "test-only-audit-chain-key-0123456789abcdef"

# Hardening, configured so the rest of the suite runs as before; tests of each control switch it on
# with override_settings (tests/casework/test_accounts.py, test_abuse.py ...).
PORTAL_TWO_FACTOR_ENFORCED = False
PORTAL_SESSION_IDLE_SECONDS = 0  # tests travel in time between requests; test_accounts.py turns it on
SESSION_COOKIE_AGE = 14 * 24 * 3600  # likewise (days between two requests of one test)
PORTAL_RATE_LIMITS = {"login": "100000/60", "complaint_file": "100000/60", "complaint_report": "100000/60",
                      "complaint_track": "100000/60", "api_token": "100000/60", "api_address": "100000/60"}
PORTAL_CAPTCHA_AFTER = 100000
# The callback tests run their receivers on this machine; test_outbox.py checks the refusal of such hosts.
PORTAL_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
