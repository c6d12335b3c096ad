"""Which redirect URIs an app may register, and which requested ones match them.

Matching is django-oauth-toolkit's (exact, except a loopback IP's port, RFC 8252 §7.3); this
module adds what the library has no word for:

- a registered URI that is a path (`/app/`) names that path on this server's own base URL,
  so the employees' web app is registered once and works under every name of the server;
- a native app's private-use scheme (`com.abc.timesheets:/callback`, RFC 8252 §7.1) may be
  registered, with `http` only for loopback IPs and `https` for the rest. An app's allowed
  schemes are those of its own registered URIs, never a global list.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from oauth2_provider.models import redirect_to_uri_allowed

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1"})
# RFC 8252 §7.1: a reverse domain name, so it names its owner; this also rules out
# javascript:, data:, file: and every other scheme without a dot.
PRIVATE_USE_SCHEME = re.compile(r"^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$")


class InvalidRedirectUri(ValueError):
    pass


def is_path(uri: str) -> bool:
    return uri.startswith("/") and not uri.startswith("//")


def check_registrable(uri: str) -> None:
    """Raises InvalidRedirectUri, saying why, for a URI no app may register."""
    if "#" in uri:
        raise InvalidRedirectUri(f"{uri}: a redirect URI has no fragment (RFC 6749 §3.1.2)")
    if is_path(uri):
        return
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if "@" in parts.netloc:
        raise InvalidRedirectUri(f"{uri}: a redirect URI carries no user name or password")
    if scheme == "https":
        if not parts.hostname:
            raise InvalidRedirectUri(f"{uri}: an https redirect URI names a host")
    elif scheme == "http":
        if parts.hostname not in LOOPBACK_HOSTS:
            raise InvalidRedirectUri(
                f"{uri}: http only for a native app's loopback address, http://127.0.0.1/… or "
                "http://[::1]/… (RFC 8252 §7.3); use https"
            )
    elif not PRIVATE_USE_SCHEME.match(scheme):
        raise InvalidRedirectUri(
            f"{uri}: use https, a loopback http address, a path on this server such as /app/, "
            "or a private-use scheme named after a domain you own, such as com.example.app:/callback"
        )


def absolute(uri: str, base_url: str) -> str:
    """A registered path made a URL on this server's base URL; any other URI as it is."""
    return base_url.rstrip("/") + uri if is_path(uri) else uri


def is_registered(uri: str, registered: list[str], base_url: str) -> bool:
    return redirect_to_uri_allowed(uri, [absolute(each, base_url) for each in registered])


def allowed_schemes(registered: list[str]) -> list[str]:
    """The schemes an app may be redirected to: https, and those of its own registered URIs.

    A path on this server may be reached over http on a local server, so it allows both.
    """
    schemes = {"https"}
    for uri in registered:
        schemes |= {"http", "https"} if is_path(uri) else {urlsplit(uri).scheme.lower()}
    return sorted(schemes)
