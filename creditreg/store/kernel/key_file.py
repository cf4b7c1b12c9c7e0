"""Secret key files outside the database: read one, or make it on an install's first run.

The platform's keys (the audit chain's HMAC key, SEC-3; the credit reports' signing key,
RIG-2) must live outside the database (whoever can rewrite the database must not also
find the key there), and no two installs may share one, so there is no default key: an
install without the key in its settings gets a random one written to its key file under
`var/`, readable by its owner only, the first time any command needs it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from creditreg.domain.errors import InvalidInput


@dataclass(frozen=True)
class KeyFile:
    """How one kind of key is kept: its name in messages, the settings that messages point
    to, how a new key is made and how a key read back is checked (raising InvalidInput)."""

    label: str  # "audit key", "report signing key"
    file_setting: str  # "CREDITREG_AUDIT_KEY_FILE"
    key_setting: str  # "CREDITREG_AUDIT_KEY"
    make: Callable[[], bytes]
    check: Callable[[Path, bytes], None]


def read_or_create(kind: KeyFile, path: Path, code: str, permissions_code: str) -> bytes:
    """The key in `path`; a new one written there (mode 0600) if there is no file. An
    unreadable or uncreatable file is `code`, one others may read `permissions_code`."""
    try:
        return read(kind, path, code, permissions_code)
    except FileNotFoundError:
        pass
    try:
        _create(path, kind.make())
    except OSError as exc:
        raise InvalidInput(
            code,
            f"cannot create the {kind.label} file {path}: {exc.strerror or exc} (set "
            f"{kind.file_setting} to a writable place, or {kind.key_setting})",
        ) from None
    return read(kind, path, code, permissions_code)


def read(kind: KeyFile, path: Path, code: str, permissions_code: str) -> bytes:
    """The key in `path` (FileNotFoundError if there is none).

    Refused when others than its owner may read or write it, as ssh refuses a private key:
    a key that leaked is no key, and the file saying so early is better than a silent loss
    of its protection."""
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InvalidInput(
                permissions_code,
                f"the {kind.label} file {path} may be read or written by others than its "
                f"owner (mode {stat.S_IMODE(mode):04o}): run 'chmod 600 {path}'",
            )
        key = path.read_bytes().strip()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise InvalidInput(
            code, f"cannot read the {kind.label} file {path}: {exc.strerror or exc}"
        ) from None
    kind.check(path, key)
    return key


def _create(path: Path, key: bytes) -> None:
    """Write a new key to a private temporary file, then link it into place: a second
    process starting at the same moment either wins the link or reads the winner's key,
    never half a key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, key.rstrip(b"\n") + b"\n")
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
