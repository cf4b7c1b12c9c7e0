"""The ListEntry lifecycle and designation standards as pure rules (LST-2..5, RST-3..4,
STD-1, STD-2, LST-8), table-driven over every status and action."""

from __future__ import annotations

from datetime import date
from itertools import product
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditreg.demo.catalogs import STANDARDS
from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.lists.entries import (
    Action,
    EntryStatus,
    RemovalReason,
    Validity,
    check_removal,
    in_force,
    transition,
)
from creditreg.domain.lists.standards import ListType, draft_from_dict

S, A, L = EntryStatus, Action, ListType
LIVE = [S.PRELIMINARY, S.NOTIFIED, S.ANNOUNCED, S.OBJECTED, S.DESIGNATED]

# The procedures as the Opinions and Regulations describe them, written out by hand.
LEGAL: dict[ListType, dict[tuple[EntryStatus, Action], EntryStatus | None]] = {
    L.BLACKLIST: {
        (S.PRELIMINARY, A.NOTIFY): S.NOTIFIED,
        (S.NOTIFIED, A.OBJECT): S.OBJECTED,
        (S.DESIGNATED, A.OBJECT): S.OBJECTED,
        (S.OBJECTED, A.DISMISS_OBJECTION): None,  # back to where it was
        (S.NOTIFIED, A.DESIGNATE): S.DESIGNATED,
        **{(s, A.REMOVE): S.REMOVED for s in LIVE},
        **{(s, A.DELETE_ERROR): S.DELETED for s in LIVE},
    },
    L.RED_LIST: {
        (S.PRELIMINARY, A.ANNOUNCE): S.ANNOUNCED,
        (S.ANNOUNCED, A.OBJECT): S.OBJECTED,
        (S.DESIGNATED, A.OBJECT): S.OBJECTED,
        (S.OBJECTED, A.DISMISS_OBJECTION): None,
        (S.ANNOUNCED, A.DESIGNATE): S.DESIGNATED,
        **{(s, A.REMOVE): S.REMOVED for s in LIVE},
        **{(s, A.DELETE_ERROR): S.DELETED for s in LIVE},
    },
    L.KEY_SCRUTINY: {
        (S.PRELIMINARY, A.DESIGNATE): S.DESIGNATED,
        (S.DESIGNATED, A.OBJECT): S.OBJECTED,
        (S.OBJECTED, A.DISMISS_OBJECTION): None,
        **{(s, A.REMOVE): S.REMOVED for s in LIVE},
        **{(s, A.DELETE_ERROR): S.DELETED for s in LIVE},
    },
    L.BIG_DATA_WARNING: {(S.DESIGNATED, A.REMOVE): S.REMOVED},
}

PAIRS = [(lt, s, a) for lt, s, a in product(ListType, EntryStatus, Action)]


@pytest.mark.parametrize(("list_type", "status", "action"), PAIRS)
def test_every_status_and_action_pair__LST_2_LST_3_LST_4_LST_5(
    list_type: ListType, status: EntryStatus, action: Action
) -> None:
    legal = LEGAL[list_type]
    if (status, action) not in legal:
        with pytest.raises(Conflict) as exc:
            transition(list_type, status, action, S.NOTIFIED)
        assert exc.value.code == "entry.illegal_transition"
        assert exc.value.details == {
            "list_type": list_type.value,
            "status": status.value,
            "action": action.value,
        }
        return
    expected = legal[(status, action)]
    resumed_from = S.ANNOUNCED if list_type is L.RED_LIST else S.NOTIFIED
    got = transition(list_type, status, action, resumed_from)
    assert got == (expected or resumed_from)


@given(st.lists(st.sampled_from(list(Action)), max_size=12), st.sampled_from(list(ListType)[:3]))
def test_no_sequence_designates_without_notice_or_announcement__LST_2_LST_3(
    actions: list[Action], list_type: ListType
) -> None:
    status, previous, seen = S.PRELIMINARY, None, set()
    for action in actions:
        try:
            after = transition(list_type, status, action, previous)
        except Conflict:
            continue
        seen.add(action)
        if after is S.OBJECTED:
            previous = status
        if after is S.DESIGNATED:
            if list_type is L.BLACKLIST:
                assert A.NOTIFY in seen
            if list_type is L.RED_LIST:
                assert A.ANNOUNCE in seen
        if after in (S.REMOVED, S.DELETED):
            break
        status = after


@pytest.mark.parametrize(
    ("list_type", "reason", "allowed"),
    [
        (L.BLACKLIST, RemovalReason.RESTORATION, True),
        (L.BLACKLIST, RemovalReason.EXPIRY, True),
        (L.BLACKLIST, RemovalReason.STANDARD_CHANGED, True),
        (L.BLACKLIST, RemovalReason.UNFIT_CONDUCT, False),
        (L.RED_LIST, RemovalReason.BLACKLISTED, True),
        (L.RED_LIST, RemovalReason.KEY_SCRUTINY, True),
        (L.RED_LIST, RemovalReason.UNFIT_CONDUCT, True),
        (L.RED_LIST, RemovalReason.RESTORATION, False),
        (L.BIG_DATA_WARNING, RemovalReason.BELOW_THRESHOLD, True),
        (L.BIG_DATA_WARNING, RemovalReason.EXPIRY, False),
    ],
)
def test_removal_reasons_per_list__RST_3_RST_4(
    list_type: ListType, reason: RemovalReason, allowed: bool
) -> None:
    if allowed:
        check_removal(list_type, reason)
    else:
        with pytest.raises(InvalidInput) as exc:
            check_removal(list_type, reason)
        assert exc.value.code == "entry.bad_removal_reason"


def test_error_is_a_deletion_not_a_removal__RST_3_RST_5() -> None:
    with pytest.raises(InvalidInput) as exc:
        check_removal(L.BLACKLIST, RemovalReason.ERROR)
    assert exc.value.code == "entry.error_is_deletion"


def test_validity_and_as_of__LST_8_DIS_4_LST_7() -> None:
    assert Validity(date(2026, 3, 16), 36).until == date(2029, 3, 15)
    assert Validity(date(2024, 2, 29), 12).until == date(2025, 2, 27)
    on = date(2026, 6, 1)
    assert in_force(date(2026, 3, 16), date(2029, 3, 15), None, on)
    assert not in_force(date(2026, 6, 2), None, None, on)
    assert not in_force(date(2026, 3, 16), date(2026, 5, 31), None, on)
    assert not in_force(date(2026, 3, 16), None, date(2026, 6, 1), on)
    assert in_force(date(2026, 3, 16), None, date(2026, 6, 2), on)


BLACK = STANDARDS[0]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"field": "astrology"}, "standard.unknown_field"),
        ({"list_type": "big_data_warning"}, "standard.bad_list_type"),
        ({"procedure": " "}, "standard.missing_element"),
        ({"validity_months": 0}, "standard.bad_validity"),
        ({"window_days": 2}, "standard.bad_window"),
        ({"scrutiny_months": 0}, "standard.bad_scrutiny"),
        ({"scope": "local"}, "standard.local_needs_approval"),
        ({"region": "410000"}, "standard.national_has_no_region"),
        ({"rule": {"character": "trustworthy"}}, "standard.bad_rule"),
        ({"rule": {"min_count": 0}}, "standard.bad_rule"),
        ({"rule": {"clean_months": 12}}, "standard.bad_rule"),
        ({"rule": {"serious_classes": ["art33_99"]}}, "standard.bad_rule"),
        ({"rule": {"colour": "red"}}, "standard.bad_rule"),
        ({"restoration": {"restorable": True, "method": ""}}, "standard.bad_restoration"),
        ({"validity_months": "many"}, "standard.bad_number"),
    ],
)
def test_a_standard_that_cannot_run_is_refused__STD_1_STD_2(
    change: dict[str, Any], code: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        draft_from_dict({**BLACK, **change})
    assert exc.value.code == code


def test_a_local_standard_records_its_approval_and_rules_describe_themselves__STD_1_STD_2() -> None:
    local = draft_from_dict(
        {**BLACK, "scope": "local", "region": "410000", "approval": "豫政函〔2026〕1号"}
    )
    assert local.approval == "豫政函〔2026〕1号"
    text = local.rule.describe()
    assert "at least 1 verified untrustworthy record(s)" in text and "36 months" in text
    red = draft_from_dict(STANDARDS[1])
    assert red.rule.character.value == "trustworthy" and red.rule.clean_months == 36
