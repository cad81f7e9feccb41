"""DRF authentication by Keystone token (X-Auth-Token). Policy lives in core.policy.

A token is validated here (``identity.tokens``, through this process's short cache
``identity.token_cache``) or, in a region without identity of its own
(``IDENTITY_URL``), at the shared identity service (``identity.remote_tokens``); either way
the request's user is a ``tokens.Principal``, so ``Caller`` and policy are the same."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from . import remote, remote_tokens, token_cache, tokens


def www_authenticate() -> str:
    """The WWW-Authenticate header of a 401: where to get a token (keystonemiddleware's
    www_authenticate_uri)."""
    return f'Keystone uri="{remote.identity_uri()}"'


def validate(secret: str) -> tokens.Principal | None:
    """The principal of a valid token, wherever this region's identity service is; None
    when it is not valid (IdentityUnavailable, a 503, when the shared one cannot be asked)."""
    if remote.configured():
        return remote_tokens.validate(secret)
    return token_cache.validate(secret)


class TokenAuthentication(authentication.BaseAuthentication):
    """Reads X-Auth-Token. A missing token leaves the request anonymous (views that need a
    caller then answer 401); a bad or expired one is 401 at once."""

    def authenticate(self, request: Request) -> tuple[tokens.Principal, str] | None:
        secret = request.headers.get("X-Auth-Token")
        if not secret:
            return None
        principal = validate(secret)
        if principal is None:
            raise exceptions.AuthenticationFailed("The request you have made requires authentication.")
        return principal, secret

    def authenticate_header(self, request: Request) -> str:
        return www_authenticate()
