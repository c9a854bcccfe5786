"""Settings shared by every environment. Everything that differs comes from the environment.

With no variables set the portal runs on SQLite and a filesystem Celery broker, so it needs no
services. DATABASE_URL and REDIS_URL switch it to PostgreSQL and Redis.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "captcha",
    "casework",
    "referrals",
    "complaints",
    "consultations",
    "credit",
    "jointaction",
    "inspections",
    "supervision",
    "public",
    "risk",
]

MIDDLEWARE = [
    "casework.health.MetricsMiddleware",  # first: times the whole request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "casework.middleware.ApiBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "casework.middleware.RequestContextMiddleware",
    "casework.middleware.FormFieldCapMiddleware",
    "casework.accounts.middleware.SessionPolicyMiddleware",
    "casework.accounts.middleware.AccountGateMiddleware",
    "casework.middleware.DomainErrorMiddleware",
    # Last, as django-axes requires: turns a lockout into the Chinese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.context_processors.portal",
            ],
        },
    },
]


def database_config() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "portal.sqlite3")}
    if os.environ.get("DATABASE_POOLER") == "pgbouncer":
        # PgBouncer in transaction pooling: a named cursor or a prepared statement would outlive the
        # transaction on a server connection another client gets next.
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        config.setdefault("OPTIONS", {})["prepare_threshold"] = None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # BEGIN IMMEDIATE takes the write lock at the start of every atomic block, so two
        # processes (web, worker, beat) never both read-then-write the same rows.
        config.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 30})
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username before the password is checked
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "casework.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "casework:workbench"
LOGOUT_REDIRECT_URL = "login"

# --- Accounts and sessions (等保 身份鉴别 / ASVS V2, V3) -------------------------------------------
# Failed logins (django-axes): a username is locked after AXES_FAILURE_LIMIT failures in a row until an
# administrator unlocks it (系统管理 → 登录失败记录 → 解除锁定) or AXES_COOLOFF_TIME passes; the address is
# throttled separately by the "login" rate limit below.
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = float(os.environ.get("PORTAL_LOGIN_LOCKOUT_HOURS", "0")) or None  # hours; None: until unlocked
AXES_RESET_ON_SUCCESS = True
# Addresses are throttled by the "login" rate limit instead of being locked (one office behind NAT shares one).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "casework.middleware.axes_client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # casework.accounts.admin registers a read-only admin with an audited unlock action
# Idle timeout for staff sessions; staff session cookies also end when the browser closes.
PORTAL_SESSION_IDLE_SECONDS = int(os.environ.get("PORTAL_SESSION_IDLE_SECONDS", str(30 * 60)))
# Anonymous sessions (public filing, receipts, tracking) are short.
PORTAL_ANONYMOUS_SESSION_SECONDS = int(os.environ.get("PORTAL_ANONYMOUS_SESSION_SECONDS", str(15 * 60)))
SESSION_COOKIE_AGE = 12 * 3600  # absolute upper bound of any session
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Two-factor (TOTP, django-otp) is enforced for administrative roles (casework.accounts.policy.requires_two_factor);
# PORTAL_TWO_FACTOR_FOR_STAFF extends it to every staff member.
PORTAL_TWO_FACTOR_ENFORCED = env_bool("PORTAL_TWO_FACTOR_ENFORCED", True)
PORTAL_TWO_FACTOR_FOR_STAFF = env_bool("PORTAL_TWO_FACTOR_FOR_STAFF", False)
OTP_TOTP_ISSUER = "公共资源交易协同监管平台"
# The client address for the audit trail, lockouts and rate limits: REMOTE_ADDR, unless the portal runs behind
# a proxy that sets this header (e.g. X-Forwarded-For); then the address that many hops from the right is used.
PORTAL_TRUSTED_PROXY_HEADER = os.environ.get("PORTAL_TRUSTED_PROXY_HEADER", "")
PORTAL_TRUSTED_PROXY_COUNT = int(os.environ.get("PORTAL_TRUSTED_PROXY_COUNT", "1"))

# --- Content-Security-Policy (django-csp): no inline script anywhere -----------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # style attributes only (SVG charts, Swagger UI); never script
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Abuse: rate limits ("count/seconds") per client address, or per API token ----------------------------------
PORTAL_RATE_LIMITS = {
    "login": "20/300",            # login attempts from one address
    "complaint_file": "10/600",   # public complaint filing from one address
    "complaint_report": "10/600",  # anonymous reports
    "complaint_track": "30/300",  # tracking look-ups
    "api_token": "1200/60",       # each API token
    "api_address": "120/60",      # API requests from one address without a token
}
# A local image CAPTCHA (django-simple-captcha) appears on the public forms after this many submissions
# from one address within PORTAL_CAPTCHA_WINDOW_SECONDS.
PORTAL_CAPTCHA_AFTER = int(os.environ.get("PORTAL_CAPTCHA_AFTER", "3"))
PORTAL_CAPTCHA_WINDOW_SECONDS = 24 * 3600
CAPTCHA_FONT_SIZE = 32
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes
# Callback URLs (webhooks): https only, unless PORTAL_WEBHOOK_ALLOW_HTTP; never to loopback or private ranges
# unless the host is listed here.
PORTAL_WEBHOOK_ALLOW_HTTP = env_bool("PORTAL_WEBHOOK_ALLOW_HTTP", True)
PORTAL_WEBHOOK_ALLOWED_HOSTS = env_list("PORTAL_WEBHOOK_ALLOWED_HOSTS")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# The project's catalog: the admin texts of third-party apps (and Django's gaps) in Chinese (casework.admin_locale).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "casework.api_auth.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "casework.api_limits.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "casework.api_errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["casework.api_limits.BoundedJSONParser",
                               "rest_framework.parsers.FormParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_THROTTLE_CLASSES": ["casework.api_limits.TokenRateThrottle", "casework.api_limits.AddressRateThrottle"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "公共资源交易协同监管平台 API",
    "DESCRIPTION": "供交易中心监测系统、信用平台等政府系统调用的接口。使用 Authorization: Bearer <令牌>。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Complaint trading types and credit domains are the same four fields of public resource trading.
    "ENUM_NAME_OVERRIDES": {"TradingFieldEnum": "casework.trading.TradingField"},
    # Every operation declares its 400/401/403/404/409/413/429 answers in the one error shape.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "casework.api_schema.add_error_responses"],
}

# Prometheus scrapes /metrics with this bearer token; without one, only loopback and private addresses may.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# --- Audit trail (等保 安全审计) ----------------------------------------------------------------
# The HMAC key of the audit chain lives outside the database (production refuses to start without it).
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "")
# Signed checkpoints (chain position, hash) are appended here, outside the database: mount it on storage
# the database administrators cannot write (another host, WORM volume).
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints"))
AUDIT_CHECKPOINT_SECONDS = float(os.environ.get("AUDIT_CHECKPOINT_SECONDS", "60"))
# 等保2.0 8.1.4.3 c): audit records are kept at least six months; the purge refuses anything younger.
AUDIT_RETENTION_MIN_DAYS = 183
AUDIT_RETENTION_DAYS = max(int(os.environ.get("AUDIT_RETENTION_DAYS", "365")), AUDIT_RETENTION_MIN_DAYS)

# --- Celery -----------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://localhost/"  # the hostname is ignored; naming it avoids a warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # a task lost with a crashed worker is redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# How often beat runs the deadline sweep ("every few minutes").
SWEEP_INTERVAL_SECONDS = float(os.environ.get("SWEEP_INTERVAL_SECONDS", "120"))
# Synced into django-celery-beat's tables when beat starts; administrators may retune it there.
CELERY_BEAT_SCHEDULE = {
    "deadline-sweep": {"task": "casework.tasks.sweep_deadlines", "schedule": SWEEP_INTERVAL_SECONDS},
    "calendar-watch": {"task": "casework.tasks.warn_missing_calendar_year", "schedule": 6 * 3600.0},
    "webhook-retry": {"task": "casework.tasks.retry_webhooks", "schedule": 30.0},
    "email-sweep": {"task": "casework.tasks.sweep_notification_emails",
                    "schedule": float(os.environ.get("EMAIL_SWEEP_INTERVAL_SECONDS", "60"))},
    # Routine notices of people who chose the daily digest, in one e-mail each morning.
    "sms-sweep": {"task": "casework.tasks.sweep_sms", "schedule": 120.0},
    "notice-digest": {"task": "casework.tasks.send_notice_digests", "schedule": crontab(hour=8, minute=0)},
    "credit-push-settle": {"task": "credit.tasks.settle_pushes", "schedule": 60.0},
    # A regular-meeting period that lapsed without a meeting hands over to the next period's clock.
    "consultation-periods": {"task": "consultations.tasks.roll_regular_periods", "schedule": 6 * 3600.0},
    # The supervision dashboard's rollup of the recent days (what is open is counted live).
    "supervision-rollup": {"task": "supervision.tasks.refresh_rollup", "schedule": 300.0},
    # Each quarter the supervision.report clock starts for every office (Pingdingshan 二(四)18).
    "supervision-reports": {"task": "supervision.tasks.open_quarterly_reports", "schedule": 6 * 3600.0},
    # Risk screening over every jurisdiction's tender data, nightly (new data also queues a run).
    "risk-screen-nightly": {"task": "risk.tasks.screen_all", "schedule": crontab(hour=2, minute=30)},
    # The audit chain's sequencer also runs after every commit that wrote events; this run links whatever a
    # lost task or a broker outage left, so an event is linked within seconds. Then the checkpoint anchors the
    # chain's tip in the signed file outside the database.
    "audit-chain": {"task": "casework.tasks.chain_audit_events", "schedule": 5.0},
    "audit-checkpoint": {"task": "casework.tasks.checkpoint_audit_chain", "schedule": AUDIT_CHECKPOINT_SECONDS},
    # Files written by a transaction that rolled back (storage is not transactional), once past the grace period.
    "orphan-files": {"task": "casework.tasks.sweep_orphan_files", "schedule": 6 * 3600.0},
    # Background ledger exports: jobs whose task was lost (broker down) or whose worker went silent; expired files.
    "export-sweep": {"task": "casework.tasks.sweep_export_jobs", "schedule": 60.0},
    "export-purge": {"task": "casework.tasks.purge_expired_exports", "schedule": 3600.0},
}
# A ledger export of more rows than this becomes a background job (casework.exportjobs) with a progress page.
PORTAL_EXPORT_INLINE_ROWS = int(os.environ.get("PORTAL_EXPORT_INLINE_ROWS", "2000"))
PORTAL_EXPORT_JOB_MAX_ROWS = int(os.environ.get("PORTAL_EXPORT_JOB_MAX_ROWS", "1000000"))
PORTAL_EXPORT_PROGRESS_EVERY = 1000  # rows between two progress updates
PORTAL_EXPORT_KEEP_HOURS = float(os.environ.get("PORTAL_EXPORT_KEEP_HOURS", "72"))  # then the file is deleted
PORTAL_EXPORT_STALE_MINUTES = 10  # a running job silent this long is re-queued (its worker died)
PORTAL_ORPHAN_GRACE_HOURS = float(os.environ.get("PORTAL_ORPHAN_GRACE_HOURS", "24"))

# --- E-mail -----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "协同监管平台 <noreply@localhost>")

# Text messages to complainants: the logging backend by default (no real SMS service); a provider class with
# send(phone, text) -> message id can be named here.
PORTAL_SMS_BACKEND = os.environ.get("PORTAL_SMS_BACKEND", "casework.sms.backends.LoggingBackend")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# A notice being e-mailed is claimed this long; a claim older than that was left by a dead worker and is retried.
PORTAL_EMAIL_CLAIM_LEASE_SECONDS = int(os.environ.get("PORTAL_EMAIL_CLAIM_LEASE_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},  # failures and lockouts are in the audit trail
}

# The provincial credit platform that publishes administrative penalties (Zengdu 第九条). Without it,
# penalties are published through the export file and staff confirm the push.
CREDIT_PLATFORM_URL = os.environ.get("CREDIT_PLATFORM_URL", "")
CREDIT_PLATFORM_SECRET = os.environ.get("CREDIT_PLATFORM_SECRET", "")

# Attachments (casework.attachments): size limits, and an optional virus scanner, off by default. Set
# ATTACHMENT_SCANNER = "casework.attachments.scanning.clamd_scan" (CLAMD_HOST/CLAMD_PORT) to scan every upload.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_MAX_EXPANDED_BYTES = int(os.environ.get("ATTACHMENT_MAX_EXPANDED_BYTES", 200 * 1024 * 1024))
ATTACHMENT_SCANNER = os.environ.get("ATTACHMENT_SCANNER") or None
CLAMD_HOST = os.environ.get("CLAMD_HOST", "127.0.0.1")
CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))


def file_storage() -> dict:
    """Where evidence, attachments and issued letters are kept (the `default` storage). The filesystem under
    MEDIA_ROOT is the embedded default. FILE_STORAGE=s3 keeps them in an S3-compatible object store (MinIO in
    docker-compose.yml) through django-storages, so several web hosts share them:
    S3_BUCKET, S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION (default us-east-1)."""
    if os.environ.get("FILE_STORAGE", "filesystem").lower() != "s3":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(
        bucket=os.environ.get("S3_BUCKET", "portal"), endpoint_url=os.environ.get("S3_ENDPOINT_URL", ""),
        access_key=os.environ.get("S3_ACCESS_KEY_ID", ""), secret_key=os.environ.get("S3_SECRET_ACCESS_KEY", ""),
        region=os.environ.get("S3_REGION", "us-east-1"))}


def s3_options(*, bucket: str, endpoint_url: str, access_key: str, secret_key: str, region: str) -> dict:
    return {
        "bucket_name": bucket, "endpoint_url": endpoint_url or None, "access_key": access_key,
        "secret_key": secret_key, "region_name": region, "addressing_style": "path", "signature_version": "s3v4",
        # private objects, never overwritten, served only through the portal's authorised views
        "default_acl": None, "querystring_auth": True, "file_overwrite": False, "location": "",
    }


STORAGES = {
    "default": file_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
