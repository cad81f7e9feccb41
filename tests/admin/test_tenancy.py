"""Keypairs, server groups (and their members) and quota limits through the admin: created as
the compute API creates them, refused as it refuses them, and nothing written on a refusal."""

from __future__ import annotations

import pytest

from servers.models import Keypair, QuotaLimit, Server, ServerGroup, ServerGroupMember

from .conftest import FLAVOR
from .pages import delete, post_form, refused, saved, table, url

pytestmark = pytest.mark.django_db
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOTHh4nTRUdNZI3mkmYE9aOT6s0/jDbZngujZgdnZavg test@host"
FINGERPRINT = "b8:bc:8f:34:7c:c1:82:e0:6e:cc:ab:30:cd:02:06:08"  # ssh-keygen -l -E md5


def server(group_rows, name: str, host: str | None) -> Server:
    """Another live server of the rows' project, on ``host``."""
    first = group_rows[Server]
    return Server.objects.create(
        name=name, project_id=first.project_id, user_id=first.user_id, flavor=FLAVOR, vm_state="active", host=host
    )


def add_member(staff, group: ServerGroup, member: Server):
    """The group's change page with one more member row."""
    count = group.members.count()
    return post_form(
        staff,
        url(ServerGroup, "change", group.pk),
        **{"members-TOTAL_FORMS": count + 1, f"members-{count}-server": member.pk, f"members-{count}-group": group.pk},
    )


# --- keypairs -------------------------------------------------------------------------------


def test_keypair_imported_as_the_api_imports_it(staff, rows):
    saved(post_form(staff, url(Keypair, "add"), name="laptop", user_id="u1", public_key=PUBLIC_KEY))
    keypair = Keypair.objects.get(name="laptop")
    assert (keypair.user_id, keypair.fingerprint, keypair.type) == ("u1", FINGERPRINT, "ssh")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"public_key": "ssh-rsa not-base64!!"}, "Keypair data is invalid: failed to generate fingerprint"),
        ({"name": "key1"}, "Key pair 'key1' already exists."),
        ({"name": "bad/name"}, "Invalid input for field/attribute name. Value: bad/name. "),
    ],
    ids=["public-key", "taken-name", "name-characters"],
)
def test_keypair_refused(staff, rows, changes, message):
    owner = rows[Keypair].user_id
    before = table(Keypair)
    response = post_form(
        staff, url(Keypair, "add"), **{"name": "new", "user_id": owner, "public_key": PUBLIC_KEY, **changes}
    )
    errors = [str(error) for error_list in response.context["errors"] for error in error_list]
    assert any(error.startswith(message) for error in errors), errors
    assert table(Keypair) == before


def test_keypair_never_edited_and_deleted_through_the_service(staff, rows):
    keypair = rows[Keypair]
    assert staff.post(url(Keypair, "change", keypair.pk), {"name": "x"}).status_code == 403
    assert delete(staff, keypair).status_code == 302
    assert not Keypair.objects.exists()


# --- quota limits ---------------------------------------------------------------------------


def test_quota_limit_below_usage_refused(staff, rows):
    limit = rows[QuotaLimit]
    before = table(QuotaLimit)
    response = post_form(staff, url(QuotaLimit, "change", limit.pk), hard_limit="0")
    refused(response, "Quota limit 0 for instances must be greater than or equal to already used and reserved 1.")
    response = post_form(staff, url(QuotaLimit, "add"), project_id="p2", resource="bogus", hard_limit="1")
    refused(response, "Additional properties are not allowed ('bogus' was unexpected)")
    response = post_form(staff, url(QuotaLimit, "add"), project_id="p2", resource="cores", hard_limit="-2")
    refused(response, "Invalid input for field/attribute cores. Value: -2. It must be between -1 and 2147483647.")
    assert table(QuotaLimit) == before


def test_quota_limit_set_and_reverted_as_os_quota_sets(staff, rows, admin_api):
    project = rows[QuotaLimit].project_id
    saved(post_form(staff, url(QuotaLimit, "add"), project_id=project, resource="cores", hard_limit="40"))
    saved(post_form(staff, url(QuotaLimit, "change", rows[QuotaLimit].pk), hard_limit="-1"))
    quota = admin_api.get(f"/compute/v2.1/os-quota-sets/{project}").json()["quota_set"]
    assert (quota["cores"], quota["instances"]) == (40, -1)
    assert delete(staff, QuotaLimit.objects.get(resource="cores")).status_code == 302
    assert list(QuotaLimit.objects.values_list("resource", flat=True)) == ["instances"]


# --- server groups and their members --------------------------------------------------------


def test_group_created_in_the_project_named(staff, rows):
    project = rows[Server].project_id
    saved(post_form(staff, url(ServerGroup, "add"), name="web", policy="anti-affinity", project_id=project))
    group = ServerGroup.objects.get(name="web")
    assert (group.project_id, group.policy, group.rules) == (project, "anti-affinity", {})
    response = post_form(
        staff,
        url(ServerGroup, "add"),
        name="db",
        policy="affinity",
        project_id=project,
        rules='{"max_server_per_host": 2}',
    )
    refused(response, "Only anti-affinity policy supports rules.")
    QuotaLimit.objects.create(project_id=project, resource="server_groups", hard_limit=2)
    before = table(ServerGroup)
    response = post_form(staff, url(ServerGroup, "add"), name="db", policy="affinity", project_id=project)
    refused(response, "Quota exceeded, too many server groups.")
    assert table(ServerGroup) == before


def test_member_over_the_group_quota_refused(staff, rows):
    group = rows[ServerGroup]
    QuotaLimit.objects.create(project_id=group.project_id, resource="server_group_members", hard_limit=1)
    before = table(ServerGroupMember)
    refused(add_member(staff, group, server(rows, "vm2", "host9")), "Quota exceeded, too many servers in group")
    assert table(ServerGroupMember) == before


@pytest.mark.parametrize(
    ("policy", "host", "message"),
    [
        ("anti-affinity", "host1", "Anti-affinity instance group policy was violated."),
        ("affinity", "host9", "Affinity instance group policy was violated."),
    ],
)
def test_member_the_policy_forbids_refused(staff, rows, policy, host, message):
    group = rows[ServerGroup]
    ServerGroup.objects.filter(pk=group.pk).update(policy=policy)
    before = table(ServerGroupMember)
    refused(add_member(staff, group, server(rows, "vm2", host)), message)
    assert table(ServerGroupMember) == before


def test_member_of_another_group_refused(staff, rows):
    other = ServerGroup.objects.create(name="other", project_id="p", user_id="u", policy="soft-affinity")
    first = rows[Server]
    before = table(ServerGroupMember)
    response = post_form(staff, url(ServerGroupMember, "add"), group=other.pk, server=first.pk)
    refused(response, f"Server {first.uuid} is already a member of server group {rows[ServerGroup].uuid}.")
    assert table(ServerGroupMember) == before


def test_members_added_and_removed(staff, rows):
    group = rows[ServerGroup]
    second = server(rows, "vm2", "host9")
    saved(add_member(staff, group, second))
    assert set(group.members.values_list("server__name", flat=True)) == {"vm1", "vm2"}
    saved(post_form(staff, url(ServerGroup, "change", group.pk), **{"members-0-DELETE": "on"}))
    assert list(group.members.values_list("server__name", flat=True)) == ["vm2"]
    assert delete(staff, group.members.get()).status_code == 302
    assert not group.members.exists()
    assert delete(staff, group).status_code == 302
    assert not ServerGroup.objects.exists()
