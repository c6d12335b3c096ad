"""Who created an entry, in words a person reads: a client's name, or a staff user's name.

`created_by` holds the token's client id (or subject), or `user:<username>` for a staff
user of the admin or the browsable API; a client id never holds the colon that marks the
other kinds (timesheets/authentication.py refuses such tokens). Client names live in the embedded issuer's
application table, reached through django-oauth-toolkit's swappable model so that this app
imports nothing of the issuer.
"""

from __future__ import annotations

from collections.abc import Iterable

from oauth2_provider.models import get_application_model

STAFF_PREFIX = "user:"
# Actors of other kinds are written KIND:ID (`user:NAME`, `person:CLIENT:SUBJECT`); a client
# is its bare id. So a client id holding this could pose as another actor (issue 25, row 11).
KIND_SEPARATOR = ":"


def can_be_a_client_actor(client_id: str) -> bool:
    """Whether this token's client id can be recorded as a client without reading as another actor.

    Neither the embedded issuer's ids (letters and digits) nor Auth0's hold a colon; a token
    whose client id does is refused rather than recorded as, say, the staff user `user:admin`.
    """
    return KIND_SEPARATOR not in client_id


def creator_names(identities: Iterable[str]) -> dict[str, str]:
    """Names for many creators with one query; an identity nobody knows stays as it is.

    A client of an outside issuer (Auth0) has no row here, so its id is the best name.
    """
    wanted = set(identities)
    names = {identity: identity.removeprefix(STAFF_PREFIX) for identity in wanted}
    client_ids = {identity for identity in wanted if not identity.startswith(STAFF_PREFIX)}
    if client_ids:
        clients = get_application_model().objects.filter(client_id__in=client_ids)
        for client_id, name in clients.values_list("client_id", "name"):
            if name:
                names[client_id] = name
    return names
