"""Issue 9, defect 10: input that used to end in a traceback (a ValueError, an assert, an
overflow) is one readable line and an exit code, on SQLite and PostgreSQL. Each case
failed before: a traceback and exit 1."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditreg.cli.main import app
from creditreg.demo.catalogs import PUNISHMENT, STANDARDS
from tests.conftest import DbTarget
from tests.factories import punishment_row

runner = CliRunner()
TOO_BIG = str(2**63)


def cli(db: DbTarget, *args: str, **env: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={**db.env(), **env})
    # A traceback is what these inputs gave before: any exception but the exit is a defect.
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def one_line(err: str, code: str) -> bool:
    return err.count("\n") == 1 and err.startswith("error: ") and err.endswith(f"[{code}]\n")


@pytest.mark.parametrize(
    ("url", "says"),
    [("mysql://x/y", "unsupported database 'mysql'"), ("no url at all", "not a database URL")],
)
def test_a_database_url_of_another_kind_is_one_line__SEC_1(
    db: DbTarget, url: str, says: str
) -> None:
    code, _, err = cli(db, "sweep", CREDITREG_DATABASE_URL=url)
    assert code == 2 and one_line(err, "config.bad_database_url") and says in err


def test_settings_and_worker_options_out_of_range_are_refused(db: DbTarget) -> None:
    # A litigation period of a million years overflowed the date arithmetic of every row.
    code, _, err = cli(db, "sweep", CREDITREG_LITIGATION_MONTHS="99999999")
    assert code == 2 and one_line(err, "config.invalid") and "litigation_months" in err
    for interval in ("nan", "inf", "-1"):
        code, _, err = cli(db, "worker", "--interval", interval, "--passes", "1")
        assert code == 2 and one_line(err, "worker.bad_option"), interval


@pytest.mark.parametrize(
    "args",
    [
        ["lists", "show", TOO_BIG],
        ["lists", "find", "--subject", TOO_BIG],
        ["lists", "notify", "1", "--unit", TOO_BIG],
        ["records", "show", TOO_BIG],
        ["units", "revoke-token", TOO_BIG],
        ["catalog", "show", "XZCF", "--version", str(2**31)],
        ["standards", "show", "SCJG-HMD", "--version", TOO_BIG],
    ],
)
def test_an_id_beyond_64_bits_is_a_usage_error_not_an_overflow__SEC_1(
    db: DbTarget, args: list[str]
) -> None:
    code, out, err = cli(db, *args)
    assert code == 2 and out == ""
    assert "Invalid value" in err and "less than or equal to" in err


def test_input_files_are_read_or_refused_in_one_line__CAT_1_STD_1(
    db: DbTarget, tmp_path: Path
) -> None:
    not_object = tmp_path / "list.json"
    not_object.write_text("[1, 2]", encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    missing = tmp_path / "missing.json"
    for command in (["catalog", "draft"], ["standards", "publish"]):
        extra = ["--unit", "3"] if command[0] == "catalog" else []
        code, _, err = cli(db, *command, str(not_object), *extra)
        assert code == 2 and one_line(err, "file.bad_json") and "not a JSON object" in err
        code, _, err = cli(db, *command, str(broken), *extra)
        assert code == 2 and one_line(err, "file.bad_json")
        code, _, err = cli(db, *command, str(missing), *extra)
        assert code == 2 and one_line(err, "file.unreadable")
    code, _, err = cli(db, "calendar", "load", str(tmp_path))
    assert code == 2 and one_line(err, "file.unreadable")
    code, _, err = cli(db, "ingest", str(tmp_path), "--catalog", "XZCF")
    assert code == 2 and one_line(err, "file.unreadable")


def test_a_catalog_item_file_is_held_to_the_api_body__CAT_1(db: DbTarget, tmp_path: Path) -> None:
    """The file is checked as `POST /api/v1/catalog/items` checks its `item`: a template
    field that is not an object, or choices that are not a list, used to crash the CLI."""
    item = tmp_path / "item.json"
    fields = [dict(f) for f in PUNISHMENT["template"]]
    bad_fields: list[object] = [*fields[:-1], "not a field"]
    item.write_text(json.dumps({**PUNISHMENT, "template": bad_fields}), encoding="utf-8")
    code, _, err = cli(db, "catalog", "draft", str(item), "--unit", "3")
    assert code == 2 and one_line(err, "request.invalid") and "template." in err
    fields[0] = {**fields[0], "choices": 5}
    item.write_text(json.dumps({**PUNISHMENT, "template": fields}), encoding="utf-8")
    code, _, err = cli(db, "catalog", "draft", str(item), "--unit", "3")
    assert code == 2 and one_line(err, "request.invalid") and "choices" in err
    standard = tmp_path / "standard.json"
    standard.write_text(json.dumps({**STANDARDS[0], "rule": 5}), encoding="utf-8")
    code, _, err = cli(db, "standards", "publish", str(standard))
    assert code == 2 and one_line(err, "request.invalid") and "rule" in err


def test_a_punishment_whose_review_period_runs_past_the_calendar_is_a_rejected_row__ING_5(
    db: DbTarget, demo_data: None, tmp_path: Path
) -> None:
    """add_months asserted 'unreachable' once a year left 1-9999: a clock near the end of
    the calendar and a punishment decided then (6 months to count) ended in a traceback."""
    row = punishment_row(1, decision_date="9999-10-01", valid_until="9999-12-31")
    path = tmp_path / "far.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    code, _, err = cli(
        db,
        "ingest",
        str(path),
        "--catalog",
        "XZCF",
        CREDITREG_CLOCK="9999-10-05T09:00",
        CREDITREG_ALLOW_CLOCK_OVERRIDE="true",
    )
    last = err.splitlines()[-1] + "\n"  # after the progress bar's line
    assert code == 2 and one_line(last, "record.batch_rejected")
    assert "(calendar.out_of_range)" in last and "runs past the calendar" in last


def test_a_batch_id_longer_than_its_column_is_one_line_and_stores_nothing__ING_2(
    db: DbTarget, demo_data: None, tmp_path: Path
) -> None:
    """A 5,000-character --batch-id was stored whole by SQLite (its column holds 100) and
    would have been a database error on PostgreSQL."""
    row = punishment_row(1)
    path = tmp_path / "one.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    for bad in ("x" * 101, "line\x1bbreak", "   "):  # only spaces: no id, not none
        code, out, err = cli(db, "ingest", str(path), "--catalog", "XZCF", "--batch-id", bad)
        assert code == 2 and one_line(err.splitlines()[-1] + "\n", "record.bad_batch_id")
    code, out, err = cli(db, "ingest", str(path), "--catalog", "XZCF", "--batch-id", "x" * 100)
    assert code == 0 and "stored" in out, err


@pytest.mark.parametrize(
    "args",
    [
        ("catalog", "show", "XZ\udcffCF"),
        ("check", "91410100MA0000001X", "--purpose", "other", "--note", "x\udcff", "--unit", "4"),
    ],
)  # fmt: skip
def test_an_argument_that_is_not_utf8_is_one_line_and_stores_nothing__SEC_1(
    db: DbTarget, demo_data: None, args: tuple[str, ...]
) -> None:
    """A shell hands bytes that are not UTF-8 on as lone surrogates: the database driver
    could not encode them and the CLI printed a traceback; it is one line, as the API's
    `request.bad_character`."""
    code, _, err = cli(db, *args)
    assert code == 2 and one_line(err, "request.bad_character"), err
