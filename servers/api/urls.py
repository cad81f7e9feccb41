from django.urls import path

from novasite.versions import ComputeV21

from . import action_views, attachment_views, instance_action_views, migration_views, views

urlpatterns = [
    path("", ComputeV21.as_view()),
    path("/", ComputeV21.as_view()),
    path("/servers", views.ServersView.as_view()),
    path("/servers/detail", views.ServersDetailView.as_view()),
    path("/servers/<str:server_id>", views.ServerView.as_view()),
    path("/servers/<str:server_id>/action", action_views.ServerActionView.as_view()),
    path("/servers/<str:server_id>/os-volume_attachments", attachment_views.VolumeAttachmentsView.as_view()),
    path("/servers/<str:server_id>/os-volume_attachments/<str:volume_id>", attachment_views.VolumeAttachmentView.as_view()),
    path("/servers/<str:server_id>/os-interface", attachment_views.InterfacesView.as_view()),
    path("/servers/<str:server_id>/os-interface/<str:port_id>", attachment_views.InterfaceView.as_view()),
    path("/servers/<str:server_id>/os-instance-actions", instance_action_views.InstanceActionsView.as_view()),
    path("/servers/<str:server_id>/os-instance-actions/<str:request_id>", instance_action_views.InstanceActionView.as_view()),
    path("/servers/<str:server_id>/migrations", migration_views.ServerMigrationsView.as_view()),
    path("/servers/<str:server_id>/migrations/<str:migration_id>", migration_views.ServerMigrationView.as_view()),
    path("/servers/<str:server_id>/migrations/<str:migration_id>/action", migration_views.ServerMigrationActionView.as_view()),
    path("/flavors", views.FlavorsView.as_view()),
    path("/flavors/detail", views.FlavorsDetailView.as_view()),
    path("/flavors/<str:flavor_id>", views.FlavorView.as_view()),
]
