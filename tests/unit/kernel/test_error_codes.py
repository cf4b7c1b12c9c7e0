"""The registry of error codes (domain/error_codes.py) is complete and true: every code the
source raises is listed with the status and exit code its raise site gives, one status per
code, one prefix per concept, and nothing listed is raised nowhere (issue 9, defect 10)."""

from __future__ import annotations

from creditreg.domain import errors
from creditreg.domain.error_codes import CODES
from tests.raised_codes import Raised, scan

# Codes still raised under their old names in files another branch is editing: its merge
# renames them there and deletes the entries here (none pending today). An entry whose
# old code is no longer raised fails `test_nothing_pending_is_stale`.
PENDING_RENAMES: dict[tuple[str, str], str] = {}
PENDING_CLASS: dict[tuple[str, str], str] = {}


def _code(r: Raised) -> str:
    return PENDING_RENAMES.get((r.code, r.path), r.code)


def test_every_raise_site_is_read() -> None:
    found = scan()
    assert found.unresolved == []
    assert len(found.codes()) > 150  # the scan sees the codes (not an empty tree)


def test_every_raised_code_is_in_the_registry_with_its_status__SEC_1() -> None:
    problems: list[str] = []
    for r in scan().raised:
        listed = CODES.get(_code(r))
        if listed is None:
            problems.append(f"{r.where}: {r.code} is not in domain/error_codes.py")
            continue
        kind, _, value = r.how.partition(":")
        if kind == "status":
            if value != "*" and listed.status != int(value):
                problems.append(f"{r.where}: {r.code} answered {value}, listed {listed.status}")
        elif kind == "exit":
            if listed.exit_code != int(value):
                problems.append(f"{r.where}: {r.code} exits {value}, listed {listed.exit_code}")
        elif PENDING_CLASS.get((r.code, r.path)) != r.how:
            cls = getattr(errors, r.how)
            if (cls.status, cls.exit_code) != (listed.status, listed.exit_code):
                problems.append(
                    f"{r.where}: {r.code} raised as {r.how} ({cls.status}), "
                    f"listed as {listed.status}"
                )
    assert problems == []


def test_nothing_in_the_registry_is_raised_nowhere() -> None:
    raised = {_code(r) for r in scan().raised}
    assert sorted(set(CODES) - raised) == []


def test_nothing_pending_is_stale() -> None:
    sites = {(r.code, r.path) for r in scan().raised}
    sites_with_class = {(r.code, r.path, r.how) for r in scan().raised}
    assert [k for k in PENDING_RENAMES if k not in sites] == []
    assert [k for k, how in PENDING_CLASS.items() if (*k, how) not in sites_with_class] == []


def test_one_prefix_per_concept() -> None:
    """`record.*`, never also `records.*`: no prefix is another's plural."""
    prefixes = {code.split(".", 1)[0] for code in CODES}
    assert sorted(p for p in prefixes if p + "s" in prefixes) == []
    assert all(code.count(".") == 1 for code in CODES)
