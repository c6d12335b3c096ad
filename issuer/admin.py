from django.contrib import admin
from oauth2_provider.admin import ApplicationAdmin

from .models import ClientGrant, SigningKey


class ClientGrantInline(admin.TabularInline):
    model = ClientGrant
    extra = 0


class ApiClientAdmin(ApplicationAdmin):
    """Registered by django-oauth-toolkit itself, through APPLICATION_ADMIN_CLASS."""

    list_display = ["name", "client_id", "is_active", "created"]
    list_filter = ["is_active", "client_type", "authorization_grant_type"]
    inlines = [ClientGrantInline]


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created_at", "retired_at"]
    fields = ["kid", "created_at", "retired_at"]  # never the private key
    readonly_fields = ["kid", "created_at", "retired_at"]

    def has_add_permission(self, request) -> bool:
        return False
