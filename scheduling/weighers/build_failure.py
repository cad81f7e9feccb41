"""BuildFailureWeigher: avoid hosts where builds failed recently. The raw weight is minus the
number of failed builds since the host's last successful one (scheduling.stats), counted only
when the last failure is within SCHEDULER_BUILD_FAILURE_WINDOW seconds. The default multiplier
(1,000,000, as Nova's) puts such hosts behind every healthy one."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseWeigher


class BuildFailureWeigher(BaseWeigher):
    name = "BuildFailureWeigher"
    multiplier_setting = "BUILD_FAILURE_WEIGHT_MULTIPLIER"
    metadata_key = "build_failure_weight_multiplier"

    def raw(self, host: HostState, decision: Decision) -> float:
        if not host.failed_builds or host.last_build_failure_at is None:
            return 0.0
        if host.last_build_failure_at < decision.now - timedelta(seconds=settings.SCHEDULER_BUILD_FAILURE_WINDOW):
            return 0.0  # old news: the host has had time to recover
        return -float(host.failed_builds)
