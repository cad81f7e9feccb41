"""Links into Celery Flower, where every task of a server can be found by its uuid.

Every task about a server carries its uuid in its keyword arguments (``server_uuid``, or
``server_uuids`` for a build of several; novasite.tracing), so Flower's search term
``kwargs:<uuid>`` (a substring of the task's kwargs) finds them all, and only them.

Flower 2.2's tasks page takes no free search from its URL: it reads only ``state``,
``worker`` and ``name``, each turned into ``<key>:<value>`` and put in the search box as it
is, without quoting. So the link passes ``name=<uuid> OR kwargs:<uuid>``: the page searches
``name:<uuid> OR kwargs:<uuid>``, and since no task's name contains a uuid, that is the
server's tasks. Flower's HTTP API takes the search itself (`tasks_of_server_api_url`).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings


def tasks_of_server_query(server_uuid: str) -> str:
    """Flower's search for the tasks of one server."""
    return f"kwargs:{server_uuid}"


def tasks_of_server_url(server_uuid: str) -> str:
    """Flower's task list, opened already searched for one server's tasks."""
    # The page decodes the value with decodeURIComponent, which leaves "+" alone: spaces
    # must travel as %20 (quote), not as "+" (urlencode's default).
    search = f"{server_uuid} OR {tasks_of_server_query(server_uuid)}"
    return f"{settings.FLOWER_URL}/tasks?name={quote(search, safe='')}"


def tasks_of_server_api_url(server_uuid: str) -> str:
    """Flower's API listing one server's tasks (JSON, newest first)."""
    query = urlencode({"search": tasks_of_server_query(server_uuid), "sort_by": "-received"})
    return f"{settings.FLOWER_URL}/api/tasks?{query}"
