"""/app/: the shell of the employees' web app; everything else it does is the public API's.

The page is static HTML, its script plain ES modules from /static/webapp/. The one thing
the server adds is the page's configuration (which client it is, where the issuer's
endpoints are) and its Content-Security-Policy.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from issuer import conf

from .registration import CLIENT_ID, REDIRECT_PATH

# An origin as CORS names one: scheme://host[:port], nothing a policy could be broken out of with.
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


def cors_origins() -> list[str]:
    """TIMESHEETS_CORS_ORIGINS (django-cors-headers' CORS_ALLOWED_ORIGINS), each a well-formed origin."""
    value = getattr(settings, "CORS_ALLOWED_ORIGINS", None) or []
    if isinstance(value, str):
        value = value.split(",")
    origins = (str(origin).strip().rstrip("/") for origin in value)
    return [origin for origin in origins if ORIGIN.match(origin)]


def content_security_policy() -> str:
    """No inline script or style, no frames, no network beyond this origin and the CORS ones.

    The configured CORS origins are there because the same app, served from such an origin,
    talks to this API; here it is served by this origin, so 'self' is what it uses.
    """
    connect = " ".join(["'self'", *cors_origins()])
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


@require_safe
def app(request: HttpRequest) -> HttpResponse:
    config = {
        "clientId": CLIENT_ID,
        "redirectPath": REDIRECT_PATH,
        "audience": settings.OAUTH_AUDIENCE,
        # The embedded issuer's endpoints; with an outside issuer there is none to sign in at.
        "embedded": conf.is_embedded(),
        # RFC 9207: the `iss` the sign-in comes back with, checked against a mix-up.
        "issuer": conf.embedded_issuer_url(request) if conf.is_embedded() else None,
        "authorizeUrl": "/oauth/authorize",
        "tokenUrl": "/oauth/token",
        "revokeUrl": "/oauth/revoke",
    }
    response = render(request, "webapp/app.html", {"config": config})
    response["Content-Security-Policy"] = content_security_policy()
    # The page's address carries the authorization code for a moment: never send it on.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
