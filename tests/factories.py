"""Valid rows for the demo catalog templates, to vary one field at a time in tests."""

from __future__ import annotations

from typing import Any

from creditreg.demo.dataset import demo_ric, demo_uscc

AUTHORITY_USCC = demo_uscc("11410100MB0000003")


def punishment_row(i: int = 1, **changes: Any) -> dict[str, Any]:
    """An administrative-punishment record (XZCF) of a company."""
    row: dict[str, Any] = {
        "party_name": f"郑州示例贸易有限公司{i}",
        "party_category": "法人及非法人组织",
        "uscc": demo_uscc(f"91410100MC{i:07d}"),
        "legal_representative": "王示例",
        "decision_number": f"郑税罚〔2026〕{i}号",
        "violation_type": "未按期申报",
        "facts": "未按照规定期限办理纳税申报",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十二条",
        "penalty_category": "罚款",
        "penalty_content": "罚款二千元",
        "fine_10k_cny": "0.2",
        "decision_date": "2026-02-27",
        "valid_until": "2029-02-27",
        "authority": "郑州市税务局",
        "authority_uscc": AUTHORITY_USCC,
        "source_unit": "郑州市税务局",
        "source_unit_uscc": AUTHORITY_USCC,
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def person_punishment_row(i: int = 1, **changes: Any) -> dict[str, Any]:
    """The same record about a natural person (resident ID)."""
    return punishment_row(
        i,
        party_name="李示例",
        party_category="自然人",
        uscc=None,
        legal_representative=None,
        id_type="身份证",
        id_number=demo_ric(f"41010519900101{i:03d}"),
        **changes,
    )
