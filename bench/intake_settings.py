"""Settings for the intake bench's gunicorn: the local settings, not in debug (no query log), plus the bench's
bare-create endpoints next to the portal's URLs."""

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.intake_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# The bench measures the server, not the per-token quota: one token pushing 100+/s would hit "api_token" (1,200 a
# minute) within seconds and every later phase would measure 429s. Production keeps its limits.
PORTAL_RATE_LIMITS = {**PORTAL_RATE_LIMITS, "api_token": "100000000/60", "api_address": "100000000/60"}  # noqa: F405
