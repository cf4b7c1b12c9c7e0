"""Working-day arithmetic (CAL-1, CAL-2, CAL-3) across Spring Festival 2024, National Day
2025 and a provisional year."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.calendar import (
    DayOverride,
    DaySource,
    Span,
    WorkingCalendar,
    parse_schedule,
)
from creditreg.domain.kernel.deadlines import RULES, Deadline, rule_by_code
from tests.schedules import SCHEDULE_2027, SCHEDULE_2027_LINES

CAL = WorkingCalendar()
D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        ("2024-02-04", True, "Sunday made a working day before Spring Festival"),
        ("2024-02-09", True, "New Year's Eve 2024 was a working day"),
        ("2024-02-10", False, "Spring Festival"),
        ("2024-02-12", False, "Monday inside the Spring Festival holiday"),
        ("2024-02-17", False, "last day of the holiday (Saturday)"),
        ("2024-02-18", True, "Sunday made a working day after Spring Festival"),
        ("2025-09-28", True, "Sunday made a working day before National Day"),
        ("2025-10-01", False, "National Day"),
        ("2025-10-06", False, "Mid-Autumn, joined to National Day"),
        ("2025-10-08", False, "last day of the holiday (Wednesday)"),
        ("2025-10-11", True, "Saturday made a working day after National Day"),
        ("2025-10-12", False, "an ordinary Sunday"),
    ],
)
def test_official_days__CAL_1(day: str, working: bool, why: str) -> None:
    info = CAL.day(D(day))
    assert info.working is working, why
    assert info.source is DaySource.OFFICIAL
    assert not info.provisional


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Spring Festival 2024: 9 Feb counts, 10-17 Feb skipped, Sunday 18 Feb counts.
        ("2024-02-08", 5, "2024-02-21"),
        ("2024-02-08", 1, "2024-02-09"),
        ("2024-02-09", 1, "2024-02-18"),
        ("2024-02-02", 1, "2024-02-04"),  # Friday -> the make-up Sunday
        # National Day 2025: 1-8 Oct off, Sunday 28 Sep and Saturday 11 Oct worked.
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-29", 3, "2025-10-10"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-10-10", 1, "2025-10-11"),
        # The starting day is not counted, even when it is a holiday.
        ("2025-10-01", 1, "2025-10-09"),
        # Art 17: 5 working days from receipt on an ordinary Monday.
        ("2026-03-02", 5, "2026-03-09"),
        ("2026-03-02", 0, "2026-03-02"),
    ],
)
def test_add_working_days_across_holidays__CAL_1(start: str, n: int, due: str) -> None:
    count = CAL.add_working_days(D(start), n)
    assert count.due == D(due)
    assert not count.provisional
    assert len(count.counted) == n


def test_explanation_names_holidays_and_makeup_days__CAL_1() -> None:
    text = CAL.add_working_days(D("2024-02-08"), 5).explain()
    assert text.startswith("due 2024-02-21: 5 working day(s) after 2024-02-08")
    assert "not counted" in text
    assert "Spring Festival" in text
    assert "2024-02-18" in text


def test_the_chinese_explanation_is_chinese_throughout__CAL_3() -> None:
    """Written notices explain their deadline in Chinese (a trial finding: in English)."""
    text = CAL.add_working_days(D("2024-02-08"), 5).explain_zh()
    assert text.startswith("截止日期为2024-02-21：2024-02-08后第5个工作日（起算当日不计）")
    assert "（春节）" in text and "计入调休工作日2024-02-18" in text
    provisional = CAL.add_working_days(D("2026-12-31"), 1).explain_zh()
    assert "（元旦）" in provisional and "暂定：2027年尚无官方节假日安排" in provisional
    paused = CAL.add_working_days(D("2024-03-01"), 3, [Span(D("2024-03-04"), D("2024-03-05"))])
    assert "暂停计算2个工作日" in paused.explain_zh()
    for said in (text, provisional, paused.explain_zh()):
        assert not re.search("[A-Za-z]", said), said


def test_pauses_do_not_count__CAL_1() -> None:
    # Art 41: time for testing or expert review is excluded.
    count = CAL.add_working_days(D("2024-03-01"), 3, [Span(D("2024-03-04"), D("2024-03-05"))])
    assert count.due == D("2024-03-08")
    assert count.paused == (D("2024-03-04"), D("2024-03-05"))
    assert "paused 2 working day(s)" in count.explain()


def test_provisional_year_is_marked_never_guessed_silently__CAL_2() -> None:
    assert CAL.is_provisional_year(2027)
    count = CAL.add_working_days(D("2026-12-31"), 1)
    # 1 Jan 2027 is a statutory holiday, 2-3 Jan a weekend.
    assert count.due == D("2027-01-04")
    assert count.provisional
    assert "provisional" in count.explain()
    assert CAL.day(D("2027-01-01")).source is DaySource.PROVISIONAL
    # Within the official range, nothing is provisional.
    assert not CAL.add_working_days(D("2026-12-20"), 5).provisional


def test_loaded_schedule_replaces_provisional_days__CAL_2() -> None:
    year, days = parse_schedule("# 2027 official schedule\n" + SCHEDULE_2027)
    assert year == 2027
    cal = WorkingCalendar(days, [2027])
    assert not cal.is_provisional_year(2027)
    count = cal.add_working_days(D("2026-12-31"), 1)
    assert count.due == D("2027-01-05")
    assert not count.provisional
    assert cal.day(D("2027-01-09")).makeup
    assert cal.day(D("2027-03-03")).source is DaySource.SCHEDULE


def test_a_schedule_leaving_a_statutory_holiday_working_is_refused__CAL_2() -> None:
    """The file replaces its year: one that lists New Year only would make every other
    statutory holiday a working day. Refused, naming them; a holiday on a weekend may go
    unlisted, it is a rest day already."""
    with pytest.raises(InvalidInput) as refused:
        parse_schedule("2027-01-01,holiday\n2027-01-04,holiday\n")
    assert refused.value.code == "calendar.schedule_incomplete"
    assert "2027-02-08" in refused.value.details["missing"]
    assert "2027-02-06" not in refused.value.details["missing"]  # a Saturday
    without_weekend = [line for line in SCHEDULE_2027_LINES if not line.startswith("2027-02-06")]
    assert parse_schedule("\n".join(without_weekend))[0] == 2027


def test_operator_override_beats_the_official_calendar__CAL_2() -> None:
    cal = WorkingCalendar([DayOverride(D("2026-03-03"), False, note="local closure")])
    assert not cal.is_working_day(D("2026-03-03"))
    assert cal.day(D("2026-03-03")).source is DaySource.OVERRIDE
    assert cal.add_working_days(D("2026-03-02"), 1).due == D("2026-03-04")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "no days"),
        ("2027-13-01,holiday", "line 1"),
        ("2027-01-01,party", "not holiday or workday"),
        ("2027-01-01,holiday\n2028-01-01,holiday", "one year a file"),
        ("2027-01-01,holiday\n2027-01-01,workday", "listed twice"),
        ("2027-01-01", "expected"),
    ],
)
def test_bad_schedule_file_names_its_line__CAL_2(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_schedule(text)
    assert err.value.code == "calendar.bad_schedule"
    assert fragment in err.value.message


def test_bad_counts_are_refused__CAL_1() -> None:
    with pytest.raises(InvalidInput) as err:
        CAL.add_working_days(D("2026-03-02"), -1)
    assert err.value.code == "calendar.bad_count"
    with pytest.raises(InvalidInput) as err:
        CAL.add_working_days(D("9999-12-30"), 5)
    assert err.value.code == "calendar.out_of_range"
    with pytest.raises(InvalidInput):
        Span(D("2026-03-05"), D("2026-03-04"))


@settings(max_examples=200)
@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 1)), st.integers(0, 40))
def test_counting_and_measuring_agree__CAL_1(start: date, n: int) -> None:
    count = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, count.due) == n
    assert CAL.working_days_between(count.due, start) == -n
    if n:
        assert count.due > start
        assert CAL.is_working_day(count.due)
        # The due date is the first day on which n working days have passed.
        assert CAL.working_days_between(start, count.due - timedelta(days=1)) == n - 1


@settings(max_examples=100)
@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 1)),
    st.integers(1, 20),
    st.integers(0, 10),
    st.integers(0, 10),
)
def test_a_pause_never_brings_a_deadline_forward__CAL_1(
    start: date, n: int, offset: int, length: int
) -> None:
    pause = Span(start + timedelta(days=offset), start + timedelta(days=offset + length))
    plain = CAL.add_working_days(start, n)
    paused = CAL.add_working_days(start, n, [pause])
    assert paused.due >= plain.due
    assert CAL.working_days_between(start, paused.due, [pause]) == n


def test_deadline_stores_its_rule_and_explains_itself__CAL_3() -> None:
    objection = Deadline(rule_by_code("objection_provider"), D("2024-02-08"))
    assert objection.compute(CAL).due == D("2024-02-23")
    text = objection.explain(CAL)
    assert "Art 41" in text and "7 working day(s)" in text and "receipt" in text
    assert RULES["verification"].working_days == 5
    assert RULES["verification"].basis == "Art 17"
    with pytest.raises(InvalidInput) as err:
        rule_by_code("nonsense")
    assert err.value.code == "deadline.unknown_rule"
