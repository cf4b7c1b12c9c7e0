"""`creditreg inquiry` and `creditreg reports` end to end (issue 10, parts 2 and 9), on
SQLite and PostgreSQL: self-inquiry on a subject's behalf with the query register of two
years (older reads swept), a report issued as PDF and JSON and verified from either, a
tampered or forged copy refused with one line, a third free report refused with nothing
stored."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from creditreg.cli.main import app
from tests.conftest import DbTarget
from tests.e2e.cli.test_accounts_cli import ZHANG, cli
from tests.e2e.cli.test_cli import runner


@pytest.fixture
def zhang(db: DbTarget, demo_data: None) -> int:
    """张示例's subject id."""
    code, out, err = cli(db, "subjects", "find", "ric", ZHANG)
    assert code == 0, err
    return int(out.split()[1].rstrip(":"))


def at(db: DbTarget, when: str, *args: str) -> tuple[int, str, str]:
    env = {**db.env(), "CREDITREG_CLOCK": when, "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    result = runner.invoke(app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_inquiry_shows_reads_of_two_years_and_the_sweep_drops_older__RIG_1_SEC_2(
    db: DbTarget, zhang: int
) -> None:
    assert at(db, "2024-01-10T09:00", "subjects", "find", "ric", ZHANG)[0] == 0
    assert at(db, "2026-03-01T09:00", "subjects", "find", "ric", ZHANG)[0] == 0
    code, out, err = cli(db, "inquiry", "--subject", str(zhang))
    assert code == 0, err
    shown = json.loads(out)
    assert shown["subject"]["name"] == "张示例"
    days = [q["at"][:10] for q in shown["queries"] if q["what"] == "subject.lookup"]
    assert "2026-03-01" in days and not [d for d in days if d < "2024-03-02"]  # two years
    code, out, err = cli(db, "sweep")
    assert code == 0 and "queries expired: 1" in out, out + err
    # Another subject's number is no subject: one line, non-zero.
    code, _, err = cli(db, "inquiry", "--subject", "999999")
    assert code == 3 and err.count("\n") == 1 and "[subject.not_found]" in err


def test_reports_issue_pdf_and_json_verify_and_refuse_tampering__RIG_2(
    db: DbTarget, zhang: int, tmp_path: Path
) -> None:
    pdf, signed = tmp_path / "report.pdf", tmp_path / "report.json"
    code, out, err = cli(
        db, "reports", "issue", "--subject", str(zhang), "--pdf", str(pdf), "--json", str(signed)
    )
    assert code == 0, err
    assert out.startswith("report CR-") and "free" in out
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert "张示例" in text.decode()
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout
    assert "WenQuanYi" in fonts.decode()
    for presented in (pdf, signed):
        code, out, err = cli(db, "reports", "verify", str(presented))
        assert code == 0 and out.startswith("genuine:"), err
    # A tampered copy, and a forged signature: one line each, non-zero, named.
    data = json.loads(signed.read_text())
    data["content"]["subject"]["name"] = "张改名"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data, ensure_ascii=False))
    code, _, err = cli(db, "reports", "verify", str(tampered))
    assert code == 2 and err.count("\n") == 1 and "[report.altered]" in err
    forged = json.loads(signed.read_text())
    forged["signature"] = "AQ" * 43 + "=="
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    code, _, err = cli(db, "reports", "verify", str(tmp_path / "forged.json"))
    assert code == 2 and "[report.bad_signature]" in err
    (tmp_path / "junk.json").write_text("not json")
    code, _, err = cli(db, "reports", "verify", str(tmp_path / "junk.json"))
    assert code == 2 and "[report.invalid_content]" in err


def test_a_third_free_report_is_refused_with_nothing_stored__RIG_2(
    db: DbTarget, zhang: int, tmp_path: Path
) -> None:
    for _ in range(2):
        assert cli(db, "reports", "issue", "--subject", str(zhang))[0] == 0
    code, _, err = cli(db, "reports", "issue", "--subject", str(zhang))
    assert code == 4 and err.count("\n") == 1 and "[report.no_free_report_left]" in err
    code, out, err = cli(db, "reports", "issue", "--subject", str(zhang), "--accept-fee")
    assert code == 0 and "fee 10.00 yuan" in out, err
    # Specialised reports are counted apart: an organization's first is free.
    code, _, err = cli(db, "reports", "issue", "--subject", str(zhang), "--kind", "specialised")
    assert code == 2 and "[report.specialised_for_organizations]" in err
    code, _, err = cli(
        db, "reports", "issue", "--subject", str(zhang), "--kind", "full", "--pdf",
        str(tmp_path / "x.pdf"),
    )  # fmt: skip
    assert code == 4  # still refused for free: the PDF asks nothing of the allowance
