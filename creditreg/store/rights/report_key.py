"""The report signing key's file (RIG-2): kept like the audit key (creditreg.store.kernel.
key_file): CREDITREG_REPORT_KEY, else CREDITREG_REPORT_KEY_FILE (var/report-key.pem), made
with a new Ed25519 key, owner-only, the first time any command needs it."""

from __future__ import annotations

from pathlib import Path

from creditreg.domain.errors import InvalidInput
from creditreg.domain.rights.signing import ReportKey
from creditreg.store.kernel import key_file


def _check(path: Path, key: bytes) -> None:
    try:
        ReportKey.from_pem(key)
    except InvalidInput:
        raise InvalidInput(
            "config.report_key_file",
            f"the report key file {path} holds no Ed25519 private key in PEM",
        ) from None


REPORT_KEY = key_file.KeyFile(
    label="report signing key",
    file_setting="CREDITREG_REPORT_KEY_FILE",
    key_setting="CREDITREG_REPORT_KEY",
    make=lambda: ReportKey.generate().private_pem(),
    check=_check,
)


def read(path: Path) -> ReportKey:
    """The report key in `path` (FileNotFoundError if there is none)."""
    pem = key_file.read(
        REPORT_KEY, path, "config.report_key_file", "config.report_key_file_permissions"
    )
    return ReportKey.from_pem(pem)


def read_or_create(path: Path) -> ReportKey:
    """The install's report key from `path`; a new one written there if there is none."""
    try:
        return read(path)
    except FileNotFoundError:
        pass
    pem = key_file.read_or_create(
        REPORT_KEY, path, "config.report_key_file", "config.report_key_file_permissions"
    )
    return ReportKey.from_pem(pem)
