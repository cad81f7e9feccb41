"""`manage.py compute_worker --host NAME [--libvirt-uri URI]`: the compute service of one
hypervisor host. One process (threads pool) consuming compute.NAME; it never opens a
database connection."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from novasite.celery import COMPUTE_TASK_MODULES, app, compute_queue
from workers.compute import context, heartbeat, interrupted
from workers.compute.journal import Journal
from workers.virt.libvirt import LibvirtDriver


class Command(BaseCommand):
    help = "Run the compute worker of one hypervisor host."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", required=True, help="this host's name (its queue is compute.<host>)")
        parser.add_argument("--libvirt-uri", default=settings.LIBVIRT_URI, help="libvirt URI (default: LIBVIRT_URI)")
        parser.add_argument("--instances-dir", default=None, help="where guest disks live")
        parser.add_argument("--vcpus", type=int, default=None, help="host vCPUs (test driver capacity)")
        parser.add_argument("--memory-mb", type=int, default=None, help="host RAM in MB (test driver capacity)")
        parser.add_argument("--disk-gb", type=int, default=None, help="host disk in GB")
        parser.add_argument(
            "--migration-uri",
            default=os.environ.get("MIGRATION_URI") or None,
            help="libvirt URI other hosts use to reach this one (e.g. qemu+tcp://host/system)",
        )
        parser.add_argument(
            "--migrate-uri",
            default=os.environ.get("MIGRATE_URI") or None,
            help="where QEMU sends the migration stream (e.g. tcp://10.0.0.5)",
        )
        parser.add_argument(
            "--shutdown-timeout",
            type=float,
            default=float(os.environ.get("SHUTDOWN_TIMEOUT", 60)),
            help="seconds to wait for an ACPI shutdown before destroying the guest",
        )
        parser.add_argument("--nic-type", default=os.environ.get("NIC_TYPE", "ethernet"), choices=("ethernet", "user"))
        parser.add_argument(
            "--vnc-listen",
            default=settings.VNC_SERVER_LISTEN,
            help="the address guests' VNC graphics listen on, which the console proxy connects to "
            "(default: VNC_SERVER_LISTEN)",
        )
        parser.add_argument("--concurrency", type=int, default=int(os.environ.get("COMPUTE_CONCURRENCY", 4)))
        parser.add_argument("--loglevel", default=os.environ.get("LOG_LEVEL", "INFO"))

    def handle(self, *args, **options) -> None:
        host = options["host"]
        instances_dir = options["instances_dir"] or os.path.join(settings.INSTANCES_DIR, host)
        os.makedirs(instances_dir, exist_ok=True)
        # One driver (one libvirt connection) for the whole process: with the test driver the
        # guests live in this process, so the process is the host.
        driver = LibvirtDriver(
            options["libvirt_uri"],
            instances_dir=instances_dir,
            node_vcpus=options["vcpus"],
            node_memory_mb=options["memory_mb"],
            node_disk_gb=options["disk_gb"],
            migration_uri=options["migration_uri"],
            nic_type=options["nic_type"],
            shutdown_timeout=options["shutdown_timeout"],
            vnc_listen=options["vnc_listen"] if settings.VNC_ENABLED else None,
        )
        # Handled entries outlive the broker's redelivery of the message they stand for.
        journal = Journal(
            os.path.join(instances_dir, ".journal"), keep_seconds=max(2 * settings.CELERY_VISIBILITY_TIMEOUT, 3600)
        )
        ctx = context.configure(host, driver, options["migrate_uri"], journal)
        # Register only the compute tasks: nothing that could reach the database.
        app.conf.imports = COMPUTE_TASK_MODULES
        # Before consuming: what the previous process of this host left half done.
        unfinished = interrupted.take_interrupted(app, ctx)
        heartbeat.start(
            app, host, driver, settings.REPORT_INTERVAL, settings.SYNC_POWER_STATE_INTERVAL, interrupted=unfinished
        )
        app.worker_main(
            [
                "worker",
                "--queues",
                compute_queue(host),
                "--pool",
                "threads",
                "--concurrency",
                str(options["concurrency"]),
                "--hostname",
                f"compute@{host}",
                "--loglevel",
                options["loglevel"],
                "--task-events",
                "--without-gossip",
                "--without-mingle",
            ]
        )
