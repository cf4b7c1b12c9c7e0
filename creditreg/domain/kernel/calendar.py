"""Working-day calendar (CAL-1, CAL-2).

Which days are working days, in this order of precedence:
1. an operator's correction of that day, or the day as listed in an official schedule the
   operator loaded from a file (stored in the database, passed in as `overrides`);
2. a year whose official schedule the operator loaded: any day the schedule does not list
   is a working day from Monday to Friday;
3. the official calendar shipped in the `chinesecalendar` package (holidays on weekdays
   and make-up working weekends);
4. otherwise the year is *provisional*: weekends plus the statutory holidays of the
   `holidays` package. Such days are marked provisional and so is every count that
   touches them, so nothing is ever silently guessed.

The day of the starting event is never counted (CAL-1): "within N working days of
receipt" ends at the end of the N-th working day after the day of receipt.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import chinese_calendar
import holidays

from creditreg.domain.errors import InvalidInput

# The furthest a count may run: no deadline of the Regulations comes near ten years.
MAX_WORKING_DAYS = 2500
# How far a count may run, pauses included: 2,500 working days are about ten years; a
# pause to the year 9999 walked three million days (seconds of CPU for one request).
MAX_SPAN_DAYS = 50 * 366


def _too_far(start: date, current: date) -> InvalidInput:
    return InvalidInput(
        "calendar.out_of_range",
        f"the count runs more than 50 years past {start.isoformat()} (its pauses are too long)",
    )


class DaySource(StrEnum):
    """Where the platform learnt whether a day is a working day."""

    OVERRIDE = "override"  # an operator's correction of one day
    SCHEDULE = "schedule"  # an official schedule the operator loaded from a file
    OFFICIAL = "official"  # the official calendar shipped in the chinesecalendar package
    PROVISIONAL = "provisional"  # no official schedule yet: weekends + statutory holidays


@dataclass(frozen=True, slots=True)
class DayOverride:
    """A day as an operator set it, or as an official schedule file lists it."""

    day: date
    working: bool
    source: DaySource = DaySource.OVERRIDE
    note: str = ""

    def __post_init__(self) -> None:
        if self.source not in (DaySource.OVERRIDE, DaySource.SCHEDULE):
            raise ValueError("an override comes from an operator or a loaded schedule")


@dataclass(frozen=True, slots=True)
class Day:
    """One calendar day and why it is (not) a working day."""

    day: date
    working: bool
    source: DaySource
    note: str = ""

    @property
    def provisional(self) -> bool:
        return self.source is DaySource.PROVISIONAL

    @property
    def makeup(self) -> bool:
        """A weekend day made a working day (调休上班)."""
        return self.working and self.day.weekday() >= 5

    @property
    def holiday(self) -> bool:
        """A weekday that is not a working day."""
        return not self.working and self.day.weekday() < 5


@dataclass(frozen=True, slots=True)
class Span:
    """Days that do not count towards a deadline (inspection, testing, expert review: Art 41)."""

    start: date
    end: date
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(
                "calendar.bad_span", f"a pause cannot end ({self.end}) before it starts"
            )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Count:
    """The result of counting working days, with everything needed to explain it."""

    start: date
    working_days: int
    due: date
    counted: tuple[Day, ...]
    skipped: tuple[Day, ...]  # rest days passed over
    paused: tuple[date, ...]  # working days that did not count because of a pause
    provisional_days: tuple[date, ...] = field(default=())

    @property
    def provisional(self) -> bool:
        """True when any day the count passed over or counted has no official schedule yet."""
        return bool(self.provisional_days)

    def explain(self) -> str:
        """One paragraph saying how the due date was reached."""
        parts = [
            f"due {self.due.isoformat()}: {self.working_days} working day(s) after "
            f"{self.start.isoformat()} (the starting day is not counted)"
        ]
        holidays_skipped = [d for d in self.skipped if d.holiday]
        if holidays_skipped:
            names = sorted({d.note for d in holidays_skipped if d.note})
            parts.append(
                f"skipped {len(holidays_skipped)} holiday weekday(s)"
                + (f" ({', '.join(names)})" if names else "")
            )
        weekend = [d for d in self.skipped if not d.holiday]
        if weekend:
            parts.append(f"skipped {len(weekend)} weekend day(s)")
        makeup = [d.day.isoformat() for d in self.counted if d.makeup]
        if makeup:
            parts.append(f"counted make-up working day(s) {', '.join(makeup)}")
        if self.paused:
            parts.append(f"paused {len(self.paused)} working day(s)")
        if self.provisional:
            years = sorted({d.year for d in self.provisional_days})
            parts.append(
                "provisional: no official schedule yet for "
                + ", ".join(str(y) for y in years)
                + " (weekends and statutory holidays assumed)"
            )
        return "; ".join(parts)

    def explain_zh(self) -> str:
        """The same paragraph in Chinese, for what is written to subjects (notices)."""
        start, due = self.start.isoformat(), self.due.isoformat()
        parts = [f"截止日期为{due}：{start}后第{self.working_days}个工作日（起算当日不计）"]
        holidays_skipped = [d for d in self.skipped if d.holiday]
        if holidays_skipped:
            names = sorted({n for d in holidays_skipped if (n := _holiday_zh(d))})
            parts.append(
                f"跳过节假日{len(holidays_skipped)}天"
                + (f"（{'、'.join(names)}）" if names else "")
            )
        weekend = [d for d in self.skipped if not d.holiday]
        if weekend:
            parts.append(f"跳过周末{len(weekend)}天")
        makeup = [d.day.isoformat() for d in self.counted if d.makeup]
        if makeup:
            parts.append(f"计入调休工作日{'、'.join(makeup)}")
        if self.paused:
            parts.append(f"暂停计算{len(self.paused)}个工作日")
        if self.provisional:
            years = "、".join(str(y) for y in sorted({d.year for d in self.provisional_days}))
            parts.append(f"暂定：{years}年尚无官方节假日安排（按周末和法定节假日推定）")
        return "；".join(parts)


@lru_cache(maxsize=64)
def _provisional_holidays(year: int) -> dict[date, str]:
    return {d: str(name) for d, name in holidays.country_holidays("CN", years=year).items()}


# The shipped schedule names holidays in English; what is written in Chinese names them so.
_HOLIDAY_ZH = {h.value: h.chinese for h in chinese_calendar.Holiday}


@lru_cache(maxsize=64)
def _provisional_holidays_zh(year: int) -> dict[date, str]:
    found = holidays.country_holidays("CN", years=year, language="zh_CN")
    return {d: str(name) for d, name in found.items()}


def _holiday_zh(day: Day) -> str | None:
    """A holiday's Chinese name: an operator's own note if Chinese, else the schedule's."""
    if any("\u4e00" <= c <= "\u9fff" for c in day.note):
        return day.note
    if day.source is DaySource.PROVISIONAL:
        return _provisional_holidays_zh(day.day.year).get(day.day)
    return _HOLIDAY_ZH.get(day.note)


def official_years() -> range:
    """The years the shipped official calendar covers."""
    years = sorted({d.year for d in chinese_calendar.constants.holidays})
    return range(years[0], years[-1] + 1)


_OFFICIAL_YEARS = official_years()


def _official_day(day: date) -> Day:
    holiday_names = chinese_calendar.constants.holidays
    workday_names = chinese_calendar.constants.workdays
    if day in workday_names and day.weekday() >= 5:
        return Day(day, True, DaySource.OFFICIAL, _holiday_label(workday_names[day]))
    if day in holiday_names:
        return Day(day, False, DaySource.OFFICIAL, _holiday_label(holiday_names[day]))
    return Day(day, day.weekday() < 5, DaySource.OFFICIAL)


def _holiday_label(value: object) -> str:
    # chinesecalendar stores holiday names as an enum whose value is "English,中文,days".
    raw = getattr(value, "value", value)
    return str(raw).split(",")[0] if raw else ""


class WorkingCalendar:
    """Working-day arithmetic over the official calendar plus operator overrides."""

    def __init__(
        self,
        overrides: Mapping[date, DayOverride] | Iterable[DayOverride] = (),
        schedule_years: Collection[int] = (),
    ) -> None:
        if isinstance(overrides, Mapping):
            self._overrides = dict(overrides)
        else:
            self._overrides = {o.day: o for o in overrides}
        self._schedule_years = frozenset(schedule_years)
        self._cache: dict[date, Day] = {}

    def day(self, day: date) -> Day:
        """The day with whether it is a working day and where that came from."""
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        result = self._resolve(day)
        self._cache[day] = result
        return result

    def _resolve(self, day: date) -> Day:
        override = self._overrides.get(day)
        if override is not None:
            return Day(day, override.working, override.source, override.note)
        if day.year in self._schedule_years:
            return Day(day, day.weekday() < 5, DaySource.SCHEDULE)
        if day.year in _OFFICIAL_YEARS:
            return _official_day(day)
        name = _provisional_holidays(day.year).get(day)
        if name is not None:
            return Day(day, False, DaySource.PROVISIONAL, name)
        return Day(day, day.weekday() < 5, DaySource.PROVISIONAL)

    def is_working_day(self, day: date) -> bool:
        """True when `day` is a working day."""
        return self.day(day).working

    def is_provisional_year(self, year: int) -> bool:
        """True when no official schedule is known for `year`."""
        return year not in self._schedule_years and year not in _OFFICIAL_YEARS

    def add_working_days(self, start: date, n: int, pauses: Iterable[Span] = ()) -> Count:
        """The end of the n-th working day after `start`, not counting `start` (CAL-1)."""
        if n < 0 or n > MAX_WORKING_DAYS:
            raise InvalidInput(
                "calendar.bad_count", f"the number of working days must be 0..{MAX_WORKING_DAYS}"
            )
        spans = tuple(pauses)
        counted: list[Day] = []
        skipped: list[Day] = []
        paused: list[date] = []
        provisional: list[date] = []
        current = start
        while len(counted) < n:
            current = _next_day(current)
            if (current - start).days > MAX_SPAN_DAYS:
                raise _too_far(start, current)
            info = self.day(current)
            if info.provisional:
                provisional.append(current)
            if not info.working:
                skipped.append(info)
            elif any(current in s for s in spans):
                paused.append(current)
            else:
                counted.append(info)
        return Count(
            start, n, current, tuple(counted), tuple(skipped), tuple(paused), tuple(provisional)
        )

    def working_days_between(self, start: date, end: date, pauses: Iterable[Span] = ()) -> int:
        """Working days after `start` up to and including `end`, less paused ones.

        Negative when `end` is before `start`, so that lateness can be measured too.
        """
        if end < start:
            return -self.working_days_between(end, start, pauses)
        spans = tuple(pauses)
        total = 0
        current = start
        if (end - start).days > MAX_SPAN_DAYS:
            raise _too_far(start, end)
        while current < end:
            current = _next_day(current)
            if self.day(current).working and not any(current in s for s in spans):
                total += 1
        return total


def _next_day(day: date) -> date:
    try:
        return day + timedelta(days=1)
    except OverflowError:
        raise InvalidInput("calendar.out_of_range", "the count runs past the year 9999") from None


def parse_schedule(text: str) -> tuple[int, list[DayOverride]]:
    """Parse an official schedule file for one year.

    One line a day: `YYYY-MM-DD,holiday,Name` or `YYYY-MM-DD,workday,Name` (a make-up
    working day); blank lines and lines starting with # are ignored. Every day must be in
    the same year; a mistake names its line.
    """
    days: dict[date, DayOverride] = {}
    year: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 2:
            raise InvalidInput(
                "calendar.bad_schedule", f"line {number}: expected 'date,holiday|workday[,name]'"
            )
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            raise InvalidInput(
                "calendar.bad_schedule", f"line {number}: {cells[0]!r} is not a date (YYYY-MM-DD)"
            ) from None
        kind = cells[1].lower()
        if kind not in ("holiday", "workday"):
            raise InvalidInput(
                "calendar.bad_schedule", f"line {number}: {cells[1]!r} is not holiday or workday"
            )
        if year is None:
            year = day.year
        elif day.year != year:
            raise InvalidInput(
                "calendar.bad_schedule", f"line {number}: {day} is not in {year}; one year a file"
            )
        if day in days:
            raise InvalidInput("calendar.bad_schedule", f"line {number}: {day} is listed twice")
        note = cells[2] if len(cells) > 2 else ""
        days[day] = DayOverride(day, kind == "workday", DaySource.SCHEDULE, note)
    if year is None:
        raise InvalidInput("calendar.bad_schedule", "the schedule lists no days")
    # The file replaces its whole year: a statutory holiday it leaves out would become a
    # working day, and every deadline across it shorter (CAL-2: never a silent guess).
    missing = [
        d
        for d in statutory_holidays(year)
        if not (d in days and not days[d].working) and not (d.weekday() >= 5 and d not in days)
    ]
    if missing:
        listed = ", ".join(d.isoformat() for d in missing)
        raise InvalidInput(
            "calendar.schedule_incomplete",
            f"the schedule for {year} would make statutory holidays working days: {listed}; "
            "an official schedule lists every holiday of its year",
            missing=[d.isoformat() for d in missing],
        )
    return year, list(days.values())


def statutory_holidays(year: int) -> list[date]:
    """The days the State Council's holiday rules give every year (New Year, the Spring
    Festival, Qingming, Labour Day, the Dragon Boat and Mid-Autumn festivals, National
    Day), as the `holidays` package counts them; not the bridging days a schedule adds."""
    found = holidays.country_holidays("CN", years=year)
    return sorted(
        d
        for d, name in found.items()
        if not any(word in str(name).lower() for word in ("observed", "substituted", "day off"))
    )
