from django.apps import AppConfig


class ImporterAppConfig(AppConfig):
    """Django's record of the app; the import's own settings are config.ImporterConfig."""

    name = "importer"
    verbose_name = "Timesheets importer"
