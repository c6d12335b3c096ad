"""The two ways a test calls the API: over HTTP to the live server, or in this process."""

from __future__ import annotations

import base64
import json as json_module
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests
from rest_framework.test import APIClient

from issuer import conf as issuer_conf

from ..factories import ApiClientFactory
from ..samples import ALL_SCOPES
from .tokens import embedded_token

if TYPE_CHECKING:  # the stubs' name for a test client's answer, with its json()
    from rest_framework.response import _MonkeyPatchedResponse as TestResponse


class Api:
    """requests against the live server, with an optional bearer token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def request(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


_NO_JSON = object()


class InProcessApi:
    """The API called in this process through DRF's APIClient: `Api`'s calls without a server.

    The same keywords as `Api` (`token`, `json`, `data`, `params`, `headers`), so a test reads
    the same either way; answers are Django's test responses (`status_code`, `json()`,
    `headers`, `text`). The session checks CSRF as a browser's would. Tokens are the embedded
    issuer's, named for `base_url`, so their `iss` is the one the API expects of this caller.
    """

    def __init__(self, host: str = "testserver") -> None:
        self.base_url = f"http://{host}"
        self.client = APIClient(enforce_csrf_checks=True, HTTP_HOST=host)
        self._secrets: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = _NO_JSON,
        data: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> TestResponse:
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if auth is not None:  # HTTP Basic, as requests sends it
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode("latin-1")).decode()
        content_type = headers.pop("Content-Type", "")
        body: str | bytes = ""
        if json is not _NO_JSON and json is not None:  # as requests, `json=None` sends no body
            body, content_type = json_module.dumps(json, allow_nan=False), "application/json"
        elif isinstance(data, dict | list):
            body, content_type = urlencode(data, doseq=True), "application/x-www-form-urlencoded"
        elif data is not None:
            body = data
        # Django's RequestFactory.generic takes bytes too (force_bytes); DRF's stubs say str.
        return self.client.generic(
            method,
            path,
            body,  # type: ignore[arg-type]
            content_type=content_type,
            headers=headers,
            query_params=params,
        )

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)

    def csrf_token(self) -> str:
        return self.client.cookies["csrftoken"].value

    def token(self, *, client_id: str | None = None, scope: str = ALL_SCOPES) -> str:
        """A token holding `scope` for the client `client_id`, as the embedded issuer signs it.

        The client is registered on first use (granted every scope, so that one client can
        hold different scopes in turn; None registers a new client with a generated id), as
        the API refuses the tokens of a client it does not know. The token is minted in process
        (`embedded_token`), the same as /oauth/token would answer `fetch_token`.
        """
        client_id = self._register(client_id)
        issuer = issuer_conf.public_issuer_url() or self.base_url + "/"
        return embedded_token(client_id=client_id, scope=scope, issuer=issuer)

    def fetch_token(self, *, client_id: str | None = None, scope: str = ALL_SCOPES) -> str:
        """A token from /oauth/token through this client, for the client `client_id` (as `token`)."""
        client_id = self._register(client_id)
        form = {"grant_type": "client_credentials", "client_id": client_id, "scope": scope}
        response = self.post("/oauth/token", data={**form, "client_secret": self._secrets[client_id]})
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    def _register(self, client_id: str | None) -> str:
        if client_id is None or client_id not in self._secrets:
            registered = ApiClientFactory.create(client_id=client_id)
            client_id = registered.client.client_id
            self._secrets[client_id] = registered.client_secret
        return client_id
