"""`manage.py explain_placement --flavor NAME --host HOST [--zone Z] [--project P]`: why would
the scheduler not put a server of this flavor on this host right now?

Every enabled filter judges the host on its own (not only the first to reject it), from the
same SQL conditions and Python checks the scheduler uses, and says why it rejects it. Reads
only; claims nothing. An operator's tool: it shows hosts, usage and aggregate metadata.
"""
from __future__ import annotations

import uuid

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.context import Decision
from scheduling.explain import verdicts
from scheduling.request import RequestSpec
from scheduling.scheduler import enabled_filters
from servers.models import Flavor


class Command(BaseCommand):
    help = "Explain which scheduler filters reject a host for a flavor, and why."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--flavor", required=True, help="flavor name or id")
        parser.add_argument("--host", required=True, help="compute host name")
        parser.add_argument("--zone", help="requested availability zone")
        parser.add_argument("--project", default="", help="project id or name (for tenant isolation)")
        parser.add_argument("--image", default="", help="image id (for image properties)")
        parser.add_argument("--group", default="", help="server group uuid (for affinity policies)")

    def _project_id(self, value: str) -> str:
        if not value:
            return ""
        Project = apps.get_model("identity", "Project")
        found = Project.objects.filter(name=value).values_list("id", flat=True).first()
        return found or value

    def handle(self, *args: object, **options: object) -> None:
        flavor = Flavor.objects.filter(name=options["flavor"]).first() or Flavor.objects.filter(flavorid=options["flavor"]).first()
        if flavor is None:
            raise CommandError(f"flavor {options['flavor']} not found")
        hints = {"group": options["group"]} if options["group"] else {}
        spec = RequestSpec(
            instance_uuids=[str(uuid.uuid4())], project_id=self._project_id(options["project"]), user_id="",
            flavor=flavor.snapshot(), availability_zone=options["zone"] or None,
            image={"id": options["image"]}, scheduler_hints=hints,
        )
        decision = Decision(spec)
        decision.load_group_members()
        host, found = verdicts(decision, enabled_filters(), options["host"])
        if host is None:
            raise CommandError(f"host {options['host']} has no compute node")
        res = decision.resources
        context = ", ".join(filter(None, [
            f"zone {spec.availability_zone}" if spec.availability_zone else "",
            f"project {spec.project_id}" if spec.project_id else "",
        ]))
        self.stdout.write(
            f"{host.host} for flavor {flavor.name} ({res.vcpus} vCPUs, {res.memory_mb} MB RAM, {res.disk_gb} GB disk)"
            + (f" [{context}]" if context else "") + ":"
        )
        width = max(len(v.name) for v in found)
        for verdict in found:
            if not verdict.passed:
                outcome = f"REJECTS: {verdict.reason}"
            else:
                outcome = "passes" if verdict.applies else "passes (nothing to check for this request)"
            self.stdout.write(f"  {verdict.name:<{width}}  {outcome}")
        rejected = [v.name for v in found if not v.passed]
        if rejected:
            self.stdout.write(f"{host.host} cannot take {flavor.name}: rejected by {', '.join(rejected)}.")
        else:
            self.stdout.write(
                f"{host.host} passes every filter: it can take {flavor.name} now; the weighers decide "
                "whether it is the best candidate."
            )
