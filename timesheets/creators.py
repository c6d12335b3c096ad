"""Who wrote an entry or an event, in words a person reads: for the admin, the history and the export.

What `created_by` (and an event's `actor`) holds, by the caller that wrote:

- a client's own token: its client id, named by the embedded issuer's application table
  (reached through django-oauth-toolkit's swappable model, so that this app imports nothing
  of the issuer); a client of an outside issuer (Auth0) has no row there, and its id is the
  best name;
- a person's token, held by an app: `person:<client_id>:<subject>`, read "ann via
  Timesheets web" (the person's name via the app's);
- a staff user of the admin or the browsable API: `user:<username>`, read as the username.

A client id never holds the colon that marks the other kinds: the API refuses such tokens
(timesheets/authentication.py), so no client can pose as a staff user or a person.
"""

from __future__ import annotations

from collections.abc import Iterable

from oauth2_provider.models import get_application_model

from people.models import Person

from .authentication import PERSON_PREFIX

STAFF_PREFIX = "user:"
# Actors of other kinds are written KIND:ID (`user:NAME`, `person:CLIENT:SUBJECT`); a client
# is its bare id. So a client id holding this could pose as another actor (SECURITY.md).
KIND_SEPARATOR = ":"


def can_be_a_client_actor(client_id: str) -> bool:
    """Whether this token's client id can be recorded as a client without reading as another actor.

    Neither the embedded issuer's ids (letters and digits) nor Auth0's hold a colon; a token
    whose client id does is refused rather than recorded as, say, the staff user `user:admin`.
    """
    return KIND_SEPARATOR not in client_id


def is_client_actor(identity: str) -> bool:
    """Whether a recorded actor is an API client (an import's token), not a person or a staff user."""
    return not identity.startswith((STAFF_PREFIX, PERSON_PREFIX))


def creator_names(identities: Iterable[str]) -> dict[str, str]:
    """Names for many writers with at most two queries; a writer nobody knows keeps its id."""
    wanted = set(identities)
    names = {identity: identity.removeprefix(STAFF_PREFIX) for identity in wanted}
    people: dict[str, tuple[str, str]] = {}  # identity: (client id, subject)
    for identity in wanted:
        if identity.startswith(PERSON_PREFIX):
            client_id, _, subject = identity.removeprefix(PERSON_PREFIX).partition(":")
            people[identity] = (client_id, subject)
    client_ids = {identity for identity in wanted if is_client_actor(identity)} | {
        client_id for client_id, _ in people.values()
    }
    apps: dict[str, str] = {}
    if client_ids:
        clients = get_application_model().objects.filter(client_id__in=client_ids)
        apps = {client_id: name for client_id, name in clients.values_list("client_id", "name") if name}
        names.update((client_id, apps[client_id]) for client_id in wanted & apps.keys())
    if people:
        found = Person.objects.filter(subject__in={subject for _, subject in people.values()})
        persons = {person.subject: person.name for person in found.select_related("account")}
        for identity, (client_id, subject) in people.items():
            names[identity] = f"{persons.get(subject, subject)} via {apps.get(client_id, client_id)}"
    return names
