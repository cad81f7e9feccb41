"""os-keypairs API: import with Nova's fingerprint, generation, per-user names, quota, paging,
admin user_id (≥2.10), and status codes per microversion."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core.exceptions import PolicyNotAuthorized
from core.principal import Caller
from identity.models import Project, User
from servers.models import Keypair, QuotaLimit
from servers.services import keypairs

pytestmark = pytest.mark.django_db

URL = "/compute/v2.1/os-keypairs"
V22 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.2"}
V210 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.10"}
V235 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.35"}
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOTHh4nTRUdNZI3mkmYE9aOT6s0/jDbZngujZgdnZavg test@host"
FINGERPRINT = "b8:bc:8f:34:7c:c1:82:e0:6e:cc:ab:30:cd:02:06:08"  # ssh-keygen -l -E md5


def create(api, name="kp", headers=V210, **fields):
    body = {"name": name, "public_key": PUBLIC_KEY, **fields}
    return api.post(URL, {"keypair": body}, format="json", **headers)


def demo_user_id() -> str:
    return User.objects.get(name="demo").id


def test_import_like_openstack_keypair_create(demo_api):
    response = create(demo_api, "kp_cli")
    assert response.status_code == 201
    body = response.json()["keypair"]
    assert body == {
        "name": "kp_cli",
        "public_key": PUBLIC_KEY,
        "fingerprint": FINGERPRINT,
        "user_id": demo_user_id(),
        "type": "ssh",
    }
    shown = demo_api.get(f"{URL}/kp_cli", **V210).json()["keypair"]
    assert shown["fingerprint"] == FINGERPRINT and shown["deleted"] is False and shown["type"] == "ssh"
    assert {"created_at", "id", "user_id", "deleted_at", "updated_at"} <= set(shown)
    assert demo_api.delete(f"{URL}/kp_cli", **V210).status_code == 204
    assert demo_api.get(f"{URL}/kp_cli").status_code == 404


def test_status_codes_and_type_below_2_2(demo_api):
    response = create(demo_api, headers={})
    assert response.status_code == 200 and "type" not in response.json()["keypair"]
    assert "type" not in demo_api.get(f"{URL}/kp").json()["keypair"]
    assert demo_api.delete(f"{URL}/kp").status_code == 202
    assert create(demo_api, headers={}, type="ssh").status_code == 400  # `type` is ≥2.2


def test_x509_import(demo_api):
    der = bytes.fromhex("3003020101")
    pem = "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(der).decode() + "\n-----END CERTIFICATE-----\n"
    response = create(demo_api, "cert", V22, public_key=pem, type="x509")
    assert response.status_code == 201
    assert response.json()["keypair"]["fingerprint"] == ":".join(f"{b:02x}" for b in hashlib.sha1(der).digest())
    assert create(demo_api, "cert2", V22, public_key="not a cert", type="x509").status_code == 400


def test_x509_generation_returns_a_certificate_and_a_pkcs12_key(demo_api):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import pkcs12

    response = demo_api.post(URL, {"keypair": {"name": "win", "type": "x509"}}, format="json", **V22)
    assert response.status_code == 201, response.content
    body = response.json()["keypair"]
    assert body["type"] == "x509"
    certificate = x509.load_pem_x509_certificate(body["public_key"].encode())
    assert body["fingerprint"] == ":".join(f"{b:02x}" for b in certificate.fingerprint(hashes.SHA1()))
    assert certificate.subject.rfc4514_string() == f"CN={demo_user_id()}"
    key, bundled, _ = pkcs12.load_key_and_certificates(base64.b64decode(body["private_key"]), None)
    assert bundled == certificate and key is not None
    shown = demo_api.get(f"{URL}/win", **V22).json()["keypair"]
    assert shown["type"] == "x509" and "private_key" not in shown


def test_generation_returns_the_private_key_once(demo_api):
    response = demo_api.post(URL, {"keypair": {"name": "gen"}}, format="json", **V210)
    assert response.status_code == 201
    body = response.json()["keypair"]
    assert body["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert body["public_key"].startswith("ssh-rsa ")
    # The private key is the public key's, 2048 bits, and the fingerprint is its blob's MD5.
    private = serialization.load_pem_private_key(body["private_key"].encode(), password=None)
    assert private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode() == " ".join(body["public_key"].split()[:2])
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048
    blob = base64.b64decode(body["public_key"].split()[1])
    assert body["fingerprint"] == ":".join(f"{byte:02x}" for byte in hashlib.md5(blob).digest())
    assert "private_key" not in demo_api.get(f"{URL}/gen").json()["keypair"]
    # 2.92 made public_key mandatory.
    late = demo_api.post(URL, {"keypair": {"name": "gen2"}}, format="json", HTTP_OPENSTACK_API_VERSION="compute 2.92")
    assert late.status_code == 400


@pytest.mark.parametrize(
    "fields",
    [
        {"public_key": "garbage"},
        {"public_key": "ssh-rsa not-base64!!"},
        {"public_key": "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-dss123").decode()},  # type mismatch
        {"public_key": ""},
        {"public_key": 5},
        {"name": ""},
        {"name": "bad/name"},
        {"name": " lead"},
        {"type": "pgp"},
        {"extra": 1},
    ],
)
def test_bad_bodies_are_400(demo_api, fields):
    response = create(demo_api, **{"name": "kp", **fields})
    assert response.status_code == 400, response.content
    assert response.json()["badRequest"]["code"] == 400


@pytest.mark.parametrize("body", [{}, {"keypair": None}, {"keypair": "x"}, ["keypair"]])
def test_malformed_envelopes_are_400(demo_api, body):
    assert demo_api.post(URL, body, format="json").status_code == 400


def test_names_are_unique_per_user(demo_api, admin_api):
    assert create(demo_api).status_code == 201
    duplicate = create(demo_api)
    assert duplicate.status_code == 409
    assert duplicate.json()["conflictingRequest"]["message"] == "Key pair 'kp' already exists."
    assert create(admin_api).status_code == 201  # another user may reuse the name
    assert [k["keypair"]["name"] for k in demo_api.get(URL).json()["keypairs"]] == ["kp"]


def test_quota_is_403(demo_api):
    QuotaLimit.objects.create(project_id=Project.objects.get(name="demo").id, resource="key_pairs", hard_limit=1)
    assert create(demo_api, "one").status_code == 201
    response = create(demo_api, "two")
    assert response.status_code == 403
    assert response.json()["forbidden"]["message"] == "Quota exceeded, too many key pairs."
    assert Keypair.objects.filter(name="two").count() == 0


def test_paging_from_2_35(demo_api):
    for name in ("a", "b", "c"):
        create(demo_api, name)
    page = demo_api.get(URL, {"limit": 2}, **V235).json()
    assert [k["keypair"]["name"] for k in page["keypairs"]] == ["a", "b"]
    assert "marker=b" in page["keypairs_links"][0]["href"]
    rest = demo_api.get(URL, {"limit": 2, "marker": "b"}, **V235).json()
    assert [k["keypair"]["name"] for k in rest["keypairs"]] == ["c"] and "keypairs_links" not in rest
    assert len(demo_api.get(URL, {"limit": 2}).json()["keypairs"]) == 3  # ignored below 2.35
    assert demo_api.get(URL, {"marker": "zz"}, **V235).status_code == 400
    entry = demo_api.get(URL, **V210).json()["keypairs"][0]["keypair"]
    assert set(entry) == {"name", "public_key", "fingerprint", "type"}


def test_admin_acts_for_another_user_from_2_10(admin_api, demo_api):
    demo = demo_user_id()
    response = create(admin_api, "for-demo", user_id=demo)
    assert response.status_code == 201 and response.json()["keypair"]["user_id"] == demo
    assert [k["keypair"]["name"] for k in demo_api.get(URL).json()["keypairs"]] == ["for-demo"]
    assert admin_api.get(URL).json()["keypairs"] == []
    assert [k["keypair"]["name"] for k in admin_api.get(URL, {"user_id": demo}, **V210).json()["keypairs"]] == [
        "for-demo"
    ]
    assert admin_api.get(f"{URL}/for-demo", {"user_id": demo}, **V210).status_code == 200
    assert admin_api.get(f"{URL}/for-demo").status_code == 404
    assert create(admin_api, "old", {}, user_id=demo).status_code == 400  # user_id is ≥2.10
    admin_id = User.objects.get(name="admin").id
    assert create(demo_api, "steal", user_id=admin_id).status_code == 403
    assert demo_api.get(URL, {"user_id": admin_id}, **V210).status_code == 403
    assert admin_api.delete(f"{URL}/for-demo?user_id={demo}", **V210).status_code == 204
    assert not Keypair.objects.filter(name="for-demo").exists()


def test_unknown_keypair_is_404(demo_api):
    missing = demo_api.get(f"{URL}/nope")
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["message"] == f"Keypair nope not found for user {demo_user_id()}"
    assert demo_api.delete(f"{URL}/nope", **V210).status_code == 404


def test_nul_and_long_values_are_never_500(admin_api):
    assert admin_api.get(f"{URL}/a%00b").status_code == 404
    assert admin_api.get(URL, {"user_id": "a\x00"}, **V210).status_code == 400
    assert create(admin_api, "k\x00").status_code == 400
    assert create(admin_api, "long-user", user_id="u" * 65).status_code == 400


def test_another_users_keypairs_are_refused_by_the_service_layer(cloud):
    """The refusal is the service function's, so the admin console and commands get it too."""
    admin_id = User.objects.get(name="admin").id
    member = Caller(demo_user_id(), Project.objects.get(name="demo").id, is_admin=False)
    Keypair.objects.create(name="theirs", user_id=admin_id, public_key=PUBLIC_KEY, fingerprint=FINGERPRINT)
    calls = [
        lambda: keypairs.create_keypair(member, keypairs.KeypairCreate("steal", PUBLIC_KEY, user_id=admin_id)),
        lambda: keypairs.list_keypairs(member, user_id=admin_id),
        lambda: keypairs.get_keypair(member, "theirs", user_id=admin_id),
        lambda: keypairs.delete_keypair(member, "theirs", user_id=admin_id),
    ]
    for call in calls:
        with pytest.raises(PolicyNotAuthorized) as refused:
            call()
        assert refused.value.rule == "os_compute_api:os-keypairs"
    assert list(Keypair.objects.values_list("name", flat=True)) == ["theirs"]
