"""The suite's settings: the server's own, with the one change Django's testing docs advise.

Staff passwords are hashed with Django's default, PBKDF2, at about a quarter of a second a
hash here; the suite signs people in many times, so it hashes them with MD5 instead
("Speeding up the tests", Django's docs). Client secrets keep their own production hasher
(issuer/hashers.py), a cheap one, so it must stay listed.
"""

from timesheets_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "issuer.hashers.ClientSecretHasher"]
