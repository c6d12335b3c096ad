"""The suite's settings: the server's own, with the one change Django's testing docs advise.

Client secrets and staff passwords are hashed with Django's default, PBKDF2, at about a
quarter of a second a hash here; the suite registers a client and asks for a token in
hundreds of tests, so it hashes with MD5 instead ("Speeding up the tests", Django's docs).
The production hasher has its own test (tests/issuer/test_create_api_client.py).
"""

from timesheets_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
