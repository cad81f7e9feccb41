"""Mounted at /volume (novasite.urls)."""

from django.urls import path

from . import views

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
    path(f"{V3}/os-quota-sets/<str:target>", views.QuotaSetView.as_view()),
    path(f"{V3}/os-quota-sets/<str:target>/defaults", views.QuotaSetView.as_view(defaults=True)),
]
