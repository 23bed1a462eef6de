"""Working days on the Chinese official calendar (法定节假日 and 调休 make-up workdays).

The chinese-calendar package carries each year the State Council announces; administrators
can override single days in the database (``WorkdayOverride``), for example to enter next
year's holidays before the package knows them. For a year the package does not know and no
override covers, we fall back to "Monday to Friday" and log a warning, once per year.
"""

import logging
from datetime import date, timedelta

import chinese_calendar

logger = logging.getLogger("gongzhi.workdays")
_warned_years: set[int] = set()


def official_year_known(year: int) -> bool:
    """Whether the chinese-calendar package has the official holidays of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _official_is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "工作日历缺少 %s 年的法定节假日数据，暂按周一至周五计算 / "
                "no official holiday data for %s: counting Monday–Friday as working days",
                day.year,
                day.year,
            )
        return day.weekday() < 5


def _overrides(start: date, end: date) -> dict[date, bool]:
    from gongzhi.core.models import WorkdayOverride

    rows = WorkdayOverride.objects.filter(day__gte=start, day__lte=end)
    return dict(rows.values_list("day", "is_workday"))


def is_workday(day: date) -> bool:
    """True if ``day`` is a working day: overrides first, then the official calendar."""
    return _day_is_workday(day, _overrides(day, day))


def _day_is_workday(day: date, overrides: dict[date, bool]) -> bool:
    workday = overrides.get(day)
    return _official_is_workday(day) if workday is None else workday


def add_workdays(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (before it for negative ``n``; ``day`` for 0)."""
    if n == 0:
        return day
    step = timedelta(days=1 if n > 0 else -1)
    remaining, current = abs(n), day
    # Overrides are read a window at a time: one query for any ordinary deadline.
    window = abs(n) * 2 + 30
    while True:
        lo, hi = sorted((current + step, current + step * window))
        overrides = _overrides(lo, hi)
        for _ in range(window):
            current += step
            if _day_is_workday(current, overrides):
                remaining -= 1
                if remaining == 0:
                    return current


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]: how many working days ``end`` lies after ``start``."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(_day_is_workday(d, overrides) for d in days)
