"""The base of the Identity API's views."""

from __future__ import annotations

from rest_framework.permissions import IsAuthenticated

from core.views import ServiceView


class IdentityView(ServiceView):
    """An Identity API view: any valid token may call it, an unscoped one too, and the
    identity rules of ``core.policy`` (enforced by ``identity.services``) say what it may do.
    The other APIs ask a token for a role on its project first (``core.views.ProjectRoles``);
    Keystone's own calls (listing one's projects to choose a scope, changing one's password)
    need none."""

    permission_classes = [IsAuthenticated]
