"""Keystone v3 resource views (tokens and version documents live in identity.views).

Views parse the request (``parsing`` for bodies, ``filtersets`` for list queries) and call
``identity.services``, which enforces the identity rules of ``core.policy`` (Keystone's
defaults, simplified): admins manage projects, users, roles and grants; a member reads the
project its token is scoped to, itself, its own projects and grants, and the roles; only a
user changes its own password; any authenticated caller reads the Default domain, the only
one there is.
"""
