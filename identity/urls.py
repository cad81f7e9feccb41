"""/identity: version documents, tokens, a token's possible scopes and its catalog, projects,
users, roles, assignments, domains, and the catalog's regions, services and endpoints."""

from django.urls import path

from . import views
from .api import auth, catalog, domain_grants, projects, roles, users

urlpatterns = [
    path("", views.VersionsView.as_view()),
    path("/", views.VersionsView.as_view()),
    path("/v3", views.V3View.as_view()),
    path("/v3/", views.V3View.as_view()),
    path("/v3/auth/tokens", views.TokensView.as_view()),
    path("/v3/auth/projects", auth.AuthProjectsView.as_view()),
    path("/v3/auth/domains", auth.AuthDomainsView.as_view()),
    path("/v3/auth/system", auth.AuthSystemView.as_view()),
    path("/v3/auth/catalog", auth.AuthCatalogView.as_view()),
    path("/v3/regions", catalog.RegionsView.as_view()),
    path("/v3/regions/<str:region_id>", catalog.RegionView.as_view()),
    path("/v3/services", catalog.ServicesView.as_view()),
    path("/v3/services/<str:service_id>", catalog.ServiceView.as_view()),
    path("/v3/endpoints", catalog.EndpointsView.as_view()),
    path("/v3/endpoints/<str:endpoint_id>", catalog.EndpointView.as_view()),
    path("/v3/projects", projects.ProjectsView.as_view()),
    path("/v3/projects/<str:project_id>", projects.ProjectView.as_view()),
    path("/v3/projects/<str:project_id>/users/<str:user_id>/roles", roles.UserRolesOnProjectView.as_view()),
    path("/v3/projects/<str:project_id>/users/<str:user_id>/roles/<str:role_id>", roles.GrantView.as_view()),
    path("/v3/users", users.UsersView.as_view()),
    path("/v3/users/<str:user_id>", users.UserView.as_view()),
    path("/v3/users/<str:user_id>/projects", projects.UserProjectsView.as_view()),
    path("/v3/users/<str:user_id>/password", users.UserPasswordView.as_view()),
    path("/v3/roles", roles.RolesView.as_view()),
    path("/v3/roles/<str:role_id>", roles.RoleView.as_view()),
    path("/v3/role_assignments", roles.RoleAssignmentsView.as_view()),
    path("/v3/domains", roles.DomainsView.as_view()),
    path("/v3/domains/<str:domain_id>", roles.DomainView.as_view()),
    path("/v3/domains/<str:domain_id>/users/<str:user_id>/roles", domain_grants.UserRolesOnDomainView.as_view()),
    path(
        "/v3/domains/<str:domain_id>/users/<str:user_id>/roles/<str:role_id>",
        domain_grants.DomainGrantView.as_view(),
    ),
]
