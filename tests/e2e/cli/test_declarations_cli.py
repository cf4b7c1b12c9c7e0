"""`creditreg declarations` end to end (issue 10, part 8; ING-6, Art 15), on SQLite and
PostgreSQL: an operator declares on a subject's behalf against an item meant for subjects
(self-declared, the audit log naming both), another subject's row and an item not meant
for subjects are refused with nothing kept, and a pledge is judged kept once."""

from __future__ import annotations

import json

import pytest

from creditreg.bootstrap import build_context
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.subjects.identifiers import IdType
from creditreg.services.records import declarations
from creditreg.services.subjects import subjects
from tests.conftest import DbTarget
from tests.e2e.api.test_accounts_api import LI
from tests.e2e.api.test_declarations_api import pledge_row
from tests.e2e.cli.test_accounts_cli import ZHANG, cli
from tests.factories import person_punishment_row


@pytest.fixture
def zhang(db: DbTarget, demo_data: None) -> int:
    ctx = build_context(db.settings())
    try:
        return subjects.find(ctx, SYSTEM, IdType.RIC, ZHANG).id
    finally:
        ctx.db.dispose()


def _declared(db: DbTarget, subject: int) -> list[declarations.DeclarationView]:
    ctx = build_context(db.settings())
    try:
        return declarations.of_subject(ctx, SYSTEM, subject)
    finally:
        ctx.db.dispose()


def test_an_operator_declares_for_a_subject_and_judges_the_pledge__ING_6(
    db: DbTarget, zhang: int
) -> None:
    def submit(catalog: str, row: dict[str, object]) -> tuple[int, str, str]:
        data = json.dumps(row, ensure_ascii=False)
        return cli(
            db,
            "declarations",
            "submit",
            "--subject",
            str(zhang),
            "--catalog",
            catalog,
            "--data",
            data,
        )

    code, out, err = submit("XYCN", pledge_row(LI))
    assert code == 6 and "[declaration.not_your_subject]" in err, (code, out, err)
    row = {**person_punishment_row(1), "party_name": "张示例", "id_number": ZHANG}
    code, _, err = submit("XZCF", row)
    assert code == 6 and "[declaration.item_not_for_subjects]" in err
    code, _, err = cli(
        db, "declarations", "submit", "--subject", str(zhang), "--catalog", "XYCN", "--data", "[1]"
    )
    assert code == 2 and "[declaration.bad_data]" in err
    assert _declared(db, zhang) == []  # nothing kept of any refusal

    code, out, err = submit("XYCN", pledge_row())
    assert code == 0, (out, err)
    assert "self-declared" in out and "pledge pending" in out
    [made] = _declared(db, zhang)
    assert made["self_declared"] and made["declaration_kind"] == "credit_pledge"
    rid = str(made["record_id"])
    code, out, _ = cli(db, "declarations", "judge", rid, "--kept", "--reason", "已按期履行")
    assert code == 0 and "pledge kept" in out
    code, _, err = cli(db, "declarations", "judge", rid, "--broken", "--reason", "逾期")
    assert code == 4 and "[pledge.illegal_transition]" in err, err
    code, out, _ = cli(db, "declarations", "list", "--subject", str(zhang))
    assert code == 0 and "pledge kept (已按期履行)" in out
