"""manage.py novncproxy: the console proxy (Nova's nova-novncproxy); see consoles/proxy.py."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consoles import proxy


class Command(BaseCommand):
    help = "Serve noVNC and relay browser WebSockets to guests' VNC servers, for valid console tokens."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=6080, help="port to listen on (Nova's 6080)")
        parser.add_argument(
            "--web", default=settings.NOVNC_WEB_DIR, help="the noVNC client's directory (default: NOVNC_WEB_DIR)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        web = options["web"]
        if not os.path.isfile(os.path.join(web, "vnc_lite.html")):
            raise CommandError(f"no noVNC client in {web}: run scripts/install.sh (Debian's novnc package)")
        proxy.serve(host=options["host"], port=options["port"], web=web)
