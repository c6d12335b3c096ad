"""Helpers the tests import, one module a purpose; they live here rather than in conftest.py, as
pytest advises, so that a test imports them by name and conftest.py keeps the fixtures.

- `clients`: the API over HTTP (`Api`) and in this process (`InProcessApi`)
- `tokens`: an outside issuer on loopback (`LocalIssuer`) and hand-forged JWTs
- `servers`: loopback servers, gunicorn, a hanging peer, slow clients
- `importing`: the importer's run and a proxy that fails on cue
- `flush`: the content types and permissions Django's flush makes again, from rows kept
- `paths`: the project's folder

(The scenario's sample entry is tests/samples.py, beside the factories built from it.)

The names are re-exported here for code written before the split; new code imports from the
module named for its purpose.
"""

from ..samples import ALL_SCOPES, SAMPLE_ENTRY, validated_entry
from .clients import Api, InProcessApi
from .importing import FaultyProxy, ImportRun, run_import_in_process, run_process
from .paths import PROJECT_DIR
from .servers import Gunicorn, HangingProxy, LoopbackServer, SlowClients, free_port
from .tokens import LocalIssuer, hs256_token, unsigned_token

__all__ = [
    "ALL_SCOPES",
    "PROJECT_DIR",
    "SAMPLE_ENTRY",
    "Api",
    "FaultyProxy",
    "Gunicorn",
    "HangingProxy",
    "ImportRun",
    "InProcessApi",
    "LocalIssuer",
    "LoopbackServer",
    "SlowClients",
    "free_port",
    "hs256_token",
    "run_import_in_process",
    "run_process",
    "unsigned_token",
    "validated_entry",
]
