"""Mounted at /volume (novasite.urls)."""

from django.urls import path

from . import catalog_views, snapshot_views, views

V3 = "/v3/<str:project_id>"

urlpatterns = [
    path("", views.VolumeVersions.as_view()),
    path("/", views.VolumeVersions.as_view()),
    path("/v3", views.VolumeV3.as_view()),
    path("/v3/", views.VolumeV3.as_view()),
    path(f"{V3}/volumes", views.VolumesView.as_view()),
    path(f"{V3}/volumes/detail", views.VolumesDetailView.as_view()),
    path(f"{V3}/volumes/<str:volume_id>", views.VolumeView.as_view()),
    path(f"{V3}/volumes/<str:volume_id>/action", views.VolumeActionView.as_view()),
    path(f"{V3}/snapshots", snapshot_views.SnapshotsView.as_view()),
    path(f"{V3}/snapshots/detail", snapshot_views.SnapshotsDetailView.as_view()),
    path(f"{V3}/snapshots/<str:snapshot_id>", snapshot_views.SnapshotView.as_view()),
    path(f"{V3}/snapshots/<str:snapshot_id>/action", snapshot_views.SnapshotActionView.as_view()),
    path(f"{V3}/snapshots/<str:snapshot_id>/metadata", snapshot_views.SnapshotMetadataView.as_view()),
    path(f"{V3}/snapshots/<str:snapshot_id>/metadata/<str:key>", snapshot_views.SnapshotMetadataKeyView.as_view()),
    path(f"{V3}/types", catalog_views.TypesView.as_view()),
    path(f"{V3}/types/default", catalog_views.DefaultTypeView.as_view()),
    path(f"{V3}/types/<str:type_id>", catalog_views.TypeView.as_view()),
    path(f"{V3}/limits", catalog_views.LimitsView.as_view()),
    path(f"{V3}/os-services", catalog_views.ServicesView.as_view()),
    path(f"{V3}/os-volume-transfer", catalog_views.TransfersView.as_view()),
    path(f"{V3}/os-volume-transfer/detail", catalog_views.TransfersView.as_view()),
    path(f"{V3}/volume-transfers", catalog_views.TransfersView.as_view()),
    path(f"{V3}/volume-transfers/detail", catalog_views.TransfersView.as_view()),
    path(f"{V3}/os-quota-sets/<str:target>", views.QuotaSetView.as_view()),
    path(f"{V3}/os-quota-sets/<str:target>/defaults", views.QuotaSetView.as_view(defaults=True)),
]
