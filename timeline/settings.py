"""Settings for the timeline project, read from environment variables.

- ``DJANGO_DEBUG``: ``1``/``true`` turns debug mode on (default off).
- ``DJANGO_SECRET_KEY``: required when debug is off.
- ``DJANGO_ALLOWED_HOSTS``: comma-separated host names.
- ``DATABASE_URL``: e.g. ``postgres://user@host:5432/name``; without it, an
  embedded SQLite file ``db.sqlite3`` in the project directory.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
            "or set DJANGO_DEBUG=1 for local development (make run does)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "timeline",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "timeline.middleware.ContentSecurityPolicyMiddleware",
    "timeline.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous reads served whole from the cache, before the session, CSRF and auth layers (timeline/cache.py).
    "timeline.cache.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its answer (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "timeline.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "timeline.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every worker: DJANGO_CACHE_URL=redis://127.0.0.1:6379/1 in production (and the
# benchmark); process memory when unset (development, tests). It holds the anonymous throttle's counts
# and whole anonymous responses (timeline/cache.py), dropped at once by any write.
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if CACHE_URL and "LOCATION" not in CACHES["default"]:
    raise ImproperlyConfigured(f"DJANGO_CACHE_URL must be a redis:// URL; got {CACHE_URL!r}.")
# DJANGO_RESPONSE_CACHE=0 renders every response afresh (the benchmark's uncached figures).
RESPONSE_CACHE = env_bool("DJANGO_RESPONSE_CACHE", True)
# The timeline's counts (matching events, events per year) and its figure's marks, kept in the same
# cache under the data version (timeline.views.remembered); DJANGO_COUNT_CACHE=0 computes them on
# every request (the benchmark's uncached figures).
COUNT_CACHE = env_bool("DJANGO_COUNT_CACHE", True)

# django-axes watches every login made from a request (the admin's, DRF's session login) and refuses
# one (username, IP address) pair after AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_TIME.
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production serves compressed, hashed files (after collectstatic) through whitenoise;
# development and the test suite serve the files as they are.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
# Without a manifest, whitenoise serves the files from the apps' static folders as they are.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The documents the project holds, exactly as received.
SEEDS_DIR = BASE_DIR / "seeds"
FIXTURES_DIR = BASE_DIR / "fixtures"

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    # Token first: an anonymous write is answered 401 with ``WWW-Authenticate: Token``.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberWithoutCount",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("DJANGO_API_ANON_RATE", "1000/hour")},
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    # Behind N trusted reverse proxies, the client's address is the Nth from the right of X-Forwarded-For.
    "NUM_PROXIES": int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0")) or None,
}

# The most records one export (CSV, JSON-LD, TimelineJS, iCalendar, GeoJSON) holds: past it, the export is
# refused with HTTP 400 asking for narrower filters, rather than tying a worker up for a minute (the CSV of
# 100,000 events took 52 s and 64 MB). The paginated lists have no such limit.
_max_export = os.environ.get("DJANGO_API_MAX_EXPORT", "5000")
_readable = _max_export.isascii() and _max_export.isdigit() and len(_max_export) <= 7
API_MAX_EXPORT = int(_max_export) if _readable else 0
if not 1 <= API_MAX_EXPORT <= 1_000_000:
    raise ImproperlyConfigured("DJANGO_API_MAX_EXPORT must be a whole number from 1 to 1000000.")

SPECTACULAR_SETTINGS = {
    "TITLE": "Bolivia timeline API",
    "DESCRIPTION": (
        "Events, people, organisations, places, periods, sources, passages and quotations, each linked to "
        "the passage of the document that states it. Read-only for anonymous clients (published records "
        "only); curators with Django model permissions may write. Unknown query parameters and invalid "
        "values are answered 400 with the parameter named."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "timeline.models.Status",
        "DateBasisEnum": "timeline.models.DateBasis",
        "DatePrecisionEnum": "timeline.dates.DatePrecision",
        "EventTypeEnum": "timeline.models.EventType",
        "PlaceKindEnum": "timeline.models.PlaceKind",
        "OrganisationKindEnum": "timeline.models.OrganisationKind",
        "SourceKindEnum": "timeline.models.SourceKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Security -----------------------------------------------------------------------------------
# Production (DEBUG off) is HTTPS-only by default; each switch has an environment variable so that a
# local run, the test suite or a proxy that terminates TLS can say otherwise. `make check-deploy`
# (and tests/test_security.py) runs `manage.py check --deploy` with production variables.

# The reverse proxy terminates TLS and says so in X-Forwarded-Proto; it must overwrite any such header
# a client sends. Set DJANGO_SECURE_PROXY_SSL_HEADER=0 when gunicorn faces clients directly.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Origins (scheme and host) allowed to send unsafe requests, e.g. https://timeline.example.org
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere. The pages, the admin,
# the Swagger UI (split view, its script served as a file) and DRF's browsable API run under it.
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
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Inline styles (never scripts) for the admin's widgets, the Swagger UI and the browsable API only.
CSP_INLINE_STYLE_PATHS = ["/admin/", "/api/"]
# Features no page uses; the browser refuses them to any script (timeline.middleware).
PERMISSIONS_POLICY = "geolocation=(), camera=(), microphone=(), payment=(), usb=(), interest-cohort=()"

# django-axes: brute-force protection for logins.
AXES_ENABLED = env_bool("DJANGO_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("DJANGO_AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "timeline.middleware.client_ip"
AXES_VERBOSE = False
