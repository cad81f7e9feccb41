from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self) -> None:
        # Keep the compute nodes' aggregate mirrors (zone, ratio overrides) current.
        from . import aggregates

        aggregates.connect()
