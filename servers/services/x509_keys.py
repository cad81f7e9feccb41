"""x509 keypair generation (nova/crypto.py generate_winrm_x509_cert): a self-signed client
certificate for a user, as Windows guests take for password-less WinRM. The certificate is the
keypair's public key; the private key goes back once, as base64 PKCS#12 without a password."""

from __future__ import annotations

import base64
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

#: Microsoft's User Principal Name, the otherName Nova's openssl configuration sets.
UPN_OID = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
VALID_DAYS = 3650


def _utf8_string(text: str) -> bytes:
    """DER encoding of an ASN.1 UTF8String (short and long length forms)."""
    data = text.encode()
    length = len(data)
    if length < 0x80:
        return bytes([0x0C, length]) + data
    size = (length.bit_length() + 7) // 8
    return bytes([0x0C, 0x80 | size]) + length.to_bytes(size, "big") + data


def generate_x509_cert(user_id: str, bits: int = 2048) -> tuple[str, str]:
    """(private key as base64 PKCS#12, certificate PEM) for ``user_id``: subject CN=user_id,
    UPN user_id@localhost, client authentication, valid for ten years."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.OtherName(UPN_OID, _utf8_string(f"{user_id}@localhost"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(None, key, certificate, None, serialization.NoEncryption())
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return base64.b64encode(bundle).decode("ascii"), pem
