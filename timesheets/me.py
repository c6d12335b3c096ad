"""GET /me: who a token speaks for, so that an app shows only what the token allows."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import BearerTokenAuthentication, TokenPrincipal
from .creators import creator_names
from .rules import person_of
from .serializers import ClientMeSerializer, PersonMeSerializer


class MeView(APIView):
    """Who the token speaks for, and what it may do: an app shows only what the token allows.

    Bearer tokens only: a staff session is neither a person's token nor a client's.
    """

    authentication_classes = [BearerTokenAuthentication]
    required_scopes: dict[str, list[str]] = {"get": []}  # any valid token

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="Me",
            serializers={"person": PersonMeSerializer, "client": ClientMeSerializer},
            resource_type_field_name="kind",
        )
    )
    def get(self, request: Request) -> Response:
        principal = request.user
        assert isinstance(principal, TokenPrincipal)  # the only authentication class
        scopes = sorted(principal.scopes)
        person = person_of(principal)
        if person is not None:
            body = {
                "kind": "person",
                "username": person.username,
                "name": person.name,
                "email": person.email,
                "user_type": person.user_type,
                "user_id": person.user_id,
                "role": person.role,
                "scopes": scopes,
            }
            return Response(PersonMeSerializer(body).data)
        client_id = principal.client_id
        body = {
            "kind": "client",
            "client_id": client_id,
            # The embedded issuer's name for it; an outside issuer's client is known by its id.
            "name": creator_names([client_id])[client_id],
            "scopes": scopes,
        }
        return Response(ClientMeSerializer(body).data)
