"""Admin pages that show records and never change them: the audit trail and import conflicts.

What they hold is changed by the services only (an event is written by the write it records;
a conflict is accepted or dismissed by its actions), never by the admin's forms.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
