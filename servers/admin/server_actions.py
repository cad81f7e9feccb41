"""What an operator can do to a server from the admin, each action one call of the service
function the compute API calls for it (servers.api.action_views and views), at the newest
microversion, with the operator's admin Caller: so the admin is refused exactly when, and in
the words in which, an admin token would be refused (409 for a state that forbids it, 400 for
a bad argument, 404 for a deleted server).

:data:`ACTIONS` is the one table: the change page's buttons and the changelist's bulk actions
(servers.admin.server_action_views) are both drawn from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms

from core.principal import Caller
from core.unset import UNSET

from ..models import Server
from ..services import lookup, moves, operations, shelving
from ..states import VmState

#: The parameters an action may take, as the forms name them.
Params = Mapping[str, Any]
Run = Callable[[Caller, Server, Params], object]

LOCK_REASON, TARGET_HOST, REBOOT_TYPE, RESET_STATE = "lock_reason", "target_host", "reboot_type", "reset_state"


@dataclass(frozen=True)
class ServerAction:
    """One action: ``name`` is the value of its button (``_server_action``) and of its bulk
    action; ``done`` starts the message of its success; ``params`` are the form fields it
    reads, ``preset`` parameters it fixes (a reboot's type); ``button`` and ``bulk`` say
    where it is offered; ``group`` where its button sits on the server's page."""

    name: str
    label: str
    run: Run
    done: str
    group: str
    params: tuple[str, ...] = ()
    preset: Mapping[str, str] = field(default_factory=dict)
    button: bool = True
    bulk: bool = True
    danger: bool = False

    @property
    def description(self) -> str:
        """The bulk action's entry in the changelist's menu."""
        return f"{self.label}: selected servers"

    @property
    def confirmed(self) -> bool:
        """Whether the bulk action first asks (its parameters, or a delete's confirmation)."""
        return bool(self.params) or self.danger


def _host(params: Params) -> str | None:
    """The named destination; blank leaves the choice to the scheduler."""
    host = str(params.get(TARGET_HOST) or "").strip()
    return host or None


def _simple(rule: str) -> Run:
    return lambda caller, server, params: operations.simple(caller, server, rule)


def _reboot(caller: Caller, server: Server, params: Params) -> object:
    return operations.reboot(caller, server, str(params.get(REBOOT_TYPE) or "").upper())


def _lock(caller: Caller, server: Server, params: Params) -> object:
    reason = str(params.get(LOCK_REASON) or "").strip()
    operations.lock(caller, server, reason or None)
    return None


def _unshelve(caller: Caller, server: Server, params: Params) -> object:
    # As POST /servers/{id}/action {"unshelve": {"host": ...}} at 2.91; no zone given.
    shelving.unshelve(caller, server, UNSET, host=_host(params))
    return None


POWER, LOCKING, PLACEMENT, STATE, DANGER = "Power", "Lock", "Placement", "State", "Delete"

ACTIONS: dict[str, ServerAction] = {
    action.name: action
    for action in (
        ServerAction("start", "Start", _simple("start"), "Start requested", POWER),
        ServerAction("stop", "Stop", _simple("stop"), "Stop requested", POWER),
        ServerAction("reboot", "Reboot", _reboot, "Reboot requested", POWER, (REBOOT_TYPE,), button=False),
        ServerAction(
            "reboot_soft",
            "Reboot (soft)",
            _reboot,
            "Soft reboot requested",
            POWER,
            preset={REBOOT_TYPE: "SOFT"},
            bulk=False,
        ),
        ServerAction(
            "reboot_hard",
            "Reboot (hard)",
            _reboot,
            "Hard reboot requested",
            POWER,
            preset={REBOOT_TYPE: "HARD"},
            bulk=False,
        ),
        ServerAction("pause", "Pause", _simple("pause"), "Pause requested", POWER),
        ServerAction("unpause", "Unpause", _simple("unpause"), "Unpause requested", POWER),
        ServerAction("suspend", "Suspend", _simple("suspend"), "Suspend requested", POWER),
        ServerAction("resume", "Resume", _simple("resume"), "Resume requested", POWER),
        ServerAction("lock", "Lock", _lock, "Lock set", LOCKING, (LOCK_REASON,)),
        ServerAction("unlock", "Unlock", lambda c, s, p: operations.unlock(c, s), "Lock removed", LOCKING),
        ServerAction(
            "migrate",
            "Migrate",
            lambda c, s, p: moves.migrate(c, s, _host(p)),
            "Migration requested",
            PLACEMENT,
            (TARGET_HOST,),
        ),
        ServerAction(
            "live_migrate",
            "Live-migrate",
            # block_migration "auto", as the API's newest microversions require it to be given.
            lambda c, s, p: moves.live_migrate(c, s, _host(p), "auto"),
            "Live migration requested",
            PLACEMENT,
            (TARGET_HOST,),
        ),
        ServerAction(
            "evacuate",
            "Evacuate",
            lambda c, s, p: moves.evacuate(c, s, _host(p)),
            "Evacuation requested",
            PLACEMENT,
            (TARGET_HOST,),
        ),
        ServerAction("shelve", "Shelve", lambda c, s, p: shelving.shelve(c, s), "Shelve requested", PLACEMENT),
        ServerAction("unshelve", "Unshelve", _unshelve, "Unshelve requested", PLACEMENT, (TARGET_HOST,)),
        ServerAction(
            "reset_state",
            "Reset state",
            lambda c, s, p: operations.reset_state(c, s, str(p.get(RESET_STATE) or "")),
            "State reset",
            STATE,
            (RESET_STATE,),
        ),
        ServerAction(
            "delete", "Delete", lambda c, s, p: operations.delete_server(c, s), "Delete requested", DANGER, danger=True
        ),
    )
}
BUTTONS = tuple(action for action in ACTIONS.values() if action.button)
BULK_ACTIONS = tuple(action for action in ACTIONS.values() if action.bulk)


class ActionParameters(forms.Form):
    """The actions' parameters. Plain text on purpose: what each value may be is the service's
    to say, in the API's words (a reset to "deleted" is Nova's 400, not a form error)."""

    lock_reason = forms.CharField(
        required=False, strip=True, label="Lock reason", widget=forms.TextInput(attrs={"size": 30})
    )
    target_host = forms.CharField(
        required=False,
        strip=True,
        label="Target host",
        help_text="blank: the scheduler chooses",
        widget=forms.TextInput(attrs={"list": "compute-hosts", "size": 20}),
    )
    reboot_type = forms.CharField(
        required=False,
        initial="SOFT",
        label="Reboot type",
        widget=forms.Select(choices=[("SOFT", "soft"), ("HARD", "hard")]),
    )
    reset_state = forms.CharField(
        required=False,
        initial=VmState.ERROR,
        label="Reset to",
        widget=forms.Select(choices=[(state, state) for state in operations.RESET_STATES]),
    )

    def params(self, action: ServerAction) -> dict[str, Any]:
        """What ``action`` is given: its own fields (as sent) and its presets."""
        data = self.cleaned_data if self.is_valid() else {}
        return {**{name: data.get(name) for name in action.params}, **action.preset}


def perform(caller: Caller, server: Server, action: ServerAction, params: Params) -> Server:
    """Run ``action`` on ``server`` as the API would: the server is looked up as the API
    looks it up (a deleted one is its 404), then the action's service function is called.
    Raises the service's refusal; returns the server as it was found."""
    live = lookup.get_server(caller, str(server.uuid))
    action.run(caller, live, params)
    return live


def success_message(action: ServerAction, names: list[str]) -> str:
    """ "Stop requested for web-1", or for several servers, named."""
    return f"{action.done} for {', '.join(names)}"
