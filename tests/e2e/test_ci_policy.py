"""A PostgreSQL test that cannot reach its server fails in CI and skips loudly elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = (
    "tests/integration/kernel/test_migrations.py"
    "::test_upgrade_from_empty_to_head_matches_the_tables"
)


def run_pytest(ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_XDIST_WORKER")}
    env["CREDITREG_TEST_PG_URL"] = "postgresql://postgres@127.0.0.1:1/none"
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-q",
            f"{TARGET}[postgresql]",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_unreachable_postgresql_fails_under_ci() -> None:
    result = run_pytest(ci=True)
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
    assert "CI=true: this test must run" in result.stdout


def test_unreachable_postgresql_skips_loudly_outside_ci() -> None:
    result = run_pytest(ci=False)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "TESTS SKIPPED BECAUSE SOMETHING IS MISSING" in result.stdout
