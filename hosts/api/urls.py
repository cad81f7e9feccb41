"""Compute API routes of the host admin resources (included under /compute/v2.1)."""

from django.urls import path

from . import aggregates, hypervisors, legacy_hosts, services, zones

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
    path("/os-hosts", legacy_hosts.HostsListView.as_view()),
    path("/os-hosts/<str:host>", legacy_hosts.HostView.as_view()),
    path("/os-hosts/<str:host>/startup", legacy_hosts.HostPowerView.as_view(action="startup")),
    path("/os-hosts/<str:host>/shutdown", legacy_hosts.HostPowerView.as_view(action="shutdown")),
    path("/os-hosts/<str:host>/reboot", legacy_hosts.HostPowerView.as_view(action="reboot")),
    path("/os-availability-zone", zones.AvailabilityZonesView.as_view()),
    path("/os-availability-zone/detail", zones.AvailabilityZonesView.as_view(detail=True)),
]
