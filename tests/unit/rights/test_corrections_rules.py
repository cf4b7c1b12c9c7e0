"""The rules of corrections and compensation claims (OBJ-5; Op(23), Art 66): every status
and action pair of the claim lifecycle, amounts, and what the apology says."""

from __future__ import annotations

from datetime import date

import pytest

from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.rights.corrections import (
    COMPENSATION,
    Apology,
    ClaimStatus,
    Done,
    clean_error,
    clean_grounds,
    parse_amount,
    yuan,
)
from creditreg.domain.rights.notices import Lang, render

ALLOWED = {
    (ClaimStatus.CLAIMED, "grant"): ClaimStatus.GRANTED,
    (ClaimStatus.CLAIMED, "refuse"): ClaimStatus.REFUSED,
    (ClaimStatus.GRANTED, "pay"): ClaimStatus.PAID,
}


@pytest.mark.parametrize("status", list(ClaimStatus))
@pytest.mark.parametrize("action", ["grant", "refuse", "pay"])
def test_every_claim_move_is_in_the_table_or_refused__OBJ_5(
    status: ClaimStatus, action: str
) -> None:
    if (status, action) in ALLOWED:
        assert COMPENSATION.next(status, action) == ALLOWED[(status, action)]
    else:
        with pytest.raises(Conflict) as raised:
            COMPENSATION.next(status, action)
        assert raised.value.code == "compensation.illegal_transition"


@pytest.mark.parametrize(
    ("raw", "fen"), [("1", 100), ("12000", 1_200_000), ("350.5", 35_050), (" 0.01 ", 1)]
)
def test_amounts_are_yuan_with_two_decimals__OBJ_5(raw: str, fen: int) -> None:
    assert parse_amount(raw) == fen
    assert yuan(fen) == f"{fen // 100}.{fen % 100:02d}"


@pytest.mark.parametrize("raw", ["0", "0.00", "-1", "1.234", "1e3", "一万", "", "1,000"])
def test_bad_amounts_are_refused__OBJ_5(raw: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_amount(raw)
    assert raised.value.code == "compensation.bad_amount"


def test_errors_and_grounds_are_said__OBJ_5() -> None:
    with pytest.raises(InvalidInput):
        clean_error("  ")
    with pytest.raises(InvalidInput):
        clean_error("x" * 5001)
    with pytest.raises(InvalidInput):
        clean_grounds("")
    assert clean_error(" 录错 ") == "录错"


def test_the_apology_names_the_unit_the_clarification_and_the_right_to_compensation__OBJ_5() -> (
    None
):
    said = Apology(
        unit_name="郑州市市场监督管理局",
        matter="将您列入黑名单（名单条目 7）",
        error="主体错误",
        done=Done.DELETED,
        corrected_on=date(2026, 3, 2),
        channels=("credit_china", "platform_portal"),
        public_until=date(2026, 6, 2),
        correction_id=4,
    ).content()
    assert "郑州市市场监督管理局" in said["apology"] and "致歉" in said["apology"]
    assert "credit_china、信用信息共享平台门户" in said["clarification"]
    assert "2026-06-02" in said["clarification"] and "更正编号 4" in said["compensation"]
    never_public = Apology(
        "单位", "记录", "错", Done.WITHDRAWN, date(2026, 3, 2), (), None, 5
    ).content()
    assert "未曾公开" in never_public["clarification"]
    english = render("apology", said, Lang.EN)
    assert english.title == "Written apology for an error"
    assert ("Public clarification", said["clarification"]) in english.lines
