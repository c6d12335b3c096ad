"""The key cache against a real JWKS endpoint: bounded refetches, and no lock-out while the issuer is down."""

from __future__ import annotations

import concurrent.futures
import uuid

from timesheets import jwks


def test_keys_are_fetched_once_for_many_requests(app, local_issuer):
    token = local_issuer.token(scope="read:timesheets")
    for _ in range(5):
        assert app.get("/timesheets", token=token).status_code == 200
    assert local_issuer.jwks_requests == 1


def test_the_jwks_uri_is_discovered_from_the_issuer_metadata(app, local_issuer):
    assert app.get("/timesheets", token=local_issuer.token()).status_code == 200
    assert jwks.key_set_for(local_issuer.url).jwks_url == local_issuer.url + "keys"


def test_valid_tokens_keep_working_while_the_issuer_is_down(app, local_issuer, settings):
    token = local_issuer.token(scope="read:timesheets")
    assert app.get("/timesheets", token=token).status_code == 200
    local_issuer.up = False
    settings.OAUTH_JWKS_CACHE_SECONDS = 0  # every request now wants a refresh, which fails
    settings.OAUTH_JWKS_REFETCH_COOLDOWN = 0

    assert app.get("/timesheets", token=token).status_code == 200
    assert app.get("/timesheets", token=token).status_code == 200


def test_stale_keys_stop_serving_after_the_bound(app, local_issuer, settings):
    token = local_issuer.token(scope="read:timesheets")
    assert app.get("/timesheets", token=token).status_code == 200
    local_issuer.up = False
    settings.OAUTH_JWKS_CACHE_SECONDS = 0
    settings.OAUTH_JWKS_MAX_STALE_SECONDS = 0
    assert app.get("/timesheets", token=token).status_code == 401


def test_a_new_kid_after_the_cache_was_filled_is_accepted_after_one_refetch(app, local_issuer):
    assert app.get("/timesheets", token=local_issuer.token()).status_code == 200
    local_issuer.add_key("key-2")
    assert app.get("/timesheets", token=local_issuer.token(kid="key-2")).status_code == 200
    assert local_issuer.jwks_requests == 2


# Many requests at once, each on its own connection: the live server's threads.
def test_a_burst_of_unknown_kids_causes_at_most_one_refetch(api, local_issuer):
    assert api.get("/timesheets", token=local_issuer.token()).status_code == 200
    local_issuer.add_key("attacker")
    tokens = [local_issuer.token(kid="attacker", headers={"kid": uuid.uuid4().hex}) for _ in range(100)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda token: api.get("/timesheets", token=token).status_code, tokens))

    assert statuses == [401] * 100
    assert local_issuer.jwks_requests <= 2  # the fill, and at most one refetch


def test_an_issuer_that_cannot_be_reached_gives_401_not_500(app, settings):
    settings.OAUTH_ISSUER = "http://127.0.0.1:9/"  # discard port: nothing listens
    token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2ln"
    response = app.get("/timesheets", token=token)
    assert response.status_code == 401
