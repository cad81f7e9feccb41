"""Mounted at /placement (novasite.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.VersionView.as_view()),
    path("/", views.VersionView.as_view()),
    path("/resource_providers", views.ProvidersView.as_view()),
    path("/resource_providers/<str:provider>", views.ProviderView.as_view()),
    path("/resource_providers/<str:provider>/inventories", views.InventoriesView.as_view()),
    path("/resource_providers/<str:provider>/usages", views.UsagesView.as_view()),
    path("/resource_providers/<str:provider>/allocations", views.ProviderAllocationsView.as_view()),
    path("/resource_providers/<str:provider>/aggregates", views.ProviderAggregatesView.as_view()),
    path("/resource_providers/<str:provider>/traits", views.ProviderTraitsView.as_view()),
    path("/allocations/<str:consumer>", views.AllocationsView.as_view()),
]
