"""The platform's report key (RIG-2): Ed25519 signatures over a report's canonical JSON.

The private key lives outside the database (settings, or a key file under var/ made on an
install's first run, owner-only, like the audit key); the public key is published (PEM)
so that anyone can verify a report offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from creditreg.domain.errors import InvalidInput


class ReportKey:
    """The signing key and what is published of it."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public: Ed25519PublicKey = private.public_key()
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        # Names the key in each report, so a verifier knows which published key to use.
        self.key_id = hashlib.sha256(raw).hexdigest()[:16]

    @classmethod
    def generate(cls) -> ReportKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes) -> ReportKey:
        """The key in PKCS#8 PEM, or `config.report_key` (not a PEM Ed25519 private key)."""
        try:
            loaded = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError):
            loaded = None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise InvalidInput(
                "config.report_key", "the report key is not an Ed25519 private key in PEM"
            )
        return cls(loaded)

    def private_pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, data: bytes) -> str:
        """The signature of `data`, base64."""
        return base64.b64encode(self._private.sign(data)).decode()

    def verifies(self, data: bytes, signature: str) -> bool:
        """Whether `signature` (base64) is this key's signature of `data`."""
        try:
            raw = base64.b64decode(signature, validate=True)
            self.public.verify(raw, data)
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True
