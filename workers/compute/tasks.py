"""Tasks that run on a hypervisor host (queue compute.<host>). They get everything in their
message, do the libvirt work, and return what they observed as a plain dict:
{"ok": True, "power_state": ..., ...} or {"ok": False, "error": str, "traceback": str,
"power_state": what the guest is now}. They never raise for an operation failure (the
conductor decides what a failure means) and never touch a database. Each is safe to run
twice: the driver's operations are idempotent by instance uuid.

Each is written in the host's journal while it runs (workers/compute/journal.py), so that a
restarted worker knows what it had started (workers/compute/interrupted.py); the redelivered
message of an operation already reported as interrupted is discarded with its chain."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from celery import current_task, shared_task
from celery.app.task import Context

from workers.virt.driver import ComputeDriver, InstanceSpec, NotSupported

from . import context, faults
from .build_checks import Unconfirmed, discard, unwanted_build
from .interrupted import BUILD, REPORTED_AS_FAILED
from .journal import Entry

log = logging.getLogger(__name__)


def _request() -> Context | None:
    """The running task's request (None when called directly, as unit tests do)."""
    task = current_task
    return task.request if task is not None and task.request.id else None


def _outcome(task_name: str, instance: dict, work: Callable[[], dict]) -> dict:
    """Run `work` as task `task_name` on `instance`, journaled, and return its outcome."""
    ctx = context.current()
    request = _request()
    task_id: str | None = request.id if request is not None else None
    if ctx.journal is None or request is None or not task_id:
        return _run(ctx, task_name, instance, work)
    if ctx.journal.was_handled(task_id):
        return discard(request, f"{task_name} was interrupted by a restart and already reported")
    ctx.journal.begin(Entry(task_id, task_name, instance["uuid"], _callback(task_name, request)))
    try:
        return _run(ctx, task_name, instance, work)
    finally:
        ctx.journal.end(task_id)


def _callback(task_name: str, request: Context) -> dict | None:
    """What the chain of a build or a migration runs next (build_finished, unshelve_finished,
    resize_migrated), kept so that a restarted worker can report the interruption to it; an
    admin password is left out (it is never written anywhere)."""
    chain: list[dict] | None = getattr(request, "chain", None)  # typed as str in Celery
    if task_name not in REPORTED_AS_FAILED or not chain:
        return None
    callback = dict(chain[-1])
    callback["kwargs"] = {k: v for k, v in (callback.get("kwargs") or {}).items() if k != "admin_password"}
    return callback


def _run(ctx: context.ComputeContext, task_name: str, instance: dict, work: Callable[[], dict]) -> dict:
    try:
        faults.check(task_name)
        result = work()
    except Exception as exc:
        log.exception("%s failed on %s for %s", task_name, ctx.host, instance.get("uuid"))
        outcome = {
            "ok": False,
            "host": ctx.host,
            "error": str(exc) or type(exc).__name__,
            "traceback": traceback.format_exc(),
        }
        try:
            outcome["power_state"] = ctx.driver.power_state(instance["uuid"])
        except Exception:
            pass
        return outcome
    return {"ok": True, "host": ctx.host, **result}


def set_password_in_guest(driver: ComputeDriver, uuid: str, password: str | None) -> bool:
    """Set the admin password a create, rebuild or rescue asked for in the guest, where the
    hypervisor can (``supports_set_admin_password``). Not being able to is no failure of the
    operation (Nova's drivers inject it where they can); says whether it was set."""
    if not password or not driver.capabilities.get("supports_set_admin_password"):
        return False
    try:
        driver.set_admin_password(uuid, password)
    except NotSupported as exc:
        log.info("admin password of %s not set in the guest: %s", uuid, exc)
        return False
    log.info("admin password of %s set in the guest", uuid)
    return True


@shared_task(name=BUILD)
def build_and_run_instance(instance: dict, params: dict | None = None) -> dict:
    """Define and start the guest, then set its admin password (params["admin_password"])
    where the hypervisor can. On failure the half-built guest is removed so the conductor can
    reschedule elsewhere with this host clean.

    A message that may be stale (sent before this worker started, redelivered, or re-sent by
    the conductor's reconciler) first asks the conductor whether the build is still wanted
    here; one that is not (the server was deleted, ended in ERROR or moved to another host),
    or that duplicates a build running now, creates nothing and ends its chain."""
    ctx = context.current()
    driver = ctx.driver
    params = params or {}
    password = params.get("admin_password")
    request = _request()
    if request is not None:
        uuid = instance["uuid"]
        if ctx.journal is not None and request.id and ctx.journal.was_handled(request.id):
            return discard(request, f"build of {uuid} was interrupted by a restart and already reported")
        try:
            reason = unwanted_build(ctx, request, uuid, params)
        except Unconfirmed as exc:
            # A failure the conductor reschedules, if the build is still its to reschedule.
            return {"ok": False, "host": ctx.host, "error": str(exc), "traceback": "", "power_state": 0}
        if reason is not None:
            return discard(request, reason)
        with ctx.lock:
            duplicate = uuid in ctx.building
            ctx.building.add(uuid)
        if duplicate:
            return discard(request, f"build of {uuid} is already running on {ctx.host}")
        try:
            return _build(instance, driver, password)
        finally:
            with ctx.lock:
                ctx.building.discard(uuid)
    return _build(instance, driver, password)


def _build(instance: dict, driver: ComputeDriver, password: str | None) -> dict:
    """Spawn, then set the password; a failed spawn leaves no guest behind."""

    def work() -> dict:
        try:
            power_state = driver.spawn(InstanceSpec.from_dict(instance))
        except Exception:
            driver.destroy(instance["uuid"])
            raise
        return {"power_state": power_state, "password_set": set_password_in_guest(driver, instance["uuid"], password)}

    return _outcome(BUILD, instance, work)


@shared_task(name="compute.terminate_instance")
def terminate_instance(instance: dict) -> dict:
    """Destroy and undefine the guest and remove its disks (a missing guest is fine)."""
    driver = context.current().driver

    def work() -> dict:
        driver.destroy(instance["uuid"])
        return {"power_state": driver.power_state(instance["uuid"])}

    return _outcome("compute.terminate_instance", instance, work)


def _power_task(name: str, call: Callable[..., object]) -> None:
    """Register compute.<name>: one driver call on the instance, then report its power state
    (and what the call returned, when it returns a dict)."""

    def run(instance: dict, params: dict | None = None) -> dict:
        driver = context.current().driver

        def work() -> dict:
            returned = call(driver, instance, params or {})
            extra = returned if isinstance(returned, dict) else {}
            return {**extra, "power_state": driver.power_state(instance["uuid"])}

        return _outcome(f"compute.{name}", instance, work)

    run.__name__ = name
    run.__doc__ = f"compute.{name}: the driver's {name.replace('_', ' ')} of one guest."
    shared_task(name=f"compute.{name}")(run)


# One line per hypervisor operation; the driver does the work (workers/virt).
_power_task("stop_instance", lambda d, i, p: d.power_off(i["uuid"], clean_shutdown=p.get("clean_shutdown", True)))
_power_task("start_instance", lambda d, i, p: d.power_on(i["uuid"]))
_power_task("reboot_instance", lambda d, i, p: d.reboot(i["uuid"], hard=p.get("hard", False)))
_power_task("pause_instance", lambda d, i, p: d.pause(i["uuid"]))
_power_task("unpause_instance", lambda d, i, p: d.unpause(i["uuid"]))
_power_task("suspend_instance", lambda d, i, p: d.suspend(i["uuid"]))
_power_task("resume_instance", lambda d, i, p: d.resume(i["uuid"]))


def _rescue(driver: ComputeDriver, instance: dict, params: dict) -> dict:
    driver.rescue(InstanceSpec.from_dict(instance), params.get("rescue_image_path"))
    return {"password_set": set_password_in_guest(driver, instance["uuid"], params.get("admin_password"))}


def _rebuild(driver: ComputeDriver, instance: dict, params: dict) -> dict:
    power_on = params.get("power_on", True)
    driver.rebuild(InstanceSpec.from_dict(instance), power_on=power_on)
    password = params.get("admin_password") if power_on else None  # a stopped guest cannot take it
    return {"password_set": set_password_in_guest(driver, instance["uuid"], password)}


_power_task("rescue_instance", _rescue)
_power_task("unrescue_instance", lambda d, i, p: d.unrescue(i["uuid"]))
_power_task("set_admin_password", lambda d, i, p: d.set_admin_password(i["uuid"], p["password"]))
_power_task("trigger_crash_dump", lambda d, i, p: d.inject_nmi(i["uuid"]))
_power_task("rebuild_instance", _rebuild)
_power_task("migrate_disk_and_power_off", lambda d, i, p: d.migrate_disk_and_power_off(i["uuid"]))
_power_task(
    "finish_migration",
    lambda d, i, p: d.finish_migration(
        InstanceSpec.from_dict(i), p.get("source_disk_path"), power_on=p.get("power_on", True)
    ),
)
_power_task("confirm_migration", lambda d, i, p: d.confirm_migration(i["uuid"]))
_power_task(
    "finish_revert_migration",
    lambda d, i, p: d.finish_revert_migration(InstanceSpec.from_dict(i), power_on=p.get("power_on", True)),
)
_power_task("snapshot_instance", lambda d, i, p: d.snapshot(i["uuid"], p["dest_path"]))


@shared_task(name="compute.shelve_instance")
def shelve_instance(instance: dict, params: dict) -> dict:
    """Power off, snapshot the root disk into the image store (no ``dest_path``: a
    volume-backed guest, whose root volume stays) and, when offloading, remove the guest from
    this host."""
    driver = context.current().driver

    def work() -> dict:
        driver.power_off(instance["uuid"], clean_shutdown=True)
        dest = params.get("dest_path")
        image = driver.snapshot(instance["uuid"], dest) if dest else {}
        if params.get("offload"):
            driver.destroy(instance["uuid"])
        return {**image, "power_state": driver.power_state(instance["uuid"])}

    return _outcome("compute.shelve_instance", instance, work)


# Live migration. The test driver's path: export on the source, import on the destination.
_power_task("export_guest", lambda d, i, p: d.export_guest(i["uuid"]))
_power_task("import_guest", lambda d, i, p: d.import_guest(p["xml"], p["power_state"]))
_power_task(
    "pre_live_migration",
    lambda d, i, p: (
        d.prepare_live_migration_destination(InstanceSpec.from_dict(i)) if p.get("block_migration") else None
    ),
)
_power_task("post_live_migration_at_source", lambda d, i, p: d.destroy(i["uuid"]))
_power_task("rollback_live_migration_at_destination", lambda d, i, p: d.cleanup_live_migration_destination(i["uuid"]))


@shared_task(name="compute.live_migration")
def live_migration(instance: dict, params: dict) -> dict:
    """Run the hypervisor's live migration to params["dest_uri"]; the guest's power state is
    then the destination's to report, so none is returned."""
    driver = context.current().driver

    def work() -> dict:
        driver.live_migrate(
            instance["uuid"],
            params["dest_uri"],
            params.get("block_migration", True),
            dest_disk_path=params.get("dest_disk_path"),
            dest_console_log=params.get("dest_console_log"),
            migrate_uri=context.current().migrate_uri,
        )
        return {}

    outcome = _outcome("compute.live_migration", instance, work)
    if not outcome["ok"]:
        outcome.pop("power_state", None)
    return outcome


@shared_task(name="compute.abort_live_migration")
def abort_live_migration(instance: dict) -> dict:
    driver = context.current().driver

    def work() -> dict:
        driver.abort_live_migration(instance["uuid"])
        return {}

    return _outcome("compute.abort_live_migration", instance, work)


@shared_task(name="compute.force_live_migration_complete")
def force_live_migration_complete(instance: dict) -> dict:
    driver = context.current().driver

    def work() -> dict:
        driver.force_live_migration_complete(instance["uuid"])
        return {}

    return _outcome("compute.force_live_migration_complete", instance, work)


# Devices. The test driver cannot hot-plug: the driver edits the persistent definition there.
_power_task("attach_volume", lambda d, i, p: {"device": d.attach_volume(i["uuid"], p["volume"], p.get("device"))})
_power_task("detach_volume", lambda d, i, p: d.detach_volume(i["uuid"], p["volume_id"]))
_power_task("attach_interface", lambda d, i, p: d.attach_interface(i["uuid"], p["port"]))
_power_task("detach_interface", lambda d, i, p: d.detach_interface(i["uuid"], p["port_id"]))
