"""Compute API routes of the host admin resources (included under /compute/v2.1)."""

from django.urls import path

from . import aggregates, hypervisors, services, zones

urlpatterns = [
    path("/os-aggregates", aggregates.AggregatesView.as_view()),
    path("/os-aggregates/<str:aggregate_id>", aggregates.AggregateView.as_view()),
    path("/os-aggregates/<str:aggregate_id>/action", aggregates.AggregateActionView.as_view()),
    path("/os-services", services.ServicesView.as_view()),
    path("/os-services/<str:service_id>", services.ServiceView.as_view()),
    path("/os-hypervisors", hypervisors.HypervisorsView.as_view()),
    path("/os-hypervisors/detail", hypervisors.HypervisorsView.as_view(detail=True)),
    path("/os-hypervisors/statistics", hypervisors.HypervisorStatisticsView.as_view()),
    path("/os-hypervisors/<str:hypervisor_id>", hypervisors.HypervisorView.as_view()),
    path("/os-hypervisors/<str:hypervisor_id>/uptime", hypervisors.HypervisorUptimeView.as_view()),
    path("/os-hypervisors/<str:pattern>/search", hypervisors.HypervisorPatternView.as_view()),
    path("/os-hypervisors/<str:pattern>/servers", hypervisors.HypervisorPatternView.as_view(servers=True)),
    path("/os-availability-zone", zones.AvailabilityZonesView.as_view()),
    path("/os-availability-zone/detail", zones.AvailabilityZonesView.as_view(detail=True)),
]
