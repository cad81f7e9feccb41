"""Keystone v3 resource views (tokens and version documents live in identity.views).

Policy, as chosen here (Keystone's default policies, simplified):
* projects: list = admin all / member the projects it has a role on; show = admin or a
  member of it (another existing project is 403, an unknown id 404); create/update/delete
  = admin.
* users: list/create/update/delete = admin; show and /users/{id}/projects = admin or
  self; POST /users/{id}/password = self only.
* roles: list/show = any authenticated caller; create/delete = admin.
* grants: PUT/DELETE = admin; HEAD/GET and /projects/{p}/users/{u}/roles = admin or self;
  /role_assignments = admin.
* domains: only Default exists; any authenticated caller may read it.
"""
