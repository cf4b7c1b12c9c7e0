"""The `creditreg` command end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditreg.cli.main import app
from creditreg.demo.dataset import demo_uscc
from creditreg.store.migrate import head_revision
from tests.conftest import DbTarget
from tests.schedules import SCHEDULE_2027, SCHEDULE_2027_LINES

runner = CliRunner()


def cli(db: DbTarget, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=db.env(), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_calendar_add_prints_due_date_and_how__CAL_1(db: DbTarget) -> None:
    code, out, _ = cli(db, "calendar", "add", "2024-02-08", "5")
    assert code == 0
    first, explanation = out.splitlines()
    assert first == "2024-02-21"
    assert "not counted" in explanation and "2024-02-18" in explanation


def test_calendar_add_says_provisional__CAL_2(db: DbTarget) -> None:
    code, out, _ = cli(db, "calendar", "add", "2026-12-31", "1")
    assert code == 0
    assert out.splitlines()[0] == "2027-01-04  provisional"


def test_calendar_load_set_and_day__CAL_2(db: DbTarget, tmp_path: Path) -> None:
    schedule = tmp_path / "2027.csv"
    schedule.write_text("2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦\n", encoding="utf-8")
    code, _, err = cli(db, "calendar", "load", str(schedule))
    # A file without every statutory holiday would make the rest working days.
    assert code == 2 and err.count("\n") == 1 and "[calendar.schedule_incomplete]" in err
    assert "2027-10-01" in err
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")
    code, out, _ = cli(db, "calendar", "load", str(schedule))
    assert code == 0 and f"loaded the 2027 schedule ({len(SCHEDULE_2027_LINES)} days)" in out
    assert cli(db, "calendar", "add", "2026-12-31", "1")[1].splitlines()[0] == "2027-01-05"
    code, out, _ = cli(db, "calendar", "set", "2027-01-05", "--rest", "--note", "snow")
    assert code == 0 and "rest day" in out
    code, out, _ = cli(db, "calendar", "day", "2027-01-05")
    assert out.strip() == "2027-01-05: rest day (snow); source: override"
    schedule.write_text("2027-01-01,holiday\n2027-02-30,holiday\n", encoding="utf-8")
    code, _, err = cli(db, "calendar", "load", str(schedule))
    assert (
        code == 2 and err.count("\n") == 1 and "line 2" in err and "[calendar.bad_schedule]" in err
    )
    code, _, err = cli(db, "calendar", "load", str(tmp_path / "missing.csv"))
    assert code == 2 and "cannot read" in err


def test_demo_load_is_idempotent_and_audit_verifies__SEC_3(db: DbTarget) -> None:
    code, out, _ = cli(db, "demo", "load")
    assert code == 0 and out.startswith("demo data loaded")
    assert "crt_demo_platform_token" in out and "demo-admin-password" in out
    code, out, _ = cli(db, "demo", "load")
    assert code == 0 and out.startswith("demo data already loaded; nothing added")
    code, out, _ = cli(db, "audit", "verify")
    assert code == 0 and "audit chain intact" in out


def test_bad_input_is_one_line_and_a_non_zero_exit__SUB_2(db: DbTarget) -> None:
    code, out, err = cli(db, "subjects", "add", "legal_person", "uscc", "91110000600037341X", "x")
    assert code == 2 and out == ""
    assert err == (
        "error: USCC '91110000600037341X' has a wrong check character: 'X', expected 'L' "
        "[subject.invalid_uscc]\n"
    )
    code, _, err = cli(db, "subjects", "add", "company", "uscc", "91110000600037341L", "x")
    assert code == 2 and "[subject.unknown_kind]" in err
    code, out, _ = cli(db, "subjects", "add", "legal_person", "uscc", " 91110000600037341l", "x")
    assert code == 0 and "91110000600037341L" in out
    code, _, err = cli(db, "subjects", "add", "legal_person", "uscc", "91110000600037341L", "y")
    assert code == 4 and "[subject.duplicate]" in err
    code, _, err = cli(db, "subjects", "find", "uscc", demo_uscc("91410100MA0000079"))
    assert code == 3 and "[subject.not_found]" in err


def test_units_users_and_tokens_from_the_cli__SEC_1(db: DbTarget) -> None:
    code, out, _ = cli(
        db,
        "units",
        "add",
        "郑州市税务局",
        demo_uscc("11410100MB0000055"),
        "--kind",
        "providing_unit",
        "--region",
        "410100",
        "--level",
        "municipal",
        "--field",
        "taxation",
    )
    assert code == 0 and out.startswith("unit ")
    unit_id = out.split()[1].rstrip(":")
    code, _, err = cli(
        db, "units", "add", "某局", demo_uscc("11410100MB0000066"), "--kind", "providing_unit",
        "--region", "410100", "--level", "municipal", "--field", "nonsense_field",
    )  # fmt: skip
    assert code == 2 and err.strip().endswith("[unit.unknown_field]")
    code, out, _ = cli(
        db,
        "units",
        "add-user",
        unit_id,
        "zhao",
        "--role",
        "provider",
        stdin="a long enough password\n",
    )
    assert code == 0 and "zhao (provider)" in out
    code, out, _ = cli(db, "units", "add-token", unit_id, "tax system", "--scope", "subjects:read")
    assert code == 0 and "crt_" in out
    token_id = out.split()[1]
    assert cli(db, "units", "revoke-token", token_id)[0] == 0
    code, _, err = cli(db, "units", "revoke-token", token_id)
    assert code == 4 and "[token.already_revoked]" in err
    code, _, err = cli(db, "units", "add-token", unit_id, "x", "--scope", "audit:read")
    assert code == 2 and "[token.scope_not_allowed]" in err


def run_script(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "creditreg", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_installed_command_lists_commands_and_migrates(tmp_path: Path) -> None:
    env = {
        "CREDITREG_DATABASE_URL": f"sqlite:///{tmp_path}/new.db",
        "CREDITREG_AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints.jsonl"),
    }
    listed = run_script("--help", env=env)
    assert listed.returncode == 0
    for command in ("serve", "db", "demo", "audit", "calendar", "subjects", "units"):
        assert command in listed.stdout
    stale = run_script("audit", "verify", env=env)
    assert stale.returncode == 7 and "creditreg db upgrade" in stale.stderr
    migrated = run_script("db", "upgrade", env=env)
    head = head_revision()
    assert migrated.returncode == 0 and f"revision {head} (was empty)" in migrated.stdout
    assert run_script("db", "current", env=env).stdout.strip() == head


def test_unreachable_database_and_refused_clock_are_one_line(tmp_path: Path) -> None:
    down = run_script(
        "db", "upgrade", env={"CREDITREG_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    assert down.returncode == 8 and down.stderr.startswith("error: cannot use the database")
    assert down.stderr.count("\n") == 1
    refused = run_script(
        "serve",
        "--clock",
        "2026-03-02T09:00",
        env={"CREDITREG_DATABASE_URL": f"sqlite:///{tmp_path}/c.db"},
    )
    assert refused.returncode == 2
    assert "[config.clock_override_refused]" in refused.stderr


@pytest.mark.parametrize("args", [["calendar", "add", "2024-02-30", "1"], ["nonsense"]])
def test_usage_errors_exit_2(db: DbTarget, args: list[str]) -> None:
    assert cli(db, *args)[0] == 2


def test_audit_verify_names_the_first_tampered_event__SEC_3(db: DbTarget) -> None:
    import sqlalchemy as sa

    from creditreg.store.engine import make_engine

    assert cli(db, "demo", "load")[0] == 0
    engine = make_engine(db.url, db.schema)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
            else:
                conn.exec_driver_sql(
                    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"
                )
            conn.execute(sa.text("UPDATE audit_event SET object_id = 'forged' WHERE seq = 5"))
    finally:
        engine.dispose()
    code, out, err = cli(db, "audit", "verify")
    assert code == 1 and out == ""
    assert err.startswith("error: audit chain broken at event 5: its content does not match")
    assert "4 events before it are intact" in err and "[audit.chain_broken]" in err
    # A detail that is not a JSON object (nor JSON at all) is found the same way, not a
    # traceback (a tryout's finding).
    for forged in ("[1,2]", "{bad"):
        engine = make_engine(db.url, db.schema)
        try:
            with engine.begin() as conn:
                conn.execute(
                    sa.text("UPDATE audit_event SET detail = :d WHERE seq = 3"), {"d": forged}
                )
        finally:
            engine.dispose()
        code, out, err = cli(db, "audit", "verify")
        assert code == 1 and "Traceback" not in err, err
        assert err.startswith("error: audit chain broken at event 3"), err
