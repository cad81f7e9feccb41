"""Keystone v3 users: /v3/users[/{id}]. Listing, creating, updating and deleting are for
admins; a user may also show itself."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from identity import services
from identity.documents import collection_links, user_document
from identity.models import User

from .common import filter_exact, require_admin, require_admin_or_self, require_self


class UsersView(APIView):
    """GET lists (filters name, domain_id, enabled); POST creates."""

    def get(self, request):
        require_admin(request)
        params = request.query_params
        users = filter_exact(User.objects.all(), params, "name", "domain_id")
        if "enabled" in params:
            users = users.filter(enabled=services.truthy(params["enabled"]))
        return Response({"users": [user_document(request, user) for user in users], "links": collection_links(request)})

    def post(self, request):
        require_admin(request)
        user = services.create_user(services.entity_body(request.data, "user"))
        return Response({"user": user_document(request, user)}, status=status.HTTP_201_CREATED)


class UserView(APIView):
    """GET shows (admin or self); PATCH updates password, enabled, email, name,
    default_project_id (admin); DELETE deletes (admin; the user's tokens go with it)."""

    def get(self, request, user_id: str):
        require_admin_or_self(request, user_id)
        return Response({"user": user_document(request, services.get_user(user_id))})

    def patch(self, request, user_id: str):
        require_admin(request)
        body = services.entity_body(request.data, "user")
        user = services.update_user(services.get_user(user_id), body)
        return Response({"user": user_document(request, user)})

    def delete(self, request, user_id: str):
        require_admin(request)
        services.get_user(user_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserPasswordView(APIView):
    """POST /v3/users/{id}/password {"user": {"password", "original_password"}}: a user
    changes its own password (204); every token of the user is revoked."""

    def post(self, request, user_id: str):
        require_self(request, user_id)
        services.change_own_password(services.get_user(user_id), services.entity_body(request.data, "user"))
        return Response(status=status.HTTP_204_NO_CONTENT)
