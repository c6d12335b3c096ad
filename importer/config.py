"""The importer's configuration, from the environment (docs/configuration.md).

The importer is a client that may run on another machine: it reads the API's address and
its own credentials, never the API's database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ImproperlyConfigured

from common.env import envsecret
from common.oauth import (
    configured_audience,
    configured_issuer,
    issuer_metadata,
    known_token_url,
    metadata_url,
)

AUDIENCE_PARAMS = ("audience", "resource", "none")
AUTH_METHODS = ("client_secret_post", "client_secret_basic")
DEFAULT_API_URL = "http://127.0.0.1:8000"


class ConfigurationError(ImproperlyConfigured):
    """Something a person must fix before any import can run; exit status 2."""


@dataclass(frozen=True)
class ImporterConfig:
    api_url: str
    client_id: str
    client_secret: str = field(repr=False)
    token_url: str | None  # None: discovered from the issuer when first needed
    issuer: str | None
    audience: str
    audience_param: str
    auth_method: str
    scope: str | None
    cache_dir: Path
    # The variable the token URL comes from, for messages to name what the operator set:
    # OAUTH_TOKEN_URL, AUTH0_DOMAIN, TIMESHEETS_API_URL (the embedded issuer's, under the
    # API) or OAUTH_ISSUER (discovered from its metadata).
    issuer_variable: str = "OAUTH_TOKEN_URL"


def cache_dir() -> Path:
    """Where the token cache and the run lock live; TIMESHEETS_CACHE_DIR overrides it."""
    explicit = os.getenv("TIMESHEETS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.getenv("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "timesheets"


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def http_url(name: str, value: str) -> str:
    """`value`, the setting `name`, when it is an http(s) URL; else the run stops (exit status 2)."""
    if not is_http_url(value):
        raise ConfigurationError(f"{name} must be an http(s):// URL, not {value!r}.")
    return value


def api_url() -> str:
    """TIMESHEETS_API_URL: the API's base URL, without a trailing slash."""
    return http_url("TIMESHEETS_API_URL", os.getenv("TIMESHEETS_API_URL", DEFAULT_API_URL).rstrip("/"))


def load_config() -> ImporterConfig:
    api = api_url()
    client_id = os.getenv("OAUTH_CLIENT_ID")
    client_secret = envsecret("OAUTH_CLIENT_SECRET")
    if not client_id or not client_secret:
        raise ConfigurationError("Set OAUTH_CLIENT_ID and OAUTH_CLIENT_SECRET (or OAUTH_CLIENT_SECRET_FILE).")
    audience_param = os.getenv("OAUTH_AUDIENCE_PARAM", "audience")
    if audience_param not in AUDIENCE_PARAMS:
        raise ConfigurationError(f"OAUTH_AUDIENCE_PARAM must be one of {', '.join(AUDIENCE_PARAMS)}.")
    auth_method = os.getenv("OAUTH_TOKEN_AUTH_METHOD", "client_secret_post")
    if auth_method not in AUTH_METHODS:
        raise ConfigurationError(f"OAUTH_TOKEN_AUTH_METHOD must be one of {', '.join(AUTH_METHODS)}.")

    issuer = configured_issuer()
    token_url, variable = known_token_url(issuer, api, base_variable="TIMESHEETS_API_URL")
    if token_url is not None:
        http_url(variable, token_url)
    return ImporterConfig(
        api_url=api,
        client_id=client_id,
        client_secret=client_secret,
        token_url=token_url,
        issuer=issuer,
        audience=configured_audience(),
        audience_param=audience_param,
        auth_method=auth_method,
        scope=os.getenv("OAUTH_SCOPE") or None,
        cache_dir=cache_dir(),
        issuer_variable=variable,
    )


def discover_token_url(issuer: str, session: requests.Session) -> str:
    """token_endpoint from the issuer's metadata (OpenID discovery, then RFC 8414)."""
    try:
        metadata = issuer_metadata(issuer, timeout=(5, 10), session=session)
    except requests.RequestException as exc:
        raise ConfigurationError(f"Cannot reach the issuer {issuer}: {exc.__class__.__name__}") from None
    endpoint = metadata_url(metadata, "token_endpoint")
    if endpoint is None:
        raise ConfigurationError(f"The issuer {issuer} publishes no token_endpoint: set OAUTH_TOKEN_URL.")
    return endpoint
