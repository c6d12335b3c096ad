"""Settings of a machine that holds the importer and nothing of the API server.

The import-graph test runs `import_timesheets` with these settings while the server's
packages and every database driver are made unimportable: a run that still works is one
that talks to the API over HTTP only.
"""

SECRET_KEY = "client-only-test-settings"
INSTALLED_APPS = ["importer"]
USE_TZ = True
