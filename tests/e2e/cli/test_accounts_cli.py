"""`creditreg accounts` end to end (issue 10, part 1), on SQLite and PostgreSQL: a code after
an identity check, activation, a code reused, the operator acting with `--subject` (the
audit log records it as done on the subject's behalf), and a printed notice with its code
and its delivery date."""

from __future__ import annotations

import getpass
import re
from pathlib import Path

import pytest

from creditreg.bootstrap import build_context
from creditreg.cli.main import app
from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_ric
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.subjects.identifiers import IdType
from creditreg.services.kernel import audit
from creditreg.services.rights import notices
from creditreg.services.subjects import subjects
from tests.conftest import T0, DbTarget
from tests.e2e.cli.test_cli import runner


def cli(db: DbTarget, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """The command at the tests' T0 (a fixed clock, as the API tests have)."""
    env = {**db.env(), "CREDITREG_CLOCK": "2026-03-02T09:00", "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    result = runner.invoke(app, list(args), env=env, input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


ZHANG = demo_ric("41010519800101123")
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")
PASSWORD = "a long subject password\n"


@pytest.fixture
def zhang(db: DbTarget, demo_data: None) -> int:
    ctx = build_context(db.settings())
    try:
        return subjects.find(ctx, SYSTEM, IdType.RIC, ZHANG).id
    finally:
        ctx.db.dispose()


def _issue(db: DbTarget, subject: int, *extra: str) -> tuple[int, str, str]:
    return cli(
        db,
        "accounts",
        "issue-code",
        "--subject",
        str(subject),
        "--holder-role",
        "self",
        "--holder-name",
        "张示例",
        "--document-type",
        "resident_identity_card",
        "--document-number",
        ZHANG,
        "--checked-by",
        "窗口工作人员王",
        *extra,
    )


def _activate(db: DbTarget, code: str, username: str = "zhang") -> tuple[int, str, str]:
    return cli(
        db,
        "accounts",
        "activate",
        "--code",
        code,
        "--id-type",
        "ric",
        "--id-number",
        ZHANG,
        "--username",
        username,
        stdin=PASSWORD,
    )


def test_an_operator_binds_an_account_and_a_code_works_once__SEC_1(
    db: DbTarget, zhang: int
) -> None:
    status, out, err = _issue(db, zhang)
    assert status == 0, err
    found = CODE.search(out)
    assert found is not None and "valid until 2026-04-01" in out and "not shown again" in err
    status, out, err = _activate(db, found.group())
    assert status == 0, err
    assert f"subject {zhang}, self, bound by operator" in out
    status, _, err = _activate(db, found.group(), "zhang2")
    assert status == 4 and err.count("\n") == 1 and "[account.code_used]" in err
    status, out, _ = cli(db, "accounts", "list", "--subject", str(zhang))
    assert status == 0 and "zhang: self by operator; resident_identity_card 41" in out
    assert ZHANG not in out and "checked by 窗口工作人员王 on 2026-03-02" in out
    status, _, err = _issue(db, zhang, "--checked-on", "2027-01-01")
    assert status == 2 and "[account.check_in_future]" in err
    status, _, err = cli(db, "accounts", "me", "--subject", "99999999")
    assert status == 3 and "[subject.not_found]" in err


def test_an_operator_acting_with_subject_is_audited_as_on_the_subjects_behalf__SEC_1_RIG_1(
    db: DbTarget, zhang: int, tmp_path: Path
) -> None:
    ctx = build_context(db.settings(), clock=FixedClock(T0))
    try:
        with ctx.db.write() as conn:
            nid = notices.deliver(
                conn,
                ctx,
                subject_id=zhang,
                kind="outcome",
                content={"outcome": "异议成立，记录已更正", "reasons": "经核实"},
                source=("test", "1"),
                owner=("test", "1"),
            )
        assert nid is not None
        status, out, err = cli(db, "accounts", "inbox", "--subject", str(zhang))
        assert status == 0, err
        assert out.strip().endswith("处理结果告知书 (unread)")
        status, out, err = cli(
            db, "accounts", "read", str(nid), "--subject", str(zhang), "--lang", "en"
        )
        assert status == 0, err
        assert "Notice of an outcome (read)" in out and "Outcome: 异议成立" in out
        events = audit.list_events(ctx, SYSTEM, object_type="subject_notice")
        assert [(e["action"], e["actor"]) for e in events] == [
            ("subject_notice.read", f"cli:{getpass.getuser()}@subject:{zhang}")
        ]
        # Printed for delivery (no account yet: with a code), then delivered.
        page = tmp_path / "notice.html"
        status, out, err = cli(db, "accounts", "print-notice", str(nid), "--out", str(page))
        assert status == 0, err
        text = page.read_text(encoding="utf-8")
        code = CODE.search(text)
        assert code is not None and code.group() in out and "张示例" in text
        assert ZHANG not in text  # the identifier is printed masked
        assert page.stat().st_mode & 0o077 == 0  # the owner's alone (an activation code)
        status, out, err = cli(db, "accounts", "print-notice", str(nid), "--out",
                               str(tmp_path / "notice.docx"))  # fmt: skip
        assert status == 2 and "[file.bad_extension]" in err and out == ""
        # A print that cannot be written mints nothing: the printed code still binds.
        nowhere = tmp_path / "no-such-folder" / "notice.html"
        status, out, err = cli(db, "accounts", "print-notice", str(nid), "--out", str(nowhere))
        assert status == 2 and "[file.unwritable]" in err and out == ""
        status, out, err = cli(db, "accounts", "delivered", str(nid), "--on", "2026-03-02")
        assert status == 0 and "delivered 2026-03-02" in out, err
        status, _, err = cli(db, "accounts", "delivered", str(nid), "--on", "2026-03-02")
        assert status == 4 and "[subject_notice.already_delivered]" in err
        status, _, err = cli(db, "accounts", "delivered", str(nid), "--on", "tomorrow")
        assert status == 2 and "[subject_notice.bad_delivery_date]" in err
        # Delivered with its code, the notice is not printed again: that would void the
        # code on the paper the subject holds (a tryout's finding).
        again = tmp_path / "again.html"
        status, out, err = cli(db, "accounts", "print-notice", str(nid), "--out", str(again))
        assert status == 4 and "[subject_notice.delivered_with_code]" in err
        assert not again.exists()
        # The printed code binds the account.
        status, out, err = _activate(db, code.group())
        assert status == 0 and "bound by notice" in out, err
    finally:
        ctx.db.dispose()
