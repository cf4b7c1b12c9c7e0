"""Stored calendar days, loaded schedules and recomputed deadlines (CAL-2, CAL-3)."""

from __future__ import annotations

from datetime import date

import pytest

from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.errors import Forbidden, InvalidInput
from creditreg.domain.kernel.calendar import DaySource, Span
from creditreg.domain.kernel.deadlines import rule_by_code
from creditreg.services.context import Context
from creditreg.services.kernel import calendar
from tests.integration.subjects.test_subjects import count_audit, reader
from tests.schedules import SCHEDULE_2027, SCHEDULE_2027_LINES


def register(
    ctx: Context, start: date, rule: str = "verification", pauses: tuple[Span, ...] = ()
) -> dict[str, object]:
    with ctx.db.write() as conn:
        cal = calendar.load(conn)
        return calendar.register_deadline(
            conn, ctx, cal, "record", "r1", rule_by_code(rule), start, pauses
        )


def test_deadline_is_stored_with_its_rule__CAL_3(ctx: Context) -> None:
    created = register(ctx, date(2024, 2, 8), pauses=(Span(date(2024, 2, 19), date(2024, 2, 19)),))
    [stored] = calendar.deadlines_for(ctx, "record", "r1")
    assert stored["id"] == created["id"]
    assert stored["rule_code"] == "verification" and stored["basis"] == "Art 17"
    assert stored["working_days"] == 5 and stored["start_event"] == "receipt"
    assert stored["pauses"] == [{"start": "2024-02-19", "end": "2024-02-19", "reason": ""}]
    assert stored["due_date"] == date(2024, 2, 22)
    assert "Art 17" in str(stored["explanation"])
    assert stored["provisional"] is False


def test_loading_the_official_schedule_recomputes_provisional_deadlines__CAL_2_CAL_3(
    ctx: Context,
) -> None:
    register(ctx, date(2026, 12, 31))  # 5 working days into provisional 2027
    [before] = calendar.deadlines_for(ctx, "record", "r1")
    assert before["provisional"] is True
    assert before["due_date"] == date(2027, 1, 8)  # provisional: only 1 Jan is off
    result = calendar.load_schedule(ctx, SYSTEM, SCHEDULE_2027)
    assert (result.year, result.days, result.recomputed, result.still_provisional) == (
        2027,
        len(SCHEDULE_2027_LINES),
        1,
        0,
    )
    [after] = calendar.deadlines_for(ctx, "record", "r1")
    assert after["provisional"] is False
    # 4 Jan is now a holiday and Saturday 9 Jan a working day: the fifth one.
    assert after["due_date"] == date(2027, 1, 9)
    assert calendar.day(ctx, date(2027, 1, 9)).working
    assert calendar.day(ctx, date(2027, 1, 9)).source is DaySource.SCHEDULE
    assert not calendar.count(ctx, date(2026, 12, 31), 5).provisional


def test_correcting_a_day_recomputes_deadlines_that_span_it__CAL_2(ctx: Context) -> None:
    register(ctx, date(2026, 3, 2))
    assert calendar.deadlines_for(ctx, "record", "r1")[0]["due_date"] == date(2026, 3, 9)
    audited = count_audit(ctx)
    day, touched = calendar.set_day(ctx, SYSTEM, date(2026, 3, 4), False, "flood closure")
    assert not day.working and day.source is DaySource.OVERRIDE and touched == 1
    assert calendar.deadlines_for(ctx, "record", "r1")[0]["due_date"] == date(2026, 3, 10)
    assert count_audit(ctx) == audited + 1
    # A day outside the span changes nothing.
    assert calendar.set_day(ctx, SYSTEM, date(2026, 4, 1), False)[1] == 0


def test_bad_schedule_or_unauthorised_editor_changes_nothing__CAL_2(ctx: Context) -> None:
    audited = count_audit(ctx)
    with pytest.raises(InvalidInput):
        calendar.load_schedule(ctx, SYSTEM, "2027-01-01,holiday\n2027-02-30,holiday")
    with pytest.raises(Forbidden):
        calendar.set_day(ctx, reader(False), date(2026, 3, 4), False)
    assert calendar.day(ctx, date(2026, 3, 4)).working
    assert calendar.day(ctx, date(2027, 1, 1)).source is DaySource.PROVISIONAL
    assert count_audit(ctx) == audited
