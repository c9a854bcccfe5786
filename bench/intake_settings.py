"""Settings for the intake bench's gunicorn: the local settings, not in debug (no query log), plus the bench's
bare-create endpoints next to the portal's URLs."""

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.intake_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
