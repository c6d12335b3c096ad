"""A flush after a live-server test leaves what Django's own post_migrate receivers would."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command


def rows() -> tuple[list[tuple], list[tuple]]:
    content_types = sorted(ContentType.objects.values_list("app_label", "model"))
    permissions = sorted(Permission.objects.values_list("content_type__model", "codename", "name"))
    return content_types, permissions


def test_a_flush_puts_back_every_content_type_and_permission_django_makes(transactional_db):
    call_command("flush", interactive=False, verbosity=0)
    put_back = rows()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)  # makes the app's content types first
    made = rows()
    assert put_back == made
    assert len(made[1]) > 50
