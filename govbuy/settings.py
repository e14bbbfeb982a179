"""govbuy settings: one module, driven by environment variables (django-environ).

Every setting that differs between machines comes from a ``GOVBUY_*`` variable.
Production is the default: a deployment that forgets a variable gets the safe
choice (DEBUG off, secure cookies, MFA for staff roles), and a missing secret key
stops the process instead of running with a guessable one.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)

DEBUG = env.bool("GOVBUY_DEBUG", default=False)
# Under pytest: fast password hashing, plain-HTTP cookies (the test client and
# live server speak HTTP) and MFA off unless a test turns it on.
TESTING = env.bool("GOVBUY_TESTING", default="pytest" in sys.modules)

SECRET_KEY = env.str("GOVBUY_SECRET_KEY", default="")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "govbuy-insecure-development-key-never-use-in-production-0123456789"
# Otherwise an empty key: Django refuses anything that signs (sessions, CSRF) and
# `check --deploy` reports it (govbuy.core.checks), while commands that need no
# key (makemigrations, migrate) still work.

ALLOWED_HOSTS = env.list("GOVBUY_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("GOVBUY_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "govbuy.core",
    "govbuy.orgs",
    "govbuy.accounts",
    "govbuy.catalog",
    "govbuy.budgets",
    "govbuy.procurement",
    "govbuy.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govbuy.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "govbuy.accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govbuy.urls"
WSGI_APPLICATION = "govbuy.wsgi.application"
ASGI_APPLICATION = "govbuy.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govbuy.accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# SQLite under var/ by default (zero set-up); PostgreSQL in production and CI:
#   GOVBUY_DATABASE_URL=postgres://user:pass@host:5432/govbuy
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url(
        "GOVBUY_DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'govbuy.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers queue
    # instead of failing on a lock upgrade; WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("GOVBUY_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, lockout) ------------------------------------------------
# locmem by default; a shared cache for several app processes:
#   GOVBUY_CACHE_URL=redis://127.0.0.1:6379/1  or  dbcache://govbuy_cache
CACHES = {"default": env.cache_url("GOVBUY_CACHE_URL", default="locmemcache://govbuy")}

# --- Authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:workbench"
LOGOUT_REDIRECT_URL = "public:home"

# Lockout after repeated failed logins (django-axes): per username and address.
AXES_FAILURE_LIMIT = env.int("GOVBUY_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("GOVBUY_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("GOVBUY_PROXY_COUNT", default=0)

# MFA (TOTP) for finance, purchaser, auditor and platform-admin roles. On in
# production; `make run` turns it off for the local demo.
GOVBUY_REQUIRE_MFA = env.bool("GOVBUY_REQUIRE_MFA", default=not (DEBUG or TESTING))
OTP_TOTP_ISSUER = "govbuy"

# --- Security -------------------------------------------------------------------
SECURE = env.bool("GOVBUY_SECURE", default=not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("GOVBUY_SESSION_SECONDS", default=8 * 3600)
SECURE_SSL_REDIRECT = env.bool("GOVBUY_SSL_REDIRECT", default=SECURE)
SECURE_HSTS_SECONDS = env.int("GOVBUY_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "govbuy_language"
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (installed from npm at set-up, served by whitenoise) ----------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = BASE_DIR / "var" / "media"

# --- govbuy ---------------------------------------------------------------------
# Public rule endpoints (/api/v1/rules/*, /api/v1/calendar/*): per-client limit.
GOVBUY_PUBLIC_API_RATE = env.str("GOVBUY_PUBLIC_API_RATE", default="120/m")
NINJA_NUM_PROXIES = env.int("GOVBUY_PROXY_COUNT", default=0)
GOVBUY_OCID_PREFIX = env.str("GOVBUY_OCID_PREFIX", default="ocds-govbuy")
# Years a request may name (fiscal years, catalogs, filters): anything outside is
# refused as a field error before it reaches the database (govbuy.core.bounds).
GOVBUY_FIRST_YEAR = env.int("GOVBUY_FIRST_YEAR", default=2000)
GOVBUY_LAST_YEAR = env.int("GOVBUY_LAST_YEAR", default=2100)
if not 1 <= GOVBUY_FIRST_YEAR <= GOVBUY_LAST_YEAR <= 9999:
    raise environ.ImproperlyConfigured("GOVBUY_FIRST_YEAR..GOVBUY_LAST_YEAR must be years 1..9999")
# Highest page number an API list accepts (its page size is at most NINJA_MAX_PER_PAGE_SIZE).
GOVBUY_API_MAX_PAGE = env.int("GOVBUY_API_MAX_PAGE", default=100000)
NINJA_MAX_PER_PAGE_SIZE = env.int("GOVBUY_API_MAX_PAGE_SIZE", default=100)
# How long a money-moving API call's Idempotency-Key is remembered (its replay answered).
GOVBUY_IDEMPOTENCY_KEY_HOURS = env.int("GOVBUY_IDEMPOTENCY_KEY_HOURS", default=24)
if min(GOVBUY_API_MAX_PAGE, NINJA_MAX_PER_PAGE_SIZE, GOVBUY_IDEMPOTENCY_KEY_HOURS) <= 0:
    raise environ.ImproperlyConfigured(
        "GOVBUY_API_MAX_PAGE, GOVBUY_API_MAX_PAGE_SIZE and GOVBUY_IDEMPOTENCY_KEY_HOURS "
        "must be positive numbers"
    )
# Largest attachment (bid, contract, report) that govbuy.core.uploads accepts.
GOVBUY_UPLOAD_MAX_MB = env.int("GOVBUY_UPLOAD_MAX_MB", default=20)
if GOVBUY_UPLOAD_MAX_MB <= 0:
    raise environ.ImproperlyConfigured("GOVBUY_UPLOAD_MAX_MB must be a positive number of MB")
GOVBUY_UPLOAD_MAX_BYTES = GOVBUY_UPLOAD_MAX_MB * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("GOVBUY_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
