"""Settings of `manage.py import_timesheets`: the job is a client of the API, not its server.

manage.py picks this module for the import command, so a cron run sets up only Django's
command machinery and the importer: no database, no server secret, none of the server's
apps (0.3 s to its first row here, against 0.7 s under the server's settings). The job's
own configuration is its environment (docs/importer.md). DJANGO_SETTINGS_MODULE,
when set, still wins.
"""

from common.logs import stderr_logging

INSTALLED_APPS = ["importer"]
USE_TZ = True
LOGGING = stderr_logging("importer")
