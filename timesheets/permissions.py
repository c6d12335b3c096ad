"""Scope checks: each view declares the scopes each of its actions needs."""

from __future__ import annotations

from typing import Any, cast

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from common.scopes import APPROVE, CREATE, DELETE, READ

from .authentication import TokenPrincipal

# A staff user of the browsable API holds the scopes its model permissions stand for.
PERMISSION_SCOPES = {
    "timesheets.view_timesheet": READ,
    "timesheets.add_timesheet": CREATE,
    "timesheets.delete_timesheet": DELETE,
    "timesheets.approve_timesheet": APPROVE,
}


class InsufficientScope(PermissionDenied):
    default_detail = "Insufficient scope"
    default_code = "insufficient_scope"

    def __init__(self, required_scopes: list[str]) -> None:
        super().__init__()
        self.required_scopes = required_scopes


def granted_scopes(user: Any) -> frozenset[str]:
    if isinstance(user, TokenPrincipal):
        return user.scopes
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return frozenset(scope for perm, scope in PERMISSION_SCOPES.items() if user.has_perm(perm))
    return frozenset()


def caller_identity(user: Any) -> str:
    """Who a write is recorded against: the token's client, or the staff user."""
    if isinstance(user, TokenPrincipal):
        return user.identity
    return f"user:{user.get_username()}"


class HasRequiredScopes(BasePermission):
    """Allows an action when the caller holds every scope in `view.required_scopes[action]`.

    Keys are viewset actions, or lower-case HTTP methods on plain views. An action the
    view does not declare is refused: a new endpoint is closed until someone opens it.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False  # DRF answers 401 with the bearer challenge
        method = cast(str, request.method)  # None only on a bare HttpRequest(), never a served one
        action_map = getattr(view, "action_map", None)
        if action_map is not None and method.lower() not in action_map and method != "OPTIONS":
            return True  # the view answers 405 Method Not Allowed: there is nothing to guard
        # The action of this request's method: the browsable API asks with a cloned request
        # whether to offer a POST form on a page it fetched with GET.
        action = (action_map or {}).get(method.lower()) or getattr(view, "action", None)
        required = getattr(view, "required_scopes", {}).get(action or method.lower())
        if required is None:
            return False
        if not set(required) <= granted_scopes(user):
            raise InsufficientScope(list(required))
        return True
