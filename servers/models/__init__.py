"""Models owned by the servers app, one family per module."""

from .action import InstanceAction, InstanceActionEvent
from .attachment import VolumeAttachment
from .block_device import BlockDeviceMapping
from .flavor import Flavor, FlavorAccess
from .group import ServerGroup, ServerGroupMember
from .keypair import Keypair
from .migration import Migration
from .quota import QuotaClassLimit, QuotaLimit, QuotaUsage, UserQuotaLimit
from .server import Server, ServerFault
from .tag import ServerTag

__all__ = [
    "BlockDeviceMapping",
    "Flavor",
    "FlavorAccess",
    "InstanceAction",
    "InstanceActionEvent",
    "Keypair",
    "Migration",
    "QuotaClassLimit",
    "QuotaLimit",
    "QuotaUsage",
    "Server",
    "ServerFault",
    "ServerGroup",
    "ServerGroupMember",
    "ServerTag",
    "UserQuotaLimit",
    "VolumeAttachment",
]
