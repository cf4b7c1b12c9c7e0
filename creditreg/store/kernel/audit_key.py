"""The audit key's file: read it, or make it on an install's first run (SEC-3).

The key must live outside the database (whoever can rewrite the database must not also
find the key there), and no two installs may share one, so there is no default key: an
install without CREDITREG_AUDIT_KEY gets a random key written to CREDITREG_AUDIT_KEY_FILE
(var/audit.key), readable by its owner only, the first time any command needs it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.audit import MIN_KEY_BYTES


def read_or_create(path: Path) -> bytes:
    """The key in `path`; a new random one written there (mode 0600) if there is no file."""
    try:
        return read(path)
    except FileNotFoundError:
        pass
    try:
        _create(path)
    except OSError as exc:
        raise InvalidInput(
            "config.audit_key_file",
            f"cannot create the audit key file {path}: {exc.strerror or exc} (set "
            "CREDITREG_AUDIT_KEY_FILE to a writable place, or CREDITREG_AUDIT_KEY)",
        ) from None
    return read(path)


def read(path: Path) -> bytes:
    """The key in `path` (FileNotFoundError if there is none).

    Refused when others than its owner may read or write it, as ssh refuses a private key:
    a key that leaked is no key, and the file saying so early is better than a silent
    loss of the chain's protection."""
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InvalidInput(
                "config.audit_key_file_permissions",
                f"the audit key file {path} may be read or written by others than its owner "
                f"(mode {stat.S_IMODE(mode):04o}): run 'chmod 600 {path}'",
            )
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "config.audit_key_file",
            f"cannot read the audit key file {path}: {getattr(exc, 'strerror', None) or exc}",
        ) from None
    key = text.encode()
    if len(key) < MIN_KEY_BYTES:
        raise InvalidInput(
            "config.audit_key_file",
            f"the audit key file {path} holds {len(key)} bytes; an audit key has at least "
            f"{MIN_KEY_BYTES}",
        )
    return key


def _create(path: Path) -> None:
    """Write a new key to a private temporary file, then link it into place: a second
    process starting at the same moment either wins the link or reads the winner's key,
    never half a key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (secrets.token_hex(32) + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made the install's key first: that one is the key
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the new name survives a power cut
    finally:
        os.close(directory)
