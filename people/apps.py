from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_save


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import lookup
        from .models import Person

        # A change through the model drops the API's cached answer (people/lookup.py).
        post_save.connect(lookup.person_changed, sender=Person)
        post_delete.connect(lookup.person_changed, sender=Person)
        post_save.connect(lookup.account_changed, sender=settings.AUTH_USER_MODEL)
