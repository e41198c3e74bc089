"""Settings for Thư viện số: one module, configured only by environment variables.

Every value has a safe default for the embedded setup (SQLite in WAL mode, Whoosh and media
under LIBRARY_DATA_DIR); production sets LIBRARY_SECRET_KEY, LIBRARY_ALLOWED_HOSTS and, when
one machine is not enough, DATABASE_URL.
"""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


TESTING = env_bool("LIBRARY_TESTING") or "pytest" in sys.modules
DEBUG = env_bool("LIBRARY_DEBUG")
# Under pytest each process gets its own data directory unless one is given explicitly.
_default_data_dir = tempfile.mkdtemp(prefix="thuvienso-test-") if TESTING else BASE_DIR / "var"
DATA_DIR = Path(os.environ.get("LIBRARY_DATA_DIR") or _default_data_dir).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

_insecure_key = "django-insecure-thuvienso-development-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("LIBRARY_SECRET_KEY") or _insecure_key

ALLOWED_HOSTS = env_list("LIBRARY_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("LIBRARY_CSRF_TRUSTED_ORIGINS")

LIBRARY_NODE_CODE = os.environ.get("LIBRARY_NODE_CODE", "demo-school")
LIBRARY_NODE_NAME = os.environ.get("LIBRARY_NODE_NAME", "Thư viện Trường THCS Demo")
LIBRARY_ROLE = os.environ.get("LIBRARY_ROLE", "school")
if LIBRARY_ROLE not in {"school", "hub"}:
    raise ValueError("LIBRARY_ROLE must be 'school' or 'hub'")
LIBRARY_BASE_URL = os.environ.get("LIBRARY_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
LIBRARY_BARCODE_PREFIX = os.environ.get("LIBRARY_BARCODE_PREFIX", "TV")
LIBRARY_MAX_UPLOAD_MB = env_int("LIBRARY_MAX_UPLOAD_MB", 200)
LIBRARY_MAX_PAGES = env_int("LIBRARY_MAX_PAGES", 2000)
LIBRARY_WORKERS = env_int("LIBRARY_WORKERS", os.cpu_count() or 1)
LIBRARY_PAGE_TIMEOUT = env_int("LIBRARY_PAGE_TIMEOUT", 30)
LIBRARY_LOGIN_FAILURES = env_int("LIBRARY_LOGIN_FAILURES", 5)
LIBRARY_LOGIN_COOLOFF_MINUTES = env_int("LIBRARY_LOGIN_COOLOFF_MINUTES", 15)
# Lending: bank account for VietQR compensation payments; loan history kept N days after return.
LIBRARY_BANK_BIN = os.environ.get("LIBRARY_BANK_BIN", "970436")
LIBRARY_BANK_ACCOUNT = os.environ.get("LIBRARY_BANK_ACCOUNT", "0011000000000")
LIBRARY_BANK_ACCOUNT_NAME = os.environ.get("LIBRARY_BANK_ACCOUNT_NAME", "THU VIEN TRUONG")
LIBRARY_LOAN_HISTORY_DAYS = env_int("LIBRARY_LOAN_HISTORY_DAYS", 30)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "haystack",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "library.core",
    "library.accounts",
    "catalog",
    "digitization",
    "library.circulation",
    "library.discovery",
    "interlibrary",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "library.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "library.urls"
WSGI_APPLICATION = "library.wsgi.application"
ASGI_APPLICATION = "library.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "library" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "library.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in WAL mode under the data directory unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "library.sqlite3",
            # Tests use a file too: shared-cache in-memory SQLite fails concurrent writers at once
            # ("table is locked") instead of waiting like the real WAL database.
            "TEST": {"NAME": str(DATA_DIR / "test-library.sqlite3")},
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Repeated failed logins are throttled per username and address (django-axes).
AXES_FAILURE_LIMIT = LIBRARY_LOGIN_FAILURES
AXES_COOLOFF_TIME = LIBRARY_LOGIN_COOLOFF_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "library" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "library" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = DATA_DIR / "media"
# Media is never served from a public URL: files go through views that check access.
MEDIA_URL = "/media-private/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Search: haystack on Whoosh with the Vietnamese analyzer, index under the data directory.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "library.core.search.backend.VietnameseWhooshEngine",
        "PATH": str(DATA_DIR / "whoosh_index"),
        "BATCH_SIZE": 500,
    },
}
# Index writes go through the task queue (one writer), never from a web request.
HAYSTACK_SIGNAL_PROCESSOR = "library.core.search.signals.QueuedSignalProcessor"
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

TASKS = {
    "default": {
        "BACKEND": os.environ.get("LIBRARY_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}

EMAIL_BACKEND = os.environ.get(
    "LIBRARY_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("LIBRARY_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LIBRARY_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("LIBRARY_EMAIL_FROM", "thuvien@localhost")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thư viện số API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package: every asset served locally, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Security: strict by default; `manage.py check --deploy` is clean in production.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
LIBRARY_HTTPS = env_bool("LIBRARY_HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = LIBRARY_HTTPS
CSRF_COOKIE_SECURE = LIBRARY_HTTPS
SECURE_SSL_REDIRECT = LIBRARY_HTTPS and env_bool("LIBRARY_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("LIBRARY_HSTS_SECONDS", 31536000 if LIBRARY_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = LIBRARY_HTTPS
SECURE_HSTS_PRELOAD = LIBRARY_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIBRARY_LOG_LEVEL", "WARNING")},
}
