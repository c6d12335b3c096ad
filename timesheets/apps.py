from django.apps import AppConfig


class TimesheetsConfig(AppConfig):
    name = "timesheets"

    def ready(self) -> None:
        from . import checks, schema  # noqa: F401 (registers the checks and the OpenAPI extension)
