"""/network: version list and the v2.0 extensions, networks, subnets, ports, security groups,
security group rules, routers, floating IPs and quotas."""

from django.urls import path

from novasite.versions import NetworkVersions

from . import extensions, floating_ips, networks, ports, quotas, routers, security_groups, subnets

urlpatterns = [
    path("", NetworkVersions.as_view()),
    path("/", NetworkVersions.as_view()),
    path("/v2.0/extensions", extensions.ExtensionsView.as_view()),
    path("/v2.0/extensions/<str:alias>", extensions.ExtensionView.as_view()),
    path("/v2.0/networks", networks.NetworksView.as_view()),
    path("/v2.0/networks/<str:network_id>", networks.NetworkView.as_view()),
    path("/v2.0/subnets", subnets.SubnetsView.as_view()),
    path("/v2.0/subnets/<str:subnet_id>", subnets.SubnetView.as_view()),
    path("/v2.0/ports", ports.PortsView.as_view()),
    path("/v2.0/ports/<str:port_id>", ports.PortView.as_view()),
    path("/v2.0/security-groups", security_groups.SecurityGroupsView.as_view()),
    path("/v2.0/security-groups/<str:group_id>", security_groups.SecurityGroupView.as_view()),
    path("/v2.0/security-group-rules", security_groups.SecurityGroupRulesView.as_view()),
    path("/v2.0/security-group-rules/<str:rule_id>", security_groups.SecurityGroupRuleView.as_view()),
    path("/v2.0/routers", routers.RoutersView.as_view()),
    path("/v2.0/routers/<str:router_id>", routers.RouterView.as_view()),
    path(
        "/v2.0/routers/<str:router_id>/add_router_interface", routers.RouterInterfaceView.as_view(), {"action": "add"}
    ),
    path(
        "/v2.0/routers/<str:router_id>/remove_router_interface",
        routers.RouterInterfaceView.as_view(),
        {"action": "remove"},
    ),
    path("/v2.0/floatingips", floating_ips.FloatingIpsView.as_view()),
    path("/v2.0/floatingips/<str:floatingip_id>", floating_ips.FloatingIpView.as_view()),
    path("/v2.0/quotas", quotas.QuotasView.as_view()),
    path("/v2.0/quotas/<str:project_id>", quotas.QuotaView.as_view()),
    path("/v2.0/quotas/<str:project_id>/default", quotas.QuotaDefaultView.as_view()),
    path("/v2.0/quotas/<str:project_id>/details", quotas.QuotaDetailsView.as_view()),
]
