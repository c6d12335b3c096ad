"""People in the admin: who they are in the timesheets, their role, and whether they may sign in.

"Active" is the sign-in's own `is_active`, edited here beside the role: switched off, a person
gets no new token and no refresh, and the API refuses the tokens they hold.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from .models import Person


class PersonForm(forms.ModelForm):
    is_active = forms.BooleanField(
        label="Active", required=False, initial=True, help_text="Off: this person can no longer sign in."
    )

    class Meta:
        model = Person
        fields = ["account", "user_type", "user_id", "role", "subject"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["is_active"].initial = self.instance.account.is_active


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonForm
    list_display = ["username", "name", "user_type", "user_id", "role", "active"]
    list_filter = ["role", "user_type", "account__is_active"]
    search_fields = ["account__username", "account__first_name", "account__last_name", "user_id"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    fields = ["account", "user_type", "user_id", "role", "is_active", "subject"]

    @admin.display(ordering="account__username")
    def username(self, person: Person) -> str:
        return person.account.get_username()

    @admin.display(boolean=True, ordering="account__is_active")
    def active(self, person: Person) -> bool:
        return person.account.is_active

    def save_model(self, request: HttpRequest, obj: Person, form: PersonForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.account.is_active != form.cleaned_data["is_active"]:
            obj.account.is_active = form.cleaned_data["is_active"]
            obj.account.save(update_fields=["is_active"])
