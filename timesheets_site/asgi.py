import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timesheets_site.settings")

application = get_asgi_application()

# After the app is loaded: stop at start, not at every token, when the signing keys cannot be opened.
from issuer.seal_check import refuse_unopenable_signing_keys  # noqa: E402

refuse_unopenable_signing_keys()
