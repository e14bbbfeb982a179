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
    "csp",
    "ninja",
    "govbuy.core",
    "govbuy.orgs",
    "govbuy.accounts",
    "govbuy.catalog",
    "govbuy.budgets",
    "govbuy.procurement",
    "govbuy.tendering",
    "govbuy.challenges",
    "govbuy.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govbuy.core.middleware.LanguageMiddleware",
    # Before anything reads the body (CSRF reads POST): refuses on Content-Length alone.
    "govbuy.core.middleware.RequestBodyLimitMiddleware",
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
                "govbuy.core.context_processors.platform",
            ],
            # money, yuan, share, param_value, param_label, rule_message, texts
            "builtins": ["govbuy.core.templatetags.labels"],
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
# Persistent connections: a new PostgreSQL connection per request costs more than
# most pages (a trivial view on the bench: ~90 req/s without, ~300 with; bench/RESULTS.md).
# Each app process keeps one connection per thread for up to CONN_MAX_AGE seconds,
# checked before reuse after an error (CONN_HEALTH_CHECKS), so a restarted database
# costs one failed check, not a failed request. 0 closes after every request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("GOVBUY_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault(
    "CONN_HEALTH_CHECKS", env.bool("GOVBUY_CONN_HEALTH_CHECKS", default=True)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, lockout) ------------------------------------------------
# locmem by default; a shared cache for several app processes:
#   GOVBUY_CACHE_URL=redis://127.0.0.1:6379/1  or  dbcache://govbuy_cache
CACHES = {"default": env.cache_url("GOVBUY_CACHE_URL", default="locmemcache://govbuy")}

# --- Reverse proxy ----------------------------------------------------------------
# How many proxies (nginx, a load balancer) stand in front of the app. With one or
# more, X-Forwarded-For names the client (lockout, rate limits) and
# X-Forwarded-Proto says whether the client used HTTPS. Without a proxy those
# headers come from the client itself and must be ignored.
GOVBUY_PROXY_COUNT = env.int("GOVBUY_PROXY_COUNT", default=0)
if GOVBUY_PROXY_COUNT < 0:
    raise environ.ImproperlyConfigured("GOVBUY_PROXY_COUNT must be 0 or more")
GOVBUY_BEHIND_PROXY = env.bool("GOVBUY_BEHIND_PROXY", default=GOVBUY_PROXY_COUNT > 0)

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

# Lockout after repeated failed logins (django-axes), counted two ways: per
# username and address (someone mistyping locks only their own address), and per
# username across all addresses with a higher limit (guessing one account's
# password from many addresses). The second lets anyone who knows a username lock
# it out everywhere, so it is higher and temporary; a platform administrator can
# unlock at once (/manage/lockouts/). See docs/operators.md.
AXES_FAILURE_LIMIT = env.int("GOVBUY_LOGIN_FAILURE_LIMIT", default=5)
GOVBUY_LOGIN_USERNAME_FAILURE_LIMIT = env.int("GOVBUY_LOGIN_USERNAME_FAILURE_LIMIT", default=20)
if not 0 < AXES_FAILURE_LIMIT <= GOVBUY_LOGIN_USERNAME_FAILURE_LIMIT:
    raise environ.ImproperlyConfigured(
        "need 0 < GOVBUY_LOGIN_FAILURE_LIMIT <= GOVBUY_LOGIN_USERNAME_FAILURE_LIMIT"
    )
AXES_COOLOFF_TIME = timedelta(minutes=env.int("GOVBUY_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "govbuy.accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "govbuy.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = GOVBUY_PROXY_COUNT

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
# Trust X-Forwarded-Proto only from a proxy: without one, any client could send
# it and pass as HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if GOVBUY_BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): everything from this origin, no inline
# script or style, no eval. Bootstrap's CSS draws its icons as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): no page needs these features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

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
# Anonymous downloads (catalog exports, page and API): heavier, so a lower limit.
GOVBUY_PUBLIC_EXPORT_RATE = env.str("GOVBUY_PUBLIC_EXPORT_RATE", default="30/h")
NINJA_NUM_PROXIES = GOVBUY_PROXY_COUNT
GOVBUY_OCID_PREFIX = env.str("GOVBUY_OCID_PREFIX", default="ocds-govbuy")
# Interactive API docs (/api/v1/docs): on in development and tests, off in production
# unless asked for. The OpenAPI document (/api/v1/openapi.json) is always served.
GOVBUY_API_DOCS = env.bool("GOVBUY_API_DOCS", default=DEBUG or TESTING)
# Personal API tokens: the lifetime offered and the longest allowed (days). A
# platform security setting, not a regional policy parameter: see docs/operators.md.
GOVBUY_API_TOKEN_DAYS = env.int("GOVBUY_API_TOKEN_DAYS", default=90)
GOVBUY_API_TOKEN_MAX_DAYS = env.int("GOVBUY_API_TOKEN_MAX_DAYS", default=365)
if not 0 < GOVBUY_API_TOKEN_DAYS <= GOVBUY_API_TOKEN_MAX_DAYS <= 3650:
    raise environ.ImproperlyConfigured(
        "need 0 < GOVBUY_API_TOKEN_DAYS <= GOVBUY_API_TOKEN_MAX_DAYS <= 3650"
    )

# --- Request body limits -----------------------------------------------------------
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
# Audit chain verification by `tick`: at most this many new events per run (the
# rest at the next run), so a tick stays short; `verify_audit` has no limit.
GOVBUY_AUDIT_VERIFY_TICK_EVENTS = env.int("GOVBUY_AUDIT_VERIFY_TICK_EVENTS", default=100000)
if GOVBUY_AUDIT_VERIFY_TICK_EVENTS <= 0:
    raise environ.ImproperlyConfigured("GOVBUY_AUDIT_VERIFY_TICK_EVENTS must be positive")
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
# A body without files (JSON, form fields); Django's default, 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("GOVBUY_DATA_MAX_KB", default=2560) * 1024
# A whole multipart request, files included (a bid carries several attachments).
# govbuy.core.middleware.RequestBodyLimitMiddleware answers 413 on the
# Content-Length before reading; the proxy's limit (nginx client_max_body_size)
# should be the same.
GOVBUY_REQUEST_MAX_MB = env.int("GOVBUY_REQUEST_MAX_MB", default=100)
GOVBUY_REQUEST_MAX_BYTES = GOVBUY_REQUEST_MAX_MB * 1024 * 1024
if DATA_UPLOAD_MAX_MEMORY_SIZE <= 0 or GOVBUY_REQUEST_MAX_BYTES < GOVBUY_UPLOAD_MAX_BYTES:
    raise environ.ImproperlyConfigured(
        "GOVBUY_DATA_MAX_KB must be positive and GOVBUY_REQUEST_MAX_MB at least GOVBUY_UPLOAD_MAX_MB"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("GOVBUY_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
