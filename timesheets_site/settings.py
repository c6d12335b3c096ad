"""Settings, read once from the environment (see the table in docs/configuration.md).

Every variable is optional for local use: the defaults give a SQLite database, an
in-process cache and the embedded authorization server.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

from common import scopes
from common.env import envbool, envint, envlist, envsecret
from common.logs import stderr_logging
from common.oauth import auth0_domain, configured_audience, configured_issuer
from issuer.conf import access_token_lifetime

BASE_DIR = Path(__file__).resolve().parent.parent

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]


DEBUG = envbool("DJANGO_DEBUG")
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ",".join(LOCAL_HOSTS))

# A server reachable under a real host name is a production server: it must have its own
# key, since the development key below is public and would let anyone forge sessions.
SECRET_KEY = envsecret("DJANGO_SECRET_KEY") or ""
DEVELOPMENT_SECRET_KEY = not SECRET_KEY  # warned about by the check timesheets.W001
if DEVELOPMENT_SECRET_KEY:
    if not set(ALLOWED_HOSTS) <= set(LOCAL_HOSTS):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_ALLOWED_HOSTS names a non-local host"
        )
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105 (public on purpose)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # For OpClass in an index (timesheets/indexes.py); nothing of it runs on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "corsheaders",
    "axes",
    "people",
    "issuer",
    "timesheets",
    "importer",
    "webapp",
]

MIDDLEWARE = [
    # First, so that every answer on a CORS path carries its headers, refusals included.
    "corsheaders.middleware.CorsMiddleware",
    "timesheets.middleware.HealthCheckMiddleware",
    "timesheets.middleware.ControlCharacterMiddleware",
    "timesheets.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
# django-axes first, so that a locked-out login is refused before a password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "timesheets_site.urls"
WSGI_APPLICATION = "timesheets_site.wsgi.application"
# Routes accept paths with and without the trailing slash themselves; a redirect would
# turn a POST into a GET in most clients.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two writers (gunicorn workers, overlapping imports) otherwise fail with
    # "database is locked": take the write lock at BEGIN and wait for it.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # WAL: readers never wait for the writer, and a commit is one append, not a journal
        # rewrite with fsyncs. A 64 MB page cache holds the index pages a batch of random
        # keys touches at a million entries (the 2 MB default made them thrash); mmap reads
        # without a copy. (SQLite's own advice: https://sqlite.org/wal.html, /pragma.html)
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not the in-memory default, so the live test server's threads each get
    # their own connection, as gunicorn workers do.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
# A database that hangs must not hang the workers: give up connecting after
# DATABASE_CONNECT_TIMEOUT seconds, and let the server cancel any statement running longer
# than DATABASE_STATEMENT_TIMEOUT seconds (0: never). Both end as a 503 (timesheets.middleware).
DATABASE_CONNECT_TIMEOUT = envint("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT = envint("DATABASE_STATEMENT_TIMEOUT", 30)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # with any from DATABASE_URL's query
    _options["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    _options["options"] = (
        f"{_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}".strip()
    )
    # A pool of connections per worker process (psycopg_pool, through Django's own support),
    # shared by its threads: a burst of requests waits a moment for a connection instead of
    # opening one per thread past PostgreSQL's max_connections (a 503 each). 0 turns it off,
    # for PgBouncer in transaction mode, say, and then DATABASE_CONN_MAX_AGE applies.
    DATABASE_POOL_SIZE = envint("DATABASE_POOL_SIZE", 16)
    if DATABASE_POOL_SIZE:
        _options["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": DATABASE_CONNECT_TIMEOUT,  # waiting for a free one, then 503 as for a down database
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django refuses both
# /healthz answers within this many seconds even when the database does not.
HEALTHZ_TIMEOUT = 1.0

# "shared" holds what every worker must see alike: the token endpoint's failure counts and
# the clients' status (issuer/shared_cache.py). Without Redis it is the database's.
REDIS_URL = os.getenv("REDIS_URL")
if REDIS_URL:
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES: dict[str, dict[str, Any]] = {"default": _redis, "shared": _redis}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "timesheets_shared_cache",
            # Culling drops entries when full: room enough that a flood from many addresses
            # does not evict the counts it is measured by.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

# Django's hashers for people's passwords, then the one for client secrets (issuer/hashers.py
# says why a random secret needs no slow hash); listed so that stored hashes are recognised.
PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "issuer.hashers.ClientSecretHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve admin and browsable-API assets straight from the apps, so no collectstatic step
# is needed before the server works.
WHITENOISE_USE_FINDERS = True
# Files served at the site's root: /favicon.ico, which browsers ask for on every page (without
# it, each one logged "Not Found").
WHITENOISE_ROOT = BASE_DIR / "timesheets" / "root"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Behind a proxy that terminates TLS and sets X-Forwarded-Proto: without it Django sees
# http, and the embedded issuer would name itself http://.
if envbool("DJANGO_TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SERVES_PUBLIC_HOSTS = not set(ALLOWED_HOSTS) <= set(LOCAL_HOSTS)
if SERVES_PUBLIC_HOSTS and not DEBUG:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 3600)
    # HSTS for sibling subdomains, and the browsers' preload list, bind the whole domain:
    # its owner's decision, not this service's.
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

# --- OAuth 2.0: the resource server's view of its issuer -----------------------------

# This server's public base URL. It pins the embedded issuer's identifier
# (TIMESHEETS_PUBLIC_URL/), its metadata and Swagger's token URL, whatever Host a caller
# used; unset, they follow each request, which only suits local use.
TIMESHEETS_PUBLIC_URL = os.getenv("TIMESHEETS_PUBLIC_URL", "").strip().rstrip("/") or None
if SERVES_PUBLIC_HOSTS and not TIMESHEETS_PUBLIC_URL:
    raise ImproperlyConfigured(
        "TIMESHEETS_PUBLIC_URL is required when DJANGO_ALLOWED_HOSTS names a non-local host"
    )

AUTH0_DOMAIN = auth0_domain()
# None, or this server's own TIMESHEETS_PUBLIC_URL/, means the embedded issuer
# (issuer.conf.is_embedded decides).
OAUTH_ISSUER = configured_issuer()
OAUTH_AUDIENCE = configured_audience()
OAUTH_JWKS_URL = os.getenv("OAUTH_JWKS_URL") or None
OAUTH_ALGORITHMS = envlist("OAUTH_ALGORITHMS", "RS256")
OAUTH_SIGNING_SECRET = envsecret("OAUTH_SIGNING_SECRET")
OAUTH_LEEWAY = envint("OAUTH_LEEWAY", 5)
if any(alg.startswith("HS") for alg in OAUTH_ALGORITHMS) and not OAUTH_SIGNING_SECRET:
    raise ImproperlyConfigured("OAUTH_ALGORITHMS names an HS algorithm but OAUTH_SIGNING_SECRET is not set")

# How long fetched JWKS keys are used before a refresh, how long after the last good fetch
# they still serve while the issuer is down, and the least time between two fetches.
OAUTH_JWKS_CACHE_SECONDS = envint("OAUTH_JWKS_CACHE_SECONDS", 600)
OAUTH_JWKS_MAX_STALE_SECONDS = envint("OAUTH_JWKS_MAX_STALE_SECONDS", 86400)
OAUTH_JWKS_REFETCH_COOLDOWN = envint("OAUTH_JWKS_REFETCH_COOLDOWN", 30)

TIMESHEETS_SCOPES = scopes.SCOPES

# --- The embedded authorization server (django-oauth-toolkit) ------------------------

# How long a person's access token lives (the authorization code grant and its refreshes): short,
# since a JWT cannot be recalled and signing out revokes only the refresh token.
OAUTH_PERSON_TOKEN_SECONDS = envint("OAUTH_PERSON_TOKEN_SECONDS", 300)

OAUTH2_PROVIDER_APPLICATION_MODEL = "issuer.ApiClient"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_GENERATOR": "issuer.tokens.generate_access_token",
    # Refresh tokens are opaque random strings: oauthlib would otherwise make them with the
    # access token generator, as signed JWTs the API accepts, which revoking could not stop.
    "REFRESH_TOKEN_GENERATOR": "oauthlib.oauth2.rfc6749.tokens.random_token_generator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": envint("OAUTH_TOKEN_LIFETIME", 3600),
    # A callable, as oauthlib allows: a client's token lives ACCESS_TOKEN_EXPIRE_SECONDS, a
    # person's OAUTH_PERSON_TOKEN_SECONDS (issuer/conf.py).
    "EXTRA_SERVER_KWARGS": {"token_expires_in": access_token_lifetime},
    "ID_TOKEN_EXPIRE_SECONDS": OAUTH_PERSON_TOKEN_SECONDS,
    # A refresh token dies after 30 days unused (Auth0's default inactivity lifetime); each
    # refresh replaces it, and presenting a replaced one revokes the whole sign-in (RFC 9700 §4.14).
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "PKCE_REQUIRED": True,
    # OpenID Connect for people's apps: ID tokens and userinfo, signed with the issuer's own
    # keys (issuer/validators.py), so one JWKS covers every token.
    "OIDC_ENABLED": True,
    "OAUTH2_VALIDATOR_CLASS": "issuer.validators.IssuerValidator",
    "OAUTH2_BACKEND_CLASS": "issuer.backends.FormOrJSONOAuthLibCore",
    "APPLICATION_ADMIN_CLASS": "issuer.admin.ApiClientAdmin",
    # Tokens are stored only as checksums (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE), for refresh,
    # revocation and userinfo; nothing in them is worth an admin page.
    "ACCESS_TOKEN_ADMIN_CLASS": "issuer.admin.UnusedModelAdmin",
    "GRANT_ADMIN_CLASS": "issuer.admin.UnusedModelAdmin",
    "ID_TOKEN_ADMIN_CLASS": "issuer.admin.UnusedModelAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "issuer.admin.UnusedModelAdmin",
    "SCOPES": {**TIMESHEETS_SCOPES, **scopes.OIDC_SCOPES},
    # A salted SHA-256: microseconds a check, so wrong secrets cannot exhaust the CPU.
    "CLIENT_SECRET_HASHER": "client_secret_sha256",
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # The default for an app without redirect URIs; an app's own are allowed by
    # ApiClient.get_allowed_schemes (issuer/redirects.py decides which may be registered).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# People sign in here (people/urls.py); /oauth/authorize sends them here and back.
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Web apps served from another origin may call the token, revocation and userinfo endpoints
# and the API (django-cors-headers). Tokens are bearer tokens, never cookies: no credentials.
CORS_ALLOWED_ORIGINS = envlist("TIMESHEETS_CORS_ORIGINS", "")
CORS_URLS_REGEX = r"^/(oauth/(token|revoke|userinfo)|timesheets|me)(/.*)?$"
CORS_ALLOW_CREDENTIALS = False
# Retry-After: an app on another origin waits out a 429 or 503 as this one's page does.
CORS_EXPOSE_HEADERS = ["Location", "WWW-Authenticate", "Retry-After"]

# Failed client authentications allowed per client id and per address in the window.
OAUTH_CLIENT_AUTH_FAILURE_LIMIT = envint("OAUTH_CLIENT_AUTH_FAILURE_LIMIT", 10)
OAUTH_CLIENT_AUTH_FAILURE_WINDOW = envint("OAUTH_CLIENT_AUTH_FAILURE_WINDOW", 300)
# How many proxies in front of this server append to X-Forwarded-For; 0 never reads it.
TIMESHEETS_TRUSTED_PROXIES = envint("TIMESHEETS_TRUSTED_PROXIES", 0)
# How long the API trusts that an embedded-issuer client is still active.
OAUTH_CLIENT_STATUS_CACHE_SECONDS = envint("OAUTH_CLIENT_STATUS_CACHE_SECONDS", 5)
# A person's token names a person (people/lookup.py): by `sub` among the people's subjects,
# or, when this names a claim (an outside issuer's, e.g. an Auth0 Action's namespaced
# claim), by that claim's value as the person's user_id.
OAUTH_PERSON_CLAIM = os.getenv("OAUTH_PERSON_CLAIM", "").strip() or None
# How long the API trusts that a token's person exists and is active (switched off in the
# admin: refused within this many seconds).
OAUTH_PERSON_STATUS_CACHE_SECONDS = envint("OAUTH_PERSON_STATUS_CACHE_SECONDS", 5)
# Fernet keys (comma list: the first encrypts, all decrypt) sealing the signing keys in the
# database. Unset: a key derived from DJANGO_SECRET_KEY, for local use only (issuer.W001);
# the embedded issuer refuses to start without one on a public host (issuer/crypto.py).
TIMESHEETS_KEY_ENCRYPTION_KEYS = [
    key.strip() for key in (envsecret("TIMESHEETS_KEY_ENCRYPTION_KEY") or "").split(",") if key.strip()
]

# The admin's and the people's sign-in (django-axes): a username is locked after this many
# failures from one address, for the cool-off; the address is the same as the token endpoint's.
AXES_FAILURE_LIMIT = envint("DJANGO_ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("DJANGO_ADMIN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "issuer.throttling.client_address"
AXES_RESET_ON_SUCCESS = True

# --- Django REST framework -----------------------------------------------------------

REST_FRAMEWORK = {
    # The bearer class first: DRF takes WWW-Authenticate from the first class, and without
    # one an unauthenticated call would get 403 instead of 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "timesheets.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["timesheets.permissions.HasRequiredScopes"],
    "DEFAULT_PARSER_CLASSES": ["timesheets.parsers.NestingSafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["timesheets.throttling.ClientRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "timesheets.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# Requests per client, as DRF writes rates: "6000/min", "100/s".
TIMESHEETS_THROTTLE_RATE = os.getenv("TIMESHEETS_THROTTLE_RATE", "6000/min")

SPECTACULAR_SETTINGS = {
    "TITLE": "Timesheets API",
    "DESCRIPTION": "Timesheet entries for ABC Inc., secured with OAuth 2.0 access tokens.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed package, not a CDN: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    # API clients authorize with client credentials; the session cookie is the browsable
    # API's way in for staff, and offering it in Swagger's Authorize dialog only misleads.
    "AUTHENTICATION_WHITELIST": ["timesheets.authentication.BearerTokenAuthentication"],
    "PREPROCESSING_HOOKS": ["timesheets.schema.document_paths_without_trailing_slash"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "timesheets.schema.document_error_responses",
    ],
}

LOGGING = stderr_logging("timesheets", "issuer", "importer")
