from django.urls import include, path

from consoles.api import views as console_views
from novasite.extensions import ExtensionsView, ExtensionView
from novasite.versions import ComputeV21

from . import (
    action_views,
    address_views,
    attachment_views,
    external_event_views,
    flavor_views,
    group_views,
    host_query_views,
    image_views,
    instance_action_views,
    keypair_views,
    metadata_views,
    migration_views,
    network_views,
    os_migrations_views,
    password_views,
    quota_views,
    security_group_views,
    share_views,
    tag_views,
    usage_views,
    views,
    volume_views,
    volumes_boot_views,
)

urlpatterns = [
    path("", ComputeV21.as_view()),
    path("/", ComputeV21.as_view()),
    path("/servers", views.ServersView.as_view()),
    path("/servers/detail", views.ServersDetailView.as_view()),
    path("/servers/<str:server_id>", views.ServerView.as_view()),
    path("/servers/<str:server_id>/action", action_views.ServerActionView.as_view()),
    path("/servers/<str:server_id>/os-volume_attachments", attachment_views.VolumeAttachmentsView.as_view()),
    path(
        "/servers/<str:server_id>/os-volume_attachments/<str:volume_id>",
        attachment_views.VolumeAttachmentView.as_view(),
    ),
    path("/servers/<str:server_id>/os-interface", attachment_views.InterfacesView.as_view()),
    path("/servers/<str:server_id>/os-interface/<str:port_id>", attachment_views.InterfaceView.as_view()),
    path("/servers/<str:server_id>/os-instance-actions", instance_action_views.InstanceActionsView.as_view()),
    path(
        "/servers/<str:server_id>/os-instance-actions/<str:request_id>",
        instance_action_views.InstanceActionView.as_view(),
    ),
    path("/servers/<str:server_id>/migrations", migration_views.ServerMigrationsView.as_view()),
    path("/servers/<str:server_id>/migrations/<str:migration_id>", migration_views.ServerMigrationView.as_view()),
    path(
        "/servers/<str:server_id>/migrations/<str:migration_id>/action",
        migration_views.ServerMigrationActionView.as_view(),
    ),
    path("/servers/<str:server_id>/tags", tag_views.TagsView.as_view()),
    path("/servers/<str:server_id>/tags/<str:tag>", tag_views.TagView.as_view()),
    path("/servers/<str:server_id>/ips", address_views.AddressesView.as_view()),
    path("/servers/<str:server_id>/ips/<str:network>", address_views.NetworkAddressesView.as_view()),
    path("/servers/<str:server_id>/os-server-password", password_views.ServerPasswordView.as_view()),
    path("/os-simple-tenant-usage", usage_views.TenantUsagesView.as_view()),
    path("/os-simple-tenant-usage/<str:project_id>", usage_views.TenantUsageView.as_view()),
    path("/os-instance_usage_audit_log", usage_views.AuditLogsView.as_view()),
    path("/os-instance_usage_audit_log/<str:before>", usage_views.AuditLogView.as_view()),
    path("/os-server-external-events", external_event_views.ServerExternalEventsView.as_view()),
    path("/servers/<str:server_id>/diagnostics", host_query_views.ServerDiagnosticsView.as_view()),
    path("/servers/<str:server_id>/remote-consoles", console_views.RemoteConsolesView.as_view()),
    path("/os-console-auth-tokens/<str:token>", console_views.ConsoleAuthTokenView.as_view()),
    path("/flavors", flavor_views.FlavorsView.as_view()),
    path("/flavors/detail", flavor_views.FlavorsDetailView.as_view()),
    path("/flavors/<str:flavor_id>", flavor_views.FlavorView.as_view()),
    path("/flavors/<str:flavor_id>/action", flavor_views.FlavorActionView.as_view()),
    path("/flavors/<str:flavor_id>/os-flavor-access", flavor_views.FlavorAccessView.as_view()),
    path("/flavors/<str:flavor_id>/os-extra_specs", flavor_views.ExtraSpecsView.as_view()),
    path("/flavors/<str:flavor_id>/os-extra_specs/<str:key>", flavor_views.ExtraSpecView.as_view()),
    path("/os-keypairs", keypair_views.KeypairsView.as_view()),
    path("/os-keypairs/<str:name>", keypair_views.KeypairView.as_view()),
    path("/os-server-groups", group_views.ServerGroupsView.as_view()),
    path("/os-server-groups/<str:group_id>", group_views.ServerGroupView.as_view()),
    path("/servers/<str:server_id>/metadata", metadata_views.MetadataView.as_view()),
    path("/servers/<str:server_id>/metadata/<str:key>", metadata_views.MetadataItemView.as_view()),
    path("", include("hosts.api.urls")),
    path("/os-quota-sets/<str:project_id>", quota_views.QuotaSetView.as_view()),
    path("/os-quota-sets/<str:project_id>/detail", quota_views.QuotaSetDetailView.as_view()),
    path("/os-quota-sets/<str:project_id>/defaults", quota_views.QuotaSetDefaultsView.as_view()),
    path("/limits", quota_views.LimitsView.as_view()),
    path("/os-migrations", os_migrations_views.MigrationsView.as_view()),
    path("/os-volumes_boot", volumes_boot_views.VolumesBootView.as_view()),
    path("/servers/<str:server_id>/shares", share_views.ServerSharesView.as_view()),
    path("/servers/<str:server_id>/shares/<str:share_id>", share_views.ServerShareView.as_view()),
]

# Nova's network proxies (security groups, networks), deprecated from 2.36.
urlpatterns += [
    path("/os-security-groups", security_group_views.SecurityGroupsView.as_view()),
    path("/os-security-groups/<str:group_id>", security_group_views.SecurityGroupView.as_view()),
    path("/os-security-group-rules", security_group_views.SecurityGroupRulesView.as_view()),
    path("/os-security-group-rules/<str:rule_id>", security_group_views.SecurityGroupRuleView.as_view()),
    path("/servers/<str:server_id>/os-security-groups", security_group_views.ServerSecurityGroupsView.as_view()),
    path("/os-networks", network_views.NetworksView.as_view()),
    path("/os-networks/<str:network_id>", network_views.NetworkView.as_view()),
    path("/os-tenant-networks", network_views.TenantNetworksView.as_view()),
    path("/os-tenant-networks/<str:network_id>", network_views.TenantNetworkView.as_view()),
]

# The image and volume proxies (removed at 2.36; image metadata at 2.39).
urlpatterns += [
    path("/images", image_views.ImagesView.as_view()),
    path("/images/detail", image_views.ImagesView.as_view(detailed=True)),
    path("/images/<str:image_id>", image_views.ImageView.as_view()),
    path("/images/<str:image_id>/metadata", image_views.ImageMetadataView.as_view()),
    path("/images/<str:image_id>/metadata/<str:key>", image_views.ImageMetadataItemView.as_view()),
    path("/os-volumes", volume_views.VolumesView.as_view()),
    path("/os-volumes/detail", volume_views.VolumesDetailView.as_view()),
    path("/os-volumes/<str:volume_id>", volume_views.VolumeView.as_view()),
]

# The v2.1 extension list and the quota classes (kept apart from the server routes above).
urlpatterns += [
    path("/os-quota-class-sets/<str:class_name>", quota_views.QuotaClassSetView.as_view()),
    path("/extensions", ExtensionsView.as_view()),
    path("/extensions/<str:alias>", ExtensionView.as_view()),
]
