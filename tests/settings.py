"""The suite's settings: the server's own, with two changes for speed alone.

Staff passwords are hashed with Django's default, PBKDF2, at about a quarter of a second a
hash here; the suite signs people in many times, so it hashes them with MD5 instead
("Speeding up the tests", Django's docs). Client secrets keep their own production hasher
(issuer/hashers.py), a cheap one, so it must stay listed.

WhiteNoise lists every static file when its middleware is built, and every test client
builds its own: about 90 ms a test. With autorefresh, as in development, it looks a file up
when one is asked for instead; the files and their headers are the same.
"""

from timesheets_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "issuer.hashers.ClientSecretHasher"]
WHITENOISE_AUTOREFRESH = True
