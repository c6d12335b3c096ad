"""People: the sign-ins that log their own time, each with a timesheet identity and a role.

A person is a Django user (the sign-in page, `is_active` in the admin) with the identity
their entries carry (`user_type`, `user_id`) and a role that bounds what their tokens may do.
The API and the embedded issuer both read this app; it reads neither of them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from common import scopes
from common.user_types import USER_TYPES


def new_subject() -> str:
    """A person's `sub`: stable, never reused, and not the username, which may change."""
    return f"person|{uuid.uuid4().hex}"


def validate_identity_text(value: str) -> None:
    """What an entry's `user_id` and a token's `sub` can carry: printable, no spaces at either end.

    The API trims an entry's text and refuses control characters, so " 007" could never be
    anyone's entry, nor a subject with a tab anyone's token.
    """
    if not value.isprintable() or value != value.strip():
        raise ValidationError("Printable characters only, without spaces at either end.")


class Role(models.TextChoices):
    EMPLOYEE = "employee"
    MANAGER = "manager"


# What a person's token may carry, by role: a request for more is narrowed to this.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.EMPLOYEE: frozenset({scopes.READ, scopes.CREATE, scopes.DELETE}),
    Role.MANAGER: frozenset({scopes.READ, scopes.CREATE, scopes.DELETE, scopes.APPROVE}),
}


class Person(models.Model):
    """A sign-in with a timesheet identity: whose entries a person's token may touch."""

    # The sign-in; not named `user`, whose column would clash with the timesheet `user_id`.
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    subject = models.CharField(
        max_length=200,
        unique=True,
        default=new_subject,
        validators=[validate_identity_text],
        help_text="The `sub` of this person's tokens; for an outside issuer, its subject (auth0|…).",
    )
    user_type = models.CharField(max_length=10, choices=[(name, name) for name in USER_TYPES])
    user_id = models.CharField(max_length=64, validators=[validate_identity_text])
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EMPLOYEE)

    class Meta:
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["user_type", "user_id"], name="one_person_per_identity"),
        ]
        # An outside issuer's token may name its person by user_id alone (OAUTH_PERSON_CLAIM),
        # looked up on every request: the constraint's index leads with user_type.
        indexes = [models.Index(fields=["user_id"], name="person_user_id")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.account.get_full_name() or self.account.get_username()

    @property
    def is_active(self) -> bool:
        return self.account.is_active

    @property
    def allowed_scopes(self) -> frozenset[str]:
        return ROLE_SCOPES[self.role]
