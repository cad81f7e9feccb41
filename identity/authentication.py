"""DRF authentication by Keystone token (X-Auth-Token). Policy lives in core.policy."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from . import token_cache, tokens


class TokenAuthentication(authentication.BaseAuthentication):
    """Reads X-Auth-Token. A missing token leaves the request anonymous (views that need a
    caller then answer 401); a bad or expired one is 401 at once."""

    def authenticate(self, request: Request) -> tuple[tokens.Principal, str] | None:
        secret = request.headers.get("X-Auth-Token")
        if not secret:
            return None
        principal = token_cache.validate(secret)
        if principal is None:
            raise exceptions.AuthenticationFailed("The request you have made requires authentication.")
        return principal, secret

    def authenticate_header(self, request: Request) -> str:
        return 'Keystone uri="/identity/v3"'
