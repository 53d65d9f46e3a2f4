"""Settings read from the environment.

With nothing set the app runs embedded: a SQLite file under DATA_DIR and Celery tasks executed inline.
With DATABASE_URL and CELERY_BROKER_URL it runs on PostgreSQL and Redis with a real worker and beat.
"""

import base64
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DATA_DIR = Path(env("DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _dev_secret_key() -> str:
    """A per-checkout key kept in DATA_DIR, so sessions survive restarts in embedded mode."""
    path = DATA_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env("DJANGO_SECRET_KEY", default=None) or _dev_secret_key()
EMBEDDED_DEFAULT = not env("CELERY_BROKER_URL", default="")


def _dev_key(name: str, make) -> str:
    path = DATA_DIR / name
    if not path.exists():
        path.write_text(make())
    return path.read_text().strip()


# Personal data at rest (trainees.crypto): Fernet keys, newest first, and a separate blind-index key.
# Embedded mode generates per-checkout keys in DATA_DIR; production must set both.
PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=[]) or [
    _dev_key("dev-pii-key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
]
PII_BLIND_INDEX_KEY = env("PII_BLIND_INDEX_KEY", default=None) or _dev_key(
    "dev-index-key", lambda: secrets.token_hex(32)
)
# Off unless asked for: the error page would show the environment. bin/run turns it on for the embedded demo.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "catalog",
    "accounts",
    "institutions",
    "trainees",
    "training",
    "subsidies",
    "indicators",
]

MIDDLEWARE = [
    # Outermost: the database lost during a request becomes a clear 503 (config/middleware.py).
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.MalformedInputMiddleware",  # NUL or an absurd query string: 400 before any view
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.RequestContextMiddleware",
    "accounts.middleware.AbsoluteSessionTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks.
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.menu.navigation",
                "accounts.context_processors.user_role",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache: DRF throttles and login lockouts count here. With Redis (CELERY_BROKER_URL set, or
# CACHE_URL) every web process and restart sees the same counts; embedded mode keeps them in local memory.
CACHE_URL = env("CACHE_URL", default="") or env("CELERY_BROKER_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="peixun"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Client addresses for the audit log and throttles: X-Forwarded-For / X-Real-IP are believed only when the
# connection comes from one of these proxies (accounts.middleware.client_ip); otherwise the socket address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle timeout: the session expires after this many seconds without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Two-factor sign-in (TOTP) for bureau staff, finance and administrators. The embedded demo leaves it off so the
# demo logins work at once; with PostgreSQL/Redis (and always in production) it is on unless turned off.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not EMBEDDED_DEFAULT)
REAUTH_MAX_AGE_SECONDS = env.int("REAUTH_MAX_AGE_SECONDS", default=5 * 60)
OTP_TOTP_ISSUER = "补贴性职业技能培训"

# Absolute timeout: a session ends this long after sign-in, however active (the idle timeout is above).
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=10 * 60 * 60)

# Content-Security-Policy: no inline or third-party scripts anywhere in the product. The admin and the API
# docs page (Swagger UI initialises inline) are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # style attributes set by htmx and ECharts
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# django-axes: lock an account + IP after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "accounts.middleware.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files straight from static/ and node_modules (no collectstatic) whatever DEBUG is; production serves
# the collected, hashed files instead.
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(DATA_DIR / "media")))

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
EMBEDDED = not CELERY_BROKER_URL
# Embedded mode: tasks run inline in the caller, so the app works without Redis.
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost//"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# At-least-once delivery: tasks are acknowledged after they finish and requeued when a worker dies,
# so every task must be idempotent.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# Longer than the longest task, or Redis would hand an unacknowledged task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT}
CELERY_TIMEZONE = TIME_ZONE
# The nightly jobs run at night, local time (CELERY_TIMEZONE), whenever beat was started; the sweepers every few
# minutes. In embedded mode bin/run starts beat beside the web server and the tasks run inside it (eager).
CELERY_BEAT_SCHEDULE: dict = {
    "close-due-public-notices": {"task": "subsidies.tasks.close_due_notices", "schedule": crontab(minute="5")},
    "recompute-progress-nightly": {
        "task": "indicators.tasks.recompute_progress",
        "schedule": crontab(hour="1", minute="30"),
    },
    "institution-ratings-nightly": {
        "task": "indicators.tasks.compute_ratings",
        "schedule": crontab(hour="3", minute="0"),
    },
    "monthly-reports": {
        "task": "indicators.tasks.build_last_month_reports",
        "schedule": crontab(day_of_month="1", hour="4", minute="0"),  # after the night's recompute
    },
    "refresh-pending-progress": {"task": "indicators.tasks.refresh_pending_progress", "schedule": 5 * 60},
    "requeue-stuck-verifications": {"task": "subsidies.tasks.requeue_stuck_verifications", "schedule": 5 * 60},
    "requeue-stuck-roster-imports": {"task": "training.tasks.requeue_stuck_roster_imports", "schedule": 5 * 60},
}

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    # People use their session only, so every API call carries its two-factor and step-up state
    # (accounts.twofactor); check-in devices authenticate with tokens of their own (training.apis).
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.AnonRateThrottle",
        "accounts.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "补贴性职业技能培训管理系统 API",
    "DESCRIPTION": "Scoped API for bureaus, training institutions and finance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InstitutionTypeEnum": "institutions.models.InstitutionType",
        "CertificateTypeEnum": "trainees.models.CertificateType",
        "InstitutionStatusEnum": "institutions.models.InstitutionStatus",
        "ProgramStatusEnum": "institutions.models.ProgramStatus",
        "ClassStatusEnum": "training.models.ClassStatus",
        "ImportJobStatusEnum": "training.models.ImportJob.Status",
        "EnrollmentResultEnum": "training.models.EnrollmentResult",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "celery": {"level": "WARNING"}},
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# Label used in the navigation for the app.
SITE_TITLE = _("补贴性职业技能培训管理系统")

# --- upload limits (core/uploads/): every uploaded file is bounded before it is parsed --------------------
# Files over FILE_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) are kept on disk while uploading; LimitedUploadHandler
# stops writing any one beyond UPLOAD_MAX_BYTES, and the forms refuse it with the limit in their message.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)  # a spreadsheet to import
OFFICE_MAX_UNCOMPRESSED_BYTES = env.int("OFFICE_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)
OFFICE_MAX_RATIO = env.int("OFFICE_MAX_RATIO", default=100)
OFFICE_MAX_MEMBERS = env.int("OFFICE_MAX_MEMBERS", default=1000)
OFFICE_MAX_XML_ELEMENTS = env.int("OFFICE_MAX_XML_ELEMENTS", default=200_000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=200)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
