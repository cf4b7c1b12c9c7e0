"""The audit key's file: read it, or make it on an install's first run (SEC-3).

An install without CREDITREG_AUDIT_KEY gets a random key written to
CREDITREG_AUDIT_KEY_FILE (var/audit.key), readable by its owner only, the first time any
command needs it (creditreg.store.kernel.key_file keeps every such key the same way).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.audit import MIN_KEY_BYTES
from creditreg.store.kernel import key_file


def _check(path: Path, key: bytes) -> None:
    try:
        key.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "config.audit_key_file", f"cannot read the audit key file {path}: {exc}"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise InvalidInput(
            "config.audit_key_file",
            f"the audit key file {path} holds {len(key)} bytes; an audit key has at least "
            f"{MIN_KEY_BYTES}",
        )


AUDIT_KEY = key_file.KeyFile(
    label="audit key",
    file_setting="CREDITREG_AUDIT_KEY_FILE",
    key_setting="CREDITREG_AUDIT_KEY",
    make=lambda: secrets.token_hex(32).encode(),
    check=_check,
)


def read_or_create(path: Path) -> bytes:
    """The key in `path`; a new random one written there (mode 0600) if there is no file."""
    return key_file.read_or_create(
        AUDIT_KEY, path, "config.audit_key_file", "config.audit_key_file_permissions"
    )


def read(path: Path) -> bytes:
    """The key in `path` (FileNotFoundError if there is none)."""
    return key_file.read(
        AUDIT_KEY, path, "config.audit_key_file", "config.audit_key_file_permissions"
    )
