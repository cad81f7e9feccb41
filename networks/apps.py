from django.apps import AppConfig
from django.db.models.signals import post_delete


class NetworksConfig(AppConfig):
    name = "networks"

    def ready(self) -> None:
        from .allocation import freed
        from .models import IPAllocation

        # However a port goes (its own delete, a server's release, its network's cascade),
        # IPAM's search learns that its addresses are free again.
        post_delete.connect(freed, sender=IPAllocation, dispatch_uid="networks.allocation.freed")
