"""Django's flush after each live-server test, without Django making every permission again.

pytest-django ends a `transactional_db` test (every test of the live server) with Django's
`flush`: it empties every table, then sends post_migrate as `migrate` does. Django's own
receivers then make every content type and permission again, app by app: about 30 ms of a
33 ms flush here, after each of some 230 tests. They make the same rows each time, so the
session reads those rows once, after `migrate`, and makes them again with one insert a table.
The project's own post_migrate receivers run as before.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_migrate

# As django.contrib.auth's AppConfig.ready() connects it.
CREATE_PERMISSIONS_UID = "django.contrib.auth.management.create_permissions"


class KeptContentTypes:
    """The content types and permissions `migrate` left, made again after a flush emptied them."""

    def __init__(self) -> None:
        self.content_types = list(ContentType.objects.values_list("app_label", "model"))
        self.permissions = list(
            Permission.objects.values_list(
                "content_type__app_label", "content_type__model", "codename", "name"
            )
        )

    def put_back(self, using: str, **kwargs: Any) -> None:
        if ContentType.objects.using(using).exists():  # `migrate`, not a flush: nothing went
            return
        # New ids, as Django's receivers give them: the cached ones are gone.
        ContentType.objects.clear_cache()
        made = ContentType.objects.using(using).bulk_create(
            ContentType(app_label=app_label, model=model) for app_label, model in self.content_types
        )
        ids = {(made_type.app_label, made_type.model): made_type.pk for made_type in made}
        Permission.objects.using(using).bulk_create(
            Permission(content_type_id=ids[app_label, model], codename=codename, name=name)
            for app_label, model, codename, name in self.permissions
        )


def keep_content_types_across_flushes() -> KeptContentTypes:
    """Reads the rows now and puts them back after each flush instead of Django's receivers."""
    kept = KeptContentTypes()
    post_migrate.disconnect(dispatch_uid=CREATE_PERMISSIONS_UID)
    post_migrate.disconnect(create_contenttypes)
    post_migrate.connect(kept.put_back, sender=apps.get_app_config("contenttypes"))
    return kept


def make_content_types_as_django_does(kept: KeptContentTypes) -> None:
    """Django's receivers back in place of `kept`'s."""
    post_migrate.disconnect(kept.put_back, sender=apps.get_app_config("contenttypes"))
    post_migrate.connect(create_permissions, dispatch_uid=CREATE_PERMISSIONS_UID)
    post_migrate.connect(create_contenttypes)
