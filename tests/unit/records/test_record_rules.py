"""Classification and disclosure rules (ING-4, ING-5, STD-4, DIS-2)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditreg.domain.errors import InvalidInput
from creditreg.domain.records.catalog import Character
from creditreg.domain.records.classification import (
    DisclosurePolicy,
    ReviewPeriods,
    SeriousClass,
    Severity,
    UntrustworthyClass,
    add_months,
    discipline_block,
    display_until,
)

D = date.fromisoformat
R, N = DisclosurePolicy.REGULATIONS, DisclosurePolicy.NATIONAL


def test_art_20_and_art_33_have_their_classes__ING_5_STD_4() -> None:
    assert len(UntrustworthyClass) == 6 and UntrustworthyClass.FINAL_PUNISHMENT == "art20_2"
    assert len(SeriousClass) == 10 and SeriousClass.JUDGMENT_DEFAULTER == "art33_5"


def test_punishment_counts_once_the_review_periods_passed__ING_5() -> None:
    assert ReviewPeriods().final_on(D("2026-02-27")) == D("2026-08-27")  # 6 months > 60 days
    assert ReviewPeriods(90, 2).final_on(D("2026-01-01")) == D("2026-04-01")
    assert add_months(D("2026-08-31"), 6) == D("2027-02-28")


@given(st.dates(), st.integers(-200_000, 200_000))
def test_months_beyond_the_calendar_are_an_input_error_never_an_assertion(
    day: date, months: int
) -> None:
    """Issue 9, defect 10: an AssertionError ("unreachable") when the year left 1-9999."""
    try:
        later = add_months(day, months)
    except InvalidInput as exc:
        assert exc.code == "calendar.out_of_range"
    else:
        assert (
            later.day <= day.day
            and (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
        )
    with pytest.raises(InvalidInput, match="runs past"):
        ReviewPeriods(60, 6).final_on(D("9999-11-01"))


@pytest.mark.parametrize(
    ("person", "simplified", "corrected", "arrears", "verified", "article"),
    [
        (True, True, False, False, False, "Art 13"),
        (True, False, True, False, False, "Art 13"),
        (False, True, True, False, False, None),  # Art 13 protects natural persons
        (False, False, False, True, False, "Art 27"),
        (True, False, False, True, True, None),
        (True, False, False, False, False, None),
    ],
)
def test_records_that_may_never_ground_discipline__ING_4(
    person: bool,
    simplified: bool,
    corrected: bool,
    arrears: bool,
    verified: bool,
    article: str | None,
) -> None:
    reason = discipline_block(
        natural_person=person,
        simplified_procedure=simplified,
        corrected_minor=corrected,
        fee_arrears=arrears,
        arrears_verified=verified,
    )
    assert (reason is None) == (article is None)
    if article:
        assert reason is not None and reason.startswith(article)


def test_regulations_policy__DIS_2() -> None:
    decision = D("2026-02-27")
    assert display_until(R, Character.TRUSTWORTHY, decision, Severity.GENERAL) is None
    assert display_until(R, Character.NEUTRAL, decision, Severity.GENERAL) is None
    assert display_until(R, Character.UNTRUSTWORTHY, decision, Severity.SERIOUS) == D("2031-02-27")
    # A provider's shorter period is kept; a longer one is cut to 5 years (Art 19).
    assert display_until(
        R, Character.UNTRUSTWORTHY, decision, Severity.GENERAL, D("2027-02-27")
    ) == D("2027-02-27")
    assert display_until(
        R, Character.UNTRUSTWORTHY, decision, Severity.GENERAL, D("2040-01-01")
    ) == D("2031-02-27")
    with pytest.raises(InvalidInput):
        display_until(R, Character.UNTRUSTWORTHY, None, Severity.GENERAL)


@pytest.mark.parametrize(
    ("severity", "requested", "expected"),
    [
        (Severity.MINOR, None, "2026-05-27"),
        (Severity.GENERAL, None, "2027-02-27"),
        (Severity.GENERAL, "2026-03-10", "2026-05-27"),  # at least 3 months
        (Severity.SERIOUS, None, "2029-02-27"),
        (Severity.SERIOUS, "2026-06-01", "2027-02-27"),  # at least 1 year
    ],
)
def test_national_preset__DIS_2(severity: Severity, requested: str | None, expected: str) -> None:
    got = display_until(
        N, Character.UNTRUSTWORTHY, D("2026-02-27"), severity, D(requested) if requested else None
    )
    assert got == D(expected)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.sampled_from(list(Severity)),
    st.sampled_from(list(DisclosurePolicy)),
    st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 1, 1))),
)
def test_display_never_exceeds_five_years__DIS_2(
    decision: date, severity: Severity, policy: DisclosurePolicy, requested: date | None
) -> None:
    until = display_until(policy, Character.UNTRUSTWORTHY, decision, severity, requested)
    assert until is not None and decision <= until <= add_months(decision, 60)
