"""The measures context's pure rules (issue 11): the severity scale (MEA-6, Art 31), which
facts a measure answers, catalog input, memoranda input and lifecycles (MEA-1, MEA-2)."""

from __future__ import annotations

from typing import Any

import pytest

from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.domain.measures.catalog import (
    MEASURE,
    Trigger,
    applies_to,
    measure_from_dict,
    reachable,
)
from creditreg.domain.measures.memoranda import MEMORANDUM, memorandum_from_dict
from creditreg.domain.records.classification import SeriousClass, Severity
from creditreg.domain.records.severity import SeverityLevel, record_severity
from tests.unit.lists.test_list_rules import BLACK

G, S, E = SeverityLevel.GENERAL, SeverityLevel.SERIOUS, SeverityLevel.ESPECIALLY_SERIOUS


@pytest.mark.parametrize(
    ("level", "minimum", "reaches"),
    [(G, G, True), (G, S, False), (G, E, False), (S, G, True), (S, S, True), (S, E, False),
     (E, G, True), (E, S, True), (E, E, True)],
)  # fmt: skip
def test_severity_is_ordered__MEA_6(
    level: SeverityLevel, minimum: SeverityLevel, reaches: bool
) -> None:
    assert level.reaches(minimum) is reaches


def test_a_record_s_severity_follows_its_class__MEA_6() -> None:
    """Art 33 serious conduct, or a record classed serious, is serious; nothing else is."""
    assert record_severity(None, SeriousClass.MARKET_ORDER) is S
    assert record_severity(Severity.SERIOUS, None) is S
    assert record_severity(Severity.GENERAL, None) is G
    assert record_severity(Severity.MINOR, None) is G
    assert record_severity(None, None) is G


def test_a_standard_carries_a_severity__MEA_6() -> None:
    """A blacklist is serious unless its input says otherwise; red lists are general."""
    assert draft_from_dict(BLACK).severity is S
    assert draft_from_dict({**BLACK, "severity": "especially_serious"}).severity is E
    with pytest.raises(InvalidInput) as bad:
        draft_from_dict({**BLACK, "severity": "grave"})
    assert bad.value.code == "standard.bad_severity"
    with pytest.raises(InvalidInput) as bad:
        draft_from_dict({**BLACK, "measures": [1]})
    assert bad.value.code == "standard.bad_measures"
    # Codes are normalized and kept once.
    assert draft_from_dict({**BLACK, "measures": ["art34-1", "ART34-1"]}).measures == ("ART34-1",)


def test_art_32_measures_answer_records_and_listed_subjects__MEA_1() -> None:
    """Art 34: "in addition to the punishment measures provided for in article 32"."""
    assert applies_to("untrustworthy_record", "blacklist")
    assert applies_to("untrustworthy_record", "key_scrutiny")
    assert not applies_to("blacklist", "key_scrutiny")
    assert not applies_to("blacklist", "untrustworthy_record")
    assert not applies_to("red_list", "blacklist")
    assert not applies_to("blacklist", "big_data_warning")
    assert reachable(Trigger.BLACKLIST, E) and not reachable(Trigger.KEY_SCRUTINY, S)


MEASURE_IN: dict[str, Any] = {
    "code": "local-1",
    "kind": "punishment",
    "trigger": "blacklist",
    "content": "限制申请财政性资金项目",
    "legal_basis": "《社会信用条例》第三十四条第七项",
}


def test_a_measure_from_input__MEA_1() -> None:
    d = measure_from_dict(MEASURE_IN)
    assert d.code == "LOCAL-1" and d.min_severity is S  # a blacklist measure: serious
    assert measure_from_dict({**MEASURE_IN, "trigger": "untrustworthy_record"}).min_severity is G


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"kind": "reward"}, "measure.bad_kind"),
        ({"trigger": "grey_list"}, "measure.bad_trigger"),
        ({"min_severity": "grave"}, "measure.bad_severity"),
        # Art 31: a key-scrutiny fact is never serious.
        ({"trigger": "key_scrutiny", "min_severity": "serious"}, "measure.bad_severity"),
        ({"content": " "}, "measure.missing_element"),
        ({"legal_basis": ""}, "measure.missing_element"),
        ({"kind": "incentive"}, "measure.kind_mismatch"),
        ({"facilitation": True}, "measure.kind_mismatch"),
        ({"facilitation": "yes"}, "measure.bad_input"),
        ({"units": [0]}, "measure.bad_input"),
        ({"units": "4"}, "measure.bad_input"),
        ({"content": 5}, "measure.bad_input"),
        ({"code": "两个字"}, "measure.bad_code"),
        ({"code": ""}, "measure.bad_code"),
    ],
)
def test_bad_measure_input_is_refused__MEA_1(change: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        measure_from_dict({**MEASURE_IN, **change})
    assert bad.value.code == code


MEMO_IN: dict[str, Any] = {
    "code": "mou-x",
    "title": "合作备忘录",
    "effective_from": "2026-03-02",
    "signatories": [2],
    "items": [{"trigger": "blacklist", "field": None, "measure": "ART34-1", "unit_id": 4}],
}


def test_a_memorandum_from_input__MEA_2() -> None:
    d = memorandum_from_dict(MEMO_IN)
    assert d.code == "MOU-X" and d.signatories == (2, 4)  # the implementing unit signs too
    assert d.items[0].trigger is Trigger.BLACKLIST and d.items[0].field is None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"effective_from": "2026-13-01"}, "memorandum.bad_date"),
        ({"effective_from": None}, "memorandum.bad_date"),
        ({"effective_until": "2026-03-01"}, "memorandum.bad_date"),
        ({"items": []}, "memorandum.no_items"),
        ({"items": "ART34-1"}, "memorandum.no_items"),
        ({"items": [5]}, "memorandum.bad_input"),
        ({"items": [{**MEMO_IN["items"][0], "trigger": "grey"}]}, "memorandum.bad_trigger"),
        ({"items": [{**MEMO_IN["items"][0], "field": "nowhere"}]}, "memorandum.unknown_field"),
        ({"items": [{**MEMO_IN["items"][0], "unit_id": "4"}]}, "memorandum.bad_input"),
        ({"code": ""}, "memorandum.bad_input"),
        ({"title": ""}, "memorandum.bad_input"),
        ({"signatories": ["2"]}, "memorandum.bad_input"),
    ],
)
def test_bad_memorandum_input_is_refused__MEA_2(change: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        memorandum_from_dict({**MEMO_IN, **change})
    assert bad.value.code == code


@pytest.mark.parametrize("status", sorted(MEMORANDUM.statuses))
@pytest.mark.parametrize("action", sorted(MEMORANDUM.actions))
def test_every_memorandum_status_and_action__MEA_2(status: str, action: str) -> None:
    """Only the table's moves; a superseded or ended memorandum never comes back."""
    if (status, action) in MEMORANDUM.moves:
        assert MEMORANDUM.next(status, action) == MEMORANDUM.moves[(status, action)]
    else:
        with pytest.raises(Conflict) as bad:
            MEMORANDUM.next(status, action)
        assert bad.value.code == "memorandum.illegal_transition"
    assert not any(s in ("superseded", "ended") for s, _ in MEMORANDUM.moves)


def test_a_withdrawn_measure_stays_withdrawn__MEA_1() -> None:
    assert MEASURE.next("active", "withdraw") == "withdrawn"
    with pytest.raises(Conflict) as bad:
        MEASURE.next("withdrawn", "withdraw")
    assert bad.value.code == "measure.illegal_transition"
