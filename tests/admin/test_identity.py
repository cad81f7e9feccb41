"""The identity admin writes through identity.services, with the identity API's body readers:
it refuses what Keystone refuses, in Keystone's words, and stores what Keystone stores."""

from __future__ import annotations

import pytest

from identity import tokens
from identity.models import Project, Role, RoleAssignment, Token, User

from .pages import delete, form_data, post_form, refused, saved, table, url

pytestmark = pytest.mark.django_db


def test_user_password_hash_is_never_shown(staff, rows):
    user = rows[User]
    assert user.password.encode() not in staff.get(url(User, "changelist")).content
    content = staff.get(url(User, "change", user.pk)).content
    assert user.password.encode() not in content
    assert b'name="password"' not in content
    assert b"algorithm" in content


def test_user_new_password_is_hashed(staff, rows):
    user = rows[User]
    response = staff.post(
        url(User, "change", user.pk),
        {
            "name": user.name,
            "domain_id": user.domain_id,
            "email": "",
            "enabled": "on",
            "default_project": user.default_project_id,
            "new_password": "changed",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.check_password("changed") and "changed" not in user.password


def test_user_keeps_password_when_none_given(staff, rows):
    user = rows[User]
    staff.post(url(User, "change", user.pk), {"name": "renamed", "domain_id": user.domain_id, "enabled": "on"})
    user.refresh_from_db()
    assert user.name == "renamed" and user.check_password("secret")


def test_new_password_ends_the_users_sessions(staff, rows):
    saved(post_form(staff, url(User, "change", rows[User].pk), new_password="changed"))
    assert Token.objects.get().revoked


@pytest.mark.parametrize(
    ("model", "changes", "message"),
    [
        (
            Project,
            {"name": "project1"},
            "Conflict occurred attempting to store project - Duplicate entry found with name project1.",
        ),
        (
            Project,
            {"name": "x", "domain_id": "other"},
            "Domain other does not exist: only the default domain is supported.",
        ),
        (
            User,
            {"name": "user1"},
            "Conflict occurred attempting to store user - Duplicate entry found with name user1.",
        ),
        (
            Role,
            {"name": "role1"},
            "Conflict occurred attempting to store role - Duplicate entry found with name role1.",
        ),
        (RoleAssignment, {"project": "nope"}, "Could not find project: nope."),
        (RoleAssignment, {"user": "nobody"}, "Could not find user: nobody."),
    ],
    ids=["project-name", "project-domain", "user-name", "role-name", "grant-project", "grant-user"],
)
def test_create_refused_as_keystone_refuses(staff, rows, model, changes, message):
    if model is RoleAssignment:
        changes = {"project": rows[Project].pk, "user": rows[User].pk, "role": rows[Role].pk, **changes}
    before = table(Project, User, Role, RoleAssignment)
    refused(post_form(staff, url(model, "add"), **changes), message)
    assert table(Project, User, Role, RoleAssignment) == before


def test_rename_to_a_taken_name_refused(staff, rows):
    other = Project.objects.create(name="other")
    before = table(Project, User)
    response = post_form(staff, url(Project, "change", other.pk), name="project1")
    refused(response, "Conflict occurred attempting to store project - Duplicate entry found with name project1.")
    other_user = User.objects.create(name="other", password="!")
    before = table(Project, User)
    response = post_form(staff, url(User, "change", other_user.pk), name="user1")
    refused(response, "Conflict occurred attempting to store user - Duplicate entry found with name user1.")
    assert table(Project, User) == before


def test_project_user_and_grant_created_as_keystone_creates_them(staff, rows, admin_api):
    saved(post_form(staff, url(Project, "add"), name="lab", description="the lab"))
    lab = Project.objects.get(name="lab")
    api = admin_api.post(
        "/identity/v3/projects", {"project": {"name": "lab2", "description": "the lab"}}, format="json"
    )
    twin = Project.objects.get(pk=api.json()["project"]["id"])
    assert (lab.domain_id, lab.description, lab.enabled) == (twin.domain_id, twin.description, twin.enabled)
    assert len(lab.pk) == 32

    saved(post_form(staff, url(User, "add"), name="ann", default_project=lab.pk, new_password="pw"))
    ann = User.objects.get(name="ann")
    assert ann.default_project_id == lab.pk and ann.check_password("pw") and ann.enabled

    saved(post_form(staff, url(RoleAssignment, "add"), project=lab.pk, user=ann.pk, role=rows[Role].pk))
    assert RoleAssignment.objects.filter(project=lab, user=ann, role=rows[Role]).exists()


def test_repeated_grant_is_no_change(staff, rows):
    grant = rows[RoleAssignment]
    before = table(RoleAssignment)
    data = {"project": grant.project_id, "user": grant.user_id, "role": grant.role_id}
    saved(post_form(staff, url(RoleAssignment, "add"), **data))
    assert table(RoleAssignment) == before


def test_grant_revoked_and_its_tokens_with_it(staff, rows):
    assert delete(staff, rows[RoleAssignment]).status_code == 302
    assert not RoleAssignment.objects.exists()
    assert Token.objects.get().revoked


def test_roles_and_grants_are_never_edited(staff, rows):
    for model in (Role, RoleAssignment):
        page = url(model, "change", rows[model].pk)
        assert staff.get(page).status_code == 200
        assert staff.post(page, form_data(staff, url(model, "add"))).status_code == 403


def test_project_and_user_deleted_through_the_service(staff, rows):
    assert delete(staff, rows[User]).status_code == 302
    assert delete(staff, rows[Project]).status_code == 302
    assert not User.objects.exists() and not Project.objects.exists() and not Token.objects.exists()


def test_unscoped_tokens_and_user_descriptions_show(staff, rows):
    user = rows[User]
    secret, _ = tokens.issue_token(user, None)
    token = Token.objects.get(digest=tokens.digest(secret))
    listing = staff.get(url(Token, "changelist")).content
    assert token.audit_id.encode() in listing and secret.encode() not in listing
    assert staff.get(url(Token, "change", token.pk)).status_code == 200
    saved(post_form(staff, url(User, "change", user.pk), description="a described user"))
    user.refresh_from_db()
    assert user.description == "a described user"
