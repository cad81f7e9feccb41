from django.urls import path

from novasite.versions import NetworkVersions

from . import views

urlpatterns = [
    path("", NetworkVersions.as_view()),
    path("/", NetworkVersions.as_view()),
    path("/v2.0/networks", views.NetworksView.as_view()),
    path("/v2.0/networks/<str:network_id>", views.NetworkView.as_view()),
]
