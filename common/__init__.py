"""What the API server and the importer both need, importing neither of them.

The importer is a client that may run on another machine, so it imports nothing of the
server; the rules both sides must agree on (how a secret is read from the environment, how
the issuer is named and discovered) live here, once.
"""
