"""OpenAPI: the bearer class as an OAuth2 client credentials scheme, with each operation's scopes.

So Swagger UI's Authorize button can fetch a token from the issuer with a client id and
secret, and each operation shows the scope it needs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from common.oauth import known_token_url
from issuer import conf as issuer_conf


def docs_token_url() -> str:
    """Where Swagger UI asks for tokens: the importer's rule, without a network call.

    The embedded issuer's sits under TIMESHEETS_PUBLIC_URL when it is pinned, else on the
    page's own origin.
    """
    public = settings.TIMESHEETS_PUBLIC_URL or ""
    if issuer_conf.is_embedded():
        return known_token_url(None, public, base_variable="TIMESHEETS_PUBLIC_URL").url or "/oauth/token"
    issuer = issuer_conf.outside_issuer_url()
    found = known_token_url(issuer, public, base_variable="TIMESHEETS_PUBLIC_URL")
    return found.url or issuer.rstrip("/") + "/oauth/token"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "timesheets.authentication.BearerTokenAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": "An access token, sent as `Authorization: Bearer`: a client's own (client "
            "credentials), or one an app holds for a person (docs/people-and-apps.md).",
            "flows": {
                "clientCredentials": {"tokenUrl": docs_token_url(), "scopes": settings.TIMESHEETS_SCOPES}
            },
        }

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        view = auto_schema.view
        action = getattr(view, "action", None) or auto_schema.method.lower()
        return {self.name: list(getattr(view, "required_scopes", {}).get(action, []))}


def document_paths_without_trailing_slash(endpoints: list[tuple]) -> list[tuple]:
    """Routes take both forms ("/?"); the document names the one the README names."""
    return [(path.rstrip("/") or "/", *rest) for path, *rest in endpoints]


ERROR_RESPONSES = {
    "400": "Invalid input: field errors, or a body that is not JSON.",
    "401": "Missing or invalid token (`WWW-Authenticate: Bearer`).",
    "403": 'Insufficient scope (`WWW-Authenticate: Bearer error="insufficient_scope"`); or a '
    "person's token for an unknown person, or for what a person may not do (docs/people-and-apps.md).",
    "404": "No such entry or page.",
    "429": "Too many requests from this client; see `Retry-After`.",
}
BODY_ERROR_RESPONSES = {
    "413": "Request body too large.",
    "415": "Unsupported media type: send JSON.",
}


def document_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """Every operation can be refused in the same few ways: one exception handler decides them all."""
    error = {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            refusals = ERROR_RESPONSES | (BODY_ERROR_RESPONSES if method in ("post", "put", "patch") else {})
            for status, description in refusals.items():
                operation["responses"].setdefault(status, {"description": description, "content": error})
    return result
