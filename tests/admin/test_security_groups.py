"""The security group pages write through the network service: a group made in the admin
has Neutron's egress rules, a rule is checked as the API checks it, and a group in use (or a
project's default group, for a non-admin) is not deleted."""

from __future__ import annotations

import pytest

from networks import security
from networks.models import Network, SecurityGroup, SecurityGroupRule
from networks.services import ports
from networks.services.arguments import PortFields
from novasite.admin_support import operator_caller

from .pages import delete, post_form, refused, refused_delete, saved, url

pytestmark = pytest.mark.django_db
OPERATOR = operator_caller("ops")


def test_group_and_rule_made_in_the_admin(staff, rows):
    saved(post_form(staff, url(SecurityGroup, "add"), name="web", description="front", project_id="p1"))
    group = SecurityGroup.objects.get(name="web")
    assert (group.project_id, group.is_default) == ("p1", False)
    assert sorted(group.rules.values_list("direction", "ethertype")) == [("egress", "IPv4"), ("egress", "IPv6")]
    assert SecurityGroup.objects.filter(project_id="p1", is_default=True).exists()  # made on first use
    saved(
        post_form(
            staff,
            url(SecurityGroupRule, "add"),
            security_group=group.pk,
            direction="ingress",
            ethertype="IPv4",
            protocol="tcp",
            port_range_min="22",
            port_range_max="22",
        )
    )
    assert group.rules.filter(direction="ingress", protocol="tcp", port_range_min=22).exists()
    refused(
        post_form(
            staff,
            url(SecurityGroupRule, "add"),
            security_group=group.pk,
            direction="ingress",
            ethertype="IPv4",
            protocol="tcp",
            port_range_min="30",
            port_range_max="20",
        ),
        "For TCP/UDP protocols, port_range_min must be <= port_range_max",
    )


def test_a_group_in_use_is_not_deleted(staff, rows):
    default = security.default_group("p1")
    ports.create_port(OPERATOR, str(rows[Network].pk), PortFields(), project_id="p1")
    refused_delete(delete(staff, default), f"Security Group {default.id} in use.")
    assert SecurityGroup.objects.filter(pk=default.pk).exists()
