"""Logging into the operator console: the cloud's Keystone operators and Django's own users,
the session and CSRF cookies, the login rate limit, and the console's frame."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import User as AuthUser
from django.db.models import F
from django.test import Client

from identity.models import Project, Role, User
from identity.services import roles, users
from identity.services.changes import NewUser, UserChanges
from novasite.admin_support import operator_caller, staff_caller
from novasite.demo import seed_identity

LOGIN = "/admin/login/"
LOCKED = "Too many failed logins"
pytestmark = pytest.mark.django_db


@pytest.fixture
def keystone(db: None) -> None:
    """The seed's identity: admin/secret (admin on project admin), demo/secret (member of demo)."""
    seed_identity(operator_caller("seed"), "secret", "secret")


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def shadow(name: str) -> AuthUser:
    return AuthUser.objects.get(username=name)


# --- Keystone operators -----------------------------------------------------------------


def test_the_seeded_admin_logs_in(client, cloud):
    """make run's seed (manage.py seed_demo): admin/secret opens the console."""
    assert logged_in(log_in(client, "admin", "secret"))
    assert client.session[BACKEND_SESSION_KEY] == "identity.backends.KeystoneBackend"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert page.context["user"].username == "admin"
    admin = shadow("admin")
    assert (admin.is_staff, admin.is_superuser, admin.has_usable_password()) == (True, True, False)


def test_the_operator_acts_as_an_admin_caller(client, keystone):
    log_in(client, "admin", "secret")
    request = client.get("/admin/").wsgi_request
    caller = staff_caller(request)
    assert (caller.user_id, caller.project_id, caller.is_admin) == ("operator:admin", "", True)


def test_a_wrong_password_is_refused(client, keystone):
    response = log_in(client, "admin", "wrong")
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert not AuthUser.objects.filter(username="admin").exists()


def test_a_user_without_the_admin_role_is_refused(client, keystone):
    response = log_in(client, "demo", "secret")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not AuthUser.objects.filter(username="demo").exists()


def test_a_disabled_user_is_refused(client, keystone):
    admin = User.objects.get(name="admin")
    users.update_user(operator_caller("test"), admin.id, UserChanges(enabled=False))
    assert log_in(client, "admin", "secret").status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_admin_role_on_any_project_makes_an_operator(client, keystone):
    demo = User.objects.get(name="demo")
    demo_project = Project.objects.get(name="demo")
    roles.create_grant(operator_caller("test"), demo_project.id, demo.id, Role.objects.get(name="admin").id)
    assert logged_in(log_in(client, "demo", "secret"))
    assert shadow("demo").is_superuser


def test_a_revoked_role_ends_the_session_and_the_staff_flags(client, keystone):
    log_in(client, "admin", "secret")
    assert client.get("/admin/").status_code == 200
    admin, project = User.objects.get(name="admin"), Project.objects.get(name="admin")
    role = Role.objects.get(name="admin")
    roles.revoke_grant(operator_caller("test"), project.id, admin.id, role.id)

    page = client.get("/admin/")
    assert page.status_code == 302 and page["Location"].startswith(LOGIN)
    assert (shadow("admin").is_staff, shadow("admin").is_superuser) == (False, False)
    assert log_in(client, "admin", "secret").status_code == 200  # no operator any more

    roles.create_grant(operator_caller("test"), project.id, admin.id, role.id)
    assert logged_in(log_in(client, "admin", "secret"))
    assert shadow("admin").is_staff and shadow("admin").is_superuser


def test_djangos_own_superuser_still_logs_in(client, keystone):
    AuthUser.objects.create_superuser("root", "root@example.com", "rootpass")
    assert logged_in(log_in(client, "root", "rootpass"))
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/admin/").status_code == 200


def test_a_django_user_of_the_same_name_is_not_taken_over(client, keystone):
    AuthUser.objects.create_user("admin", password="djangopass")
    assert log_in(client, "admin", "secret").status_code == 200  # Keystone's password: refused
    assert not shadow("admin").is_staff
    assert shadow("admin").check_password("djangopass")  # Django's user is left as it was


# --- cookies and CSRF -------------------------------------------------------------------


def test_a_login_without_a_csrf_token_is_refused(keystone):
    client = Client(enforce_csrf_checks=True)
    response = log_in(client, "admin", "secret")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_login_with_the_csrf_token_passes(keystone):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        LOGIN, {"username": "admin", "password": "secret", "csrfmiddlewaretoken": token, "next": "/admin/"}
    )
    assert logged_in(response)


def test_the_session_cookie_is_http_only_lax_and_lasts_the_session_age(client, keystone):
    cookie = log_in(client, "admin", "secret").cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE == 8 * 3600
    assert not cookie["secure"]  # make run: plain http on 127.0.0.1


def test_the_cookies_are_secure_when_configured(client, keystone, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    assert client.get(LOGIN).cookies[settings.CSRF_COOKIE_NAME]["secure"] is True
    assert log_in(client, "admin", "secret").cookies[settings.SESSION_COOKIE_NAME]["secure"] is True


def test_the_console_settings_come_from_the_environment(tmp_path):
    names = (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_TRUSTED_ORIGINS",
        "SESSION_COOKIE_AGE",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "STATIC_ROOT",
    )
    script = f"import json, novasite.settings as s; print(json.dumps({{n: str(getattr(s, n)) for n in {names!r}}}))"
    env = {
        **os.environ,
        "SESSION_COOKIE_SECURE": "true",
        "CSRF_COOKIE_SECURE": "1",
        "CSRF_TRUSTED_ORIGINS": "https://console.example",
        "SESSION_COOKIE_AGE": "600",
        "LOGIN_FAILURE_LIMIT": "3",
        "LOGIN_FAILURE_WINDOW": "60",
        "STATIC_ROOT": str(tmp_path),
    }
    found = json.loads(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True).stdout)
    assert found == {
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "CSRF_TRUSTED_ORIGINS": "['https://console.example']",
        "SESSION_COOKIE_AGE": "600",
        "AXES_FAILURE_LIMIT": "3",
        "AXES_COOLOFF_TIME": "0:01:00",
        "STATIC_ROOT": str(tmp_path),
    }


# --- the rate limit ---------------------------------------------------------------------


def fail(client: Client, times: int, username: str = "admin", address: str = "127.0.0.1") -> list[int]:
    return [log_in(client, username, "wrong", address).status_code for _ in range(times)]


def test_five_failures_lock_the_user_out_from_that_address(client, keystone):
    assert fail(client, 4) == [200] * 4  # the login form again, with its error
    fifth = log_in(client, "admin", "wrong")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    right = log_in(client, "admin", "secret")  # the right password is refused too
    assert right.status_code == 429
    assert "for admin from your address (5 in a row)" in right.content.decode()
    assert "refused for 300 seconds" in right.content.decode()
    assert "_auth_user_id" not in client.session
    # The count lives in the database, which every gunicorn worker shares; attempts made
    # while locked out are not counted (the lock ends on time).
    attempt = AccessAttempt.objects.get(username="admin", ip_address="127.0.0.1")
    assert attempt.failures_since_start == 5


def test_the_lock_ends_when_the_window_has_passed(client, keystone):
    fail(client, 5)
    assert log_in(client, "admin", "secret").status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1))
    assert logged_in(log_in(client, "admin", "secret"))


def test_failures_spread_over_more_than_the_window_do_not_lock(client, keystone):
    fail(client, 4)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1))
    assert fail(client, 1) == [200]
    assert logged_in(log_in(client, "admin", "secret"))


def test_a_success_resets_the_count(client, keystone):
    fail(client, 4)
    assert logged_in(log_in(client, "admin", "secret"))
    client.post("/admin/logout/")
    assert fail(client, 4) == [200] * 4
    assert logged_in(log_in(client, "admin", "secret"))


def test_the_lock_is_per_user_name_and_address(client, keystone):
    AuthUser.objects.create_superuser("root", "root@example.com", "rootpass")
    fail(client, 5)
    assert logged_in(log_in(Client(), "admin", "secret", address="10.0.0.9"))  # another address
    assert logged_in(log_in(Client(), "root", "rootpass"))  # another user, same address


def test_the_limit_is_configurable(client, keystone, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert fail(client, 2) == [200, 429]


def test_djangos_own_users_are_rate_limited_too(client, keystone):
    AuthUser.objects.create_superuser("root", "root@example.com", "rootpass")
    fail(client, 5, username="root")
    assert log_in(client, "root", "rootpass").status_code == 429


# --- the console's frame ----------------------------------------------------------------


def test_the_console_is_branded_and_links_to_flower(client, keystone):
    assert "novasite operator console" in client.get(LOGIN).content.decode()
    log_in(client, "admin", "secret")
    page = client.get("/admin/").content.decode()
    assert '<div id="site-name"><a href="/admin/">novasite operator console</a></div>' in page
    assert f'<a href="{settings.FLOWER_URL}" id="flower-link">Flower</a>' in page
    assert "| novasite operator console</title>" in page


def test_an_operator_whose_name_is_too_long_for_django_is_refused(client, keystone):
    name = "o" * 151
    caller = operator_caller("test")
    account = users.create_user(caller, NewUser(name=name, password="secret"))
    project = Project.objects.get(name="admin")
    roles.create_grant(caller, project.id, account.id, Role.objects.get(name="admin").id)
    assert log_in(client, name, "secret").status_code == 200
    assert not AuthUser.objects.exists()
