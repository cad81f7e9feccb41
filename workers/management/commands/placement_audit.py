"""`manage.py placement_audit [--heal] [--verbose] [--no-guests] [--timeout S]`: Nova's
`nova-manage placement audit`, widened to ports, volumes and the hypervisors' guests.

One line per finding, then a summary. Exit code as Nova's: 0 nothing found, 3 found (with
--heal: not all of it healed), 4 found and all healed; 1 on an unexpected error. The work is
workers.conductor.audit.audit; the command acts as the operator (an admin).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.principal import Caller
from workers.conductor.audit import audit

#: Who the command acts as: the operator, an admin of no project in particular.
OPERATOR = Caller(user_id="manage.py", project_id="", is_admin=True)


class Command(BaseCommand):
    help = (
        "Find allocations without servers, servers without allocations, ports and volumes of deleted servers "
        "and guests no server claims; --heal fixes what can be fixed truthfully."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--heal", "--delete", action="store_true", dest="heal", help="fix what was found (Nova: --delete)"
        )
        parser.add_argument("--verbose", action="store_true", dest="verbose_output", help="also say what was checked")
        parser.add_argument("--no-guests", action="store_true", help="do not ask the compute hosts for their guests")
        parser.add_argument(
            "--timeout", type=float, default=None, help="seconds to wait for each host (COMPUTE_CALL_TIMEOUT)"
        )

    def handle(self, *args: str, **options: Any) -> None:
        report = audit(OPERATOR, heal=options["heal"], guests=not options["no_guests"], timeout=options["timeout"])
        for finding in report.findings:
            self.stdout.write(finding.line())
        if options["verbose_output"] or report.findings:
            self.stdout.write(report.summary())
        code = report.exit_code()
        if code:
            sys.exit(code)
