"""The API's scopes: the names tokens carry, and what each allows, in one place.

The settings hand them to the embedded issuer (what it may grant, its metadata) and to the
API docs; the API's permissions check them.
"""

from __future__ import annotations

READ = "read:timesheets"
CREATE = "create:timesheets"
DELETE = "delete:timesheets"
APPROVE = "approve:timesheets"

SCOPES = {
    READ: "Read timesheets",
    CREATE: "Create timesheets",
    DELETE: "Delete timesheets",
    APPROVE: "Approve timesheets",
}

# OpenID Connect's own scopes: a people's app may ask for them beside the API's; they open
# the ID token and userinfo, never the API.
OPENID = "openid"
OIDC_SCOPES = {
    OPENID: "Sign in with OpenID Connect",
    "profile": "Your name and username",
    "email": "Your email address",
}
