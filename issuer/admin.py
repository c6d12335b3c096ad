"""The admin for the issuer's clients: what such a client has, and nothing more.

django-oauth-toolkit's own form shows six grant types, OIDC settings and the hashed secret
in an editable box. Here a client has a name, an active box, its grants and, for an app
people sign in to (made by `create_app_client`), its redirect URIs; its secret is made by
the server and shown once (on creation and by the rotate action), never edited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from oauth2_provider.generators import generate_client_secret

from .models import ApiClient, ClientGrant, SigningKey
from .services import api_client_reset_secret


class ClientGrantInline(admin.TabularInline):
    model = ClientGrant
    extra = 0


class UnusedModelAdmin(admin.ModelAdmin):
    """django-oauth-toolkit's access tokens, grants, ID tokens and refresh tokens: kept only as
    checksums, for refresh, revocation and userinfo, nothing to read; set as their admin
    classes, this hides them."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def show_secret(request: HttpRequest, client: ApiClient, secret: str, title: str) -> HttpResponse:
    """The one page that shows a secret: rendered in the response, never kept in a message
    cookie or the session, and never cached."""
    response = TemplateResponse(
        request,
        "admin/issuer/apiclient/secret.html",
        {"title": title, "client": client, "client_secret": secret, "opts": ApiClient._meta},
    )
    response["Cache-Control"] = "no-store"
    return response


# The secret a new client was given, kept on its request until the page that shows it once.
NEW_SECRET_ATTRIBUTE = "_new_client_secret"  # noqa: S105 (an attribute name, not a secret)


class ApiClientAdmin(admin.ModelAdmin):
    """Registered by django-oauth-toolkit itself, through APPLICATION_ADMIN_CLASS."""

    list_display = ["name", "client_id", "authorization_grant_type", "is_active", "created"]
    list_filter = ["is_active", "authorization_grant_type"]
    search_fields = ["name", "client_id"]
    fields = ["name", "is_active", "client_id", "created", "updated"]
    readonly_fields = ["client_id", "created", "updated"]
    inlines = [ClientGrantInline]
    actions = ["rotate_secret"]
    view_on_site = False  # the library's get_absolute_url names a view this project does not route

    def get_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> list[Any] | tuple[Any, ...]:
        if obj is not None and obj.authorization_grant_type == ApiClient.GRANT_AUTHORIZATION_CODE:
            return ["name", "is_active", "client_id", "redirect_uris", "created", "updated"]
        return super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiClient, form: object, change: bool) -> None:
        if not change:
            obj.client_type = ApiClient.CLIENT_CONFIDENTIAL
            obj.authorization_grant_type = ApiClient.GRANT_CLIENT_CREDENTIALS
            obj.hash_client_secret = True
            obj.client_secret = generate_client_secret()
            setattr(request, NEW_SECRET_ATTRIBUTE, obj.client_secret)  # shown once by response_add
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: ApiClient, post_url_continue: str | None = None):
        return show_secret(request, obj, getattr(request, NEW_SECRET_ATTRIBUTE), f"API client {obj} created")

    @admin.action(description="Rotate the secret of the selected client")
    def rotate_secret(self, request: HttpRequest, queryset) -> HttpResponse | None:
        public = queryset.exclude(client_type=ApiClient.CLIENT_CONFIDENTIAL)
        if public:
            names = ", ".join(str(client) for client in public)
            self.message_user(
                request,
                f"Skipped {names}: an app people sign in to from a browser or a phone is public, "
                "with no secret to rotate (PKCE signs it in).",
                messages.WARNING,
            )
        confidential = queryset.filter(client_type=ApiClient.CLIENT_CONFIDENTIAL)
        if not confidential:
            return None
        if confidential.count() != 1:
            self.message_user(request, "Rotate one client at a time: each new secret is shown once.", "error")
            return None
        client = confidential.get()
        secret = api_client_reset_secret(client=client)
        return show_secret(request, client, secret, f"New secret for {client}")


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created_at", "retired_at"]
    fields = ["kid", "created_at", "retired_at"]  # never the private key
    readonly_fields = ["kid", "created_at", "retired_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
