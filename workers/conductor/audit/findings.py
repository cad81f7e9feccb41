"""What the placement audit reports: its findings, the report, and whose allocations count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from servers.models import Migration, Server

#: Migration statuses after which the move holds nothing any more: its allocation went back
#: to the server (reverted, failed, cancelled) or was released (confirmed, completed). A move
#: in "error" may still hold its source (the guest may still be there): the audit leaves it.
MOVE_OVER = ("completed", "confirmed", "reverted", "failed", "cancelled")

ALLOCATION_WITHOUT_CONSUMER = "allocation without consumer"
SERVER_WITHOUT_ALLOCATION = "server without allocation"
PORT_OF_GONE_SERVER = "port of gone server"
VOLUME_OF_GONE_SERVER = "volume of gone server"
GUEST_WITHOUT_SERVER = "guest without server"
HOST_NOT_ANSWERING = "host not answering"


@dataclass
class Finding:
    """One inconsistency: what is wrong, and with --heal what was done (or why nothing)."""

    kind: str
    subject: str
    problem: str
    healed: bool = False
    outcome: str = ""

    def line(self) -> str:
        """The finding as the command prints it."""
        return f"{self.problem}: {self.outcome}" if self.outcome else self.problem


@dataclass
class AuditReport:
    """Every finding, and how many rows of each kind the audit looked at."""

    heal: bool
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def unhealed(self) -> list[Finding]:
        return [f for f in self.findings if not f.healed]

    def exit_code(self) -> int:
        """Nova's: 0 nothing found; 3 found (and, with --heal, not all healed); 4 found and
        all healed."""
        if not self.findings:
            return 0
        return 4 if self.heal and not self.unhealed else 3

    def summary(self) -> str:
        """E.g. "Checked 12 allocations, ...; 3 findings, 3 healed"."""
        checked = ", ".join(f"{count} {what}" for what, count in self.checked.items())
        counts: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            counts[finding.kind] += 1
        found = "; ".join(f"{count} {kind}" for kind, count in counts.items()) or "nothing to heal"
        healed = f", {len(self.findings) - len(self.unhealed)} healed" if self.heal and self.findings else ""
        return f"Checked {checked}. Found {len(self.findings)}{healed}: {found}."


def live_servers() -> QuerySet[Server]:
    """Servers that are not deleted."""
    return Server.objects.filter(deleted=False)


def moves_holding() -> QuerySet[Migration]:
    """Migrations of live servers that may hold an allocation (not over)."""
    return Migration.objects.filter(server__deleted=False).exclude(status__in=MOVE_OVER)
