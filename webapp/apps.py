from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class WebappConfig(AppConfig):
    name = "webapp"
    verbose_name = "Employees' web app"

    def ready(self) -> None:
        from .registration import register_after_migrate

        # Sent for apps with models only: this app has none, the client table is the issuer's.
        post_migrate.connect(register_after_migrate, sender=apps.get_app_config("issuer"))
