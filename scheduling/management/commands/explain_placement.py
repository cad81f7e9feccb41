"""`manage.py explain_placement --flavor NAME --host HOST [--zone Z] [--project P]`: why would
the scheduler not put a server of this flavor on this host right now?

Every enabled filter judges the host on its own (not only the first to reject it), from the
same SQL conditions and Python checks the scheduler uses, and says why it rejects it. Reads
only; claims nothing. An operator's tool: it shows hosts, usage and aggregate metadata, and
acts as an admin (whoever may run manage.py operates the cloud).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.principal import Caller
from scheduling.why_not import NotFound, why_not

#: Who the command acts as: the operator, an admin of no project in particular.
OPERATOR = Caller(user_id="manage.py", project_id="", is_admin=True)


class Command(BaseCommand):
    help = "Explain which scheduler filters reject a host for a flavor, and why."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--flavor", required=True, help="flavor name or id")
        parser.add_argument("--host", required=True, help="compute host name")
        parser.add_argument("--zone", help="requested availability zone")
        parser.add_argument("--project", default="", help="project id or name (for tenant isolation)")
        parser.add_argument("--image", default="", help="image id (for image properties)")
        parser.add_argument("--group", default="", help="server group uuid (for affinity policies)")

    def handle(self, *args: str, **options: Any) -> None:
        try:
            found = why_not(
                OPERATOR,
                options["flavor"],
                options["host"],
                zone=options["zone"],
                project=options["project"],
                image=options["image"],
                group=options["group"],
            )
        except NotFound as exc:
            raise CommandError(str(exc)) from exc
        spec, res, host, flavor = found.spec, found.spec.resources, found.host.host, found.flavor.name
        context = ", ".join(
            filter(
                None,
                [
                    f"zone {spec.availability_zone}" if spec.availability_zone else "",
                    f"project {spec.project_id}" if spec.project_id else "",
                ],
            )
        )
        self.stdout.write(
            f"{host} for flavor {flavor} ({res.vcpus} vCPUs, {res.memory_mb} MB RAM, {res.disk_gb} GB disk)"
            + (f" [{context}]" if context else "")
            + ":"
        )
        width = max(len(v.name) for v in found.verdicts)
        for verdict in found.verdicts:
            if not verdict.passed:
                outcome = f"REJECTS: {verdict.reason}"
            else:
                outcome = "passes" if verdict.applies else "passes (nothing to check for this request)"
            self.stdout.write(f"  {verdict.name:<{width}}  {outcome}")
        if found.rejected_by:
            self.stdout.write(f"{host} cannot take {flavor}: rejected by {', '.join(found.rejected_by)}.")
        else:
            self.stdout.write(
                f"{host} passes every filter: it can take {flavor} now; the weighers decide whether it is the "
                "best candidate."
            )
