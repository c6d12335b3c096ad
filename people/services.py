"""Making a person: a sign-in and its timesheet identity, together or not at all."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Person, Role, validate_identity_text


class PersonNotCreated(ValueError):
    pass


@transaction.atomic
def person_create(
    *,
    username: str,
    user_type: str,
    user_id: str,
    role: str = Role.EMPLOYEE,
    name: str = "",
    email: str = "",
    password: str | None = None,
) -> Person:
    """A new sign-in with its identity. Without a password the sign-in cannot be used until
    one is set (the admin, or `changepassword`)."""
    User = get_user_model()
    try:
        # As in entries: the identity a person's entries will carry.
        if not user_id:
            raise ValidationError("empty")
        validate_identity_text(user_id)
    except ValidationError:
        raise PersonNotCreated("The user id must be 1 to 64 printable characters.") from None
    if User.objects.filter(username=username).exists():
        raise PersonNotCreated(f"The username {username!r} is taken.")
    if Person.objects.filter(user_type=user_type, user_id=user_id).exists():
        raise PersonNotCreated(f"{user_type} {user_id} is already someone's identity.")
    first_name, _, last_name = name.strip().partition(" ")
    account = User(username=username, first_name=first_name, last_name=last_name.strip(), email=email)
    if password is None:
        account.set_unusable_password()
    else:
        try:
            validate_password(password, account)
        except ValidationError as exc:
            raise PersonNotCreated(" ".join(exc.messages)) from None
        account.set_password(password)
    try:
        account.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise PersonNotCreated(" ".join(exc.messages)) from None
    account.save()
    person = Person(account=account, user_type=user_type, user_id=user_id, role=role)
    try:
        person.full_clean(exclude=["account"])
    except ValidationError as exc:
        raise PersonNotCreated(" ".join(exc.messages)) from None
    person.save()
    return person
