"""Keystone v3 users: /v3/users[/{id}] and /v3/users/{id}/password.

Who may do what is ``core.policy`` (identity:list_users, identity:get_user, ...), enforced by
``identity.services.users``."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from identity.documents import collection_links, user_document
from identity.services import users

from . import openapi as doc
from . import parsing
from .base import IdentityView
from .filtersets import UserFilterSet


class UsersView(IdentityView):
    """GET lists (filters name, domain_id, enabled); POST creates."""

    openapi = {"get": doc.USER_LIST, "post": doc.USER_CREATE}

    def get(self, request: Request) -> Response:
        found = UserFilterSet(request.query_params, queryset=users.list_users(self.caller)).qs
        return Response({"users": [user_document(request, user) for user in found], "links": collection_links(request)})

    def post(self, request: Request) -> Response:
        user = users.create_user(self.caller, parsing.new_user(request.data))
        return Response({"user": user_document(request, user)}, status=status.HTTP_201_CREATED)


class UserView(IdentityView):
    """GET shows; PATCH updates password, enabled, email, name, default_project_id; DELETE
    deletes (the user's tokens go with it)."""

    openapi = {"get": doc.USER_SHOW, "patch": doc.USER_UPDATE, "delete": doc.USER_DELETE}

    def get(self, request: Request, user_id: str) -> Response:
        return Response({"user": user_document(request, users.get_user(self.caller, user_id))})

    def patch(self, request: Request, user_id: str) -> Response:
        user = users.update_user(self.caller, user_id, parsing.user_changes(request.data))
        return Response({"user": user_document(request, user)})

    def delete(self, request: Request, user_id: str) -> Response:
        users.delete_user(self.caller, user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserPasswordView(IdentityView):
    """POST /v3/users/{id}/password {"user": {"password", "original_password"}}: a user
    changes its own password (204); every token of the user is revoked."""

    openapi = {"post": doc.USER_PASSWORD}

    def post(self, request: Request, user_id: str) -> Response:
        original, password = parsing.password_change(request.data)
        users.change_password(self.caller, user_id, original_password=original, password=password)
        return Response(status=status.HTTP_204_NO_CONTENT)
