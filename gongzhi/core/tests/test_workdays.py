"""Working days on the official calendar, overrides, and the fallback for unknown years."""

import logging
from datetime import date, timedelta
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone as django_timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.cli import main
from gongzhi.core import workdays
from gongzhi.core.actions import set_workday_override
from gongzhi.core.workdays import (
    add_workdays,
    is_workday,
    official_year_known,
    workdays_between,
)

D = date
ONE = timedelta(days=1)
# The years the installed package carries; the first year after them is "unknown".
PACKAGE_YEARS = {day.year for day in chinese_calendar.holidays}
UNKNOWN_YEAR = max(PACKAGE_YEARS) + 1

# 2026 as the State Council announced it, checked against the installed package.
REST_2026 = [
    D(2026, 1, 1), D(2026, 1, 2),  # 元旦
    *(D(2026, 2, 15) + ONE * i for i in range(9)),  # 春节 Feb 15–23
    D(2026, 4, 6),  # 清明 (Sat 4th–Mon 6th)
    D(2026, 5, 1), D(2026, 5, 4), D(2026, 5, 5),  # 劳动节
    D(2026, 6, 19),  # 端午
    D(2026, 9, 25),  # 中秋
    *(D(2026, 10, 1) + ONE * i for i in range(7)),  # 国庆 Oct 1–7
]
MAKE_UP_WORKDAYS_2026 = [  # 调休: weekend days that are working days
    D(2026, 1, 4),  # Sun, for New Year
    D(2026, 2, 14), D(2026, 2, 28),  # Sat, Sat, for the Spring Festival
    D(2026, 5, 9),  # Sat, for Labour Day
    D(2026, 9, 20), D(2026, 10, 10),  # Sun, Sat, for National Day
]


def step_by_step(start: date, n: int, workday=chinese_calendar.is_workday) -> date:
    """The slow, obvious way: walk one day at a time and count working days."""
    step = ONE if n > 0 else -ONE
    day, left = start, abs(n)
    while left:
        day += step
        left -= workday(day)
    return day


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(workdays, "_warned_years", set())


# --- the official calendar ------------------------------------------------------------


def test_2026_is_known_and_the_first_unknown_year_is_not():
    assert official_year_known(2026)
    assert official_year_known(2025)
    assert not official_year_known(UNKNOWN_YEAR)


@pytest.mark.django_db
def test_2026_holidays_and_make_up_days_match_the_announcement_and_the_package():
    for day in REST_2026:
        assert not is_workday(day), day
        assert not chinese_calendar.is_workday(day), day
    for day in MAKE_UP_WORKDAYS_2026:
        assert day.weekday() >= 5, day
        assert is_workday(day), day
        assert chinese_calendar.is_workday(day), day
    # Every other day of 2026 is an ordinary Monday–Friday working day or weekend.
    special = set(REST_2026) | set(MAKE_UP_WORKDAYS_2026)
    day = D(2026, 1, 1)
    while day.year == 2026:
        if day not in special:
            assert chinese_calendar.is_workday(day) == (day.weekday() < 5), day
        day += ONE


@pytest.mark.django_db
def test_workday_calendar_agrees_with_the_package_for_all_of_2026():
    day = D(2026, 1, 1)
    while day.year == 2026:
        assert is_workday(day) == chinese_calendar.is_workday(day), day
        day += ONE


# --- add_workdays ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "n", "expected"), [
    # Spring Festival: Fri 13th, make-up Sat 14th, then rest until Mon 23rd inclusive.
    (D(2026, 2, 13), 1, D(2026, 2, 14)),
    (D(2026, 2, 13), 2, D(2026, 2, 24)),
    (D(2026, 2, 14), 1, D(2026, 2, 24)),
    (D(2026, 2, 16), 1, D(2026, 2, 24)),  # counted from inside the holiday
    # The make-up Saturday after it.
    (D(2026, 2, 27), 1, D(2026, 2, 28)),
    (D(2026, 2, 27), 2, D(2026, 3, 2)),
    # National Day: make-up Sun Sep 20, holiday Oct 1–7, make-up Sat Oct 10.
    (D(2026, 9, 18), 1, D(2026, 9, 20)),
    (D(2026, 9, 30), 1, D(2026, 10, 8)),
    (D(2026, 9, 29), 3, D(2026, 10, 9)),
    (D(2026, 10, 9), 1, D(2026, 10, 10)),
    (D(2026, 10, 9), 2, D(2026, 10, 12)),
    # Backwards.
    (D(2026, 2, 24), -1, D(2026, 2, 14)),
    (D(2026, 2, 24), -2, D(2026, 2, 13)),
    (D(2026, 10, 8), -1, D(2026, 9, 30)),
    (D(2026, 10, 12), -1, D(2026, 10, 10)),
    # Zero is the day itself, even on a holiday.
    (D(2026, 10, 1), 0, D(2026, 10, 1)),
    (D(2026, 3, 4), 0, D(2026, 3, 4)),
])
def test_add_workdays_across_holidays_and_make_up_days(start, n, expected):
    assert add_workdays(start, n) == expected
    assert step_by_step(start, n) == expected  # the table above agrees with the package


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "n"), [
    (D(2025, 6, 1), 250), (D(2026, 12, 31), -250), (D(2025, 1, 1), 400), (D(2026, 3, 15), -30),
])
def test_long_counts_equal_a_day_by_day_walk(start, n):
    assert add_workdays(start, n) == step_by_step(start, n)


@pytest.mark.django_db
def test_workdays_between_counts_the_half_open_interval():
    # (Fri Feb 13, Tue Feb 24]: Sat 14th and Tue 24th.
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert workdays_between(D(2026, 2, 24), D(2026, 2, 13)) == 0
    assert workdays_between(D(2026, 2, 24), D(2026, 2, 24)) == 0
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3  # Oct 8, 9, 10


HYPOTHESIS = settings(max_examples=150, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])
DAYS_2026 = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 9, 30))


def _check_consistency(start: date, n: int) -> None:
    end = add_workdays(start, n)
    assert end > start or n == 0
    assert workdays_between(start, end) == n
    if n:
        assert is_workday(end)
        assert workdays_between(start, end - ONE) == n - 1
        back = add_workdays(end, -n)
        assert back <= start and workdays_between(back, end) == n


@pytest.mark.django_db
@HYPOTHESIS
@given(start=DAYS_2026, n=st.integers(min_value=0, max_value=60))
def test_workdays_between_is_consistent_with_add_workdays(start, n):
    _check_consistency(start, n)


@pytest.mark.django_db
def test_consistency_holds_with_overrides_in_the_database(street):
    for day, workday in [(D(2026, 2, 16), True), (D(2026, 3, 3), False), (D(2026, 5, 2), True),
                         (D(2026, 7, 1), False), (D(2026, 10, 7), True)]:
        set_workday_override(day=day, is_workday=workday, note="", acting_user=street.admin)

    @HYPOTHESIS
    @given(start=DAYS_2026, n=st.integers(min_value=0, max_value=60))
    def check(start, n):
        _check_consistency(start, n)

    check()


# --- overrides ------------------------------------------------------------------------


@pytest.mark.django_db
def test_override_turns_an_official_holiday_into_a_working_day(street):
    assert add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    set_workday_override(day=D(2026, 2, 16), is_workday=True, note="值班", acting_user=street.admin)
    assert is_workday(D(2026, 2, 16))
    assert add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 16)
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 3


@pytest.mark.django_db
def test_override_turns_an_official_working_day_into_a_rest_day(street):
    assert add_workdays(D(2026, 2, 27), 2) == D(2026, 3, 2)
    set_workday_override(day=D(2026, 3, 2), is_workday=False, note="", acting_user=street.admin)
    assert not is_workday(D(2026, 3, 2))
    assert add_workdays(D(2026, 2, 27), 2) == D(2026, 3, 3)
    assert add_workdays(D(2026, 3, 3), -1) == D(2026, 2, 28)


@pytest.mark.django_db
def test_overrides_beyond_the_first_window_are_read(street):
    # 60 rest days in a row: more than add_workdays reads in its first query for n=1.
    start = D(2026, 3, 1)
    for i in range(1, 61):
        set_workday_override(day=start + ONE * i, is_workday=False, note="",
                             acting_user=street.admin)
    expected = step_by_step(start + ONE * 60, 1)
    assert add_workdays(start, 1) == expected
    assert add_workdays(expected, -1) < start
    assert workdays_between(start, expected) == 1


# --- a year the package does not know -------------------------------------------------


def _warnings_for(caplog, year: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records
            if r.name == "gongzhi.workdays" and r.levelno == logging.WARNING
            and str(year) in r.getMessage()]


@pytest.mark.django_db
def test_unknown_year_counts_monday_to_friday_and_warns_once(caplog, fresh_warnings):
    caplog.set_level(logging.WARNING, logger="gongzhi.workdays")
    year = UNKNOWN_YEAR
    assert not official_year_known(year)
    day = D(year, 1, 1)
    while day.month < 3:
        assert is_workday(day) == (day.weekday() < 5), day
        day += ONE
    start = D(year, 1, 1)
    assert add_workdays(start, 30) == step_by_step(start, 30, lambda d: d.weekday() < 5)
    assert workdays_between(start, D(year, 3, 1)) == sum(
        (start + ONE * i).weekday() < 5 for i in range(1, (D(year, 3, 1) - start).days + 1))
    assert len(_warnings_for(caplog, year)) == 1
    message = _warnings_for(caplog, year)[0].getMessage()
    assert "周一至周五" in message and "Monday" in message
    # The next unknown year gets its own single warning.
    is_workday(D(year + 1, 5, 5))
    is_workday(D(year + 1, 5, 6))
    assert len(_warnings_for(caplog, year + 1)) == 1
    assert len(_warnings_for(caplog, year)) == 1


@pytest.mark.django_db
def test_an_override_in_an_unknown_year_needs_no_fallback(street, caplog, fresh_warnings):
    caplog.set_level(logging.WARNING, logger="gongzhi.workdays")
    new_year = D(UNKNOWN_YEAR, 1, 1)
    set_workday_override(day=new_year, is_workday=False, note="元旦", acting_user=street.admin)
    assert not is_workday(new_year)
    assert _warnings_for(caplog, UNKNOWN_YEAR) == []


# --- gongzhi calendar-status ----------------------------------------------------------


def run_status(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("calendar_status", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def this_year(monkeypatch):
    def set_year(year: int) -> None:
        monkeypatch.setattr(django_timezone, "localdate", lambda *a, **k: D(year, 7, 1))

    return set_year


@pytest.mark.django_db
def test_status_warns_when_next_year_is_unknown(street, this_year):
    last_known = max(PACKAGE_YEARS)
    this_year(last_known)
    for day, workday in [(D(UNKNOWN_YEAR, 1, 1), False), (D(UNKNOWN_YEAR, 2, 10), False),
                         (D(UNKNOWN_YEAR, 2, 7), True)]:
        set_workday_override(day=day, is_workday=workday, note="", acting_user=street.admin)
    out, err = run_status()
    lines = out.splitlines()
    assert lines[0] == f"chinesecalendar 版本：{chinese_calendar.__version__}"
    assert lines[1].startswith(f"{last_known} 年：法定节假日已收录 / known；调整日 0 天")
    assert lines[2] == (f"{UNKNOWN_YEAR} 年：法定节假日未收录 / unknown；调整日 3 天"
                        "（工作日 1，休息日 2） / overrides: 3")
    assert lines[3].startswith(f"{UNKNOWN_YEAR + 1} 年：法定节假日未收录 / unknown")
    assert len(lines) == 4
    # One warning: next year. The year after is not announced yet, which is normal.
    assert err.strip() == (
        f"{UNKNOWN_YEAR} 年法定节假日尚未收录：请升级 chinesecalendar 或由管理员录入调整日 / "
        f"{UNKNOWN_YEAR} holidays unknown: upgrade chinesecalendar or enter overrides")


@pytest.mark.django_db
def test_status_is_quiet_when_this_and_next_year_are_known(this_year):
    this_year(max(PACKAGE_YEARS) - 1)
    out, err = run_status()
    assert err == ""
    assert out.count("已收录 / known") == 2 and out.count("未收录 / unknown") == 1


@pytest.mark.django_db
def test_status_for_one_year(this_year):
    this_year(2026)
    out, err = run_status("--year", "2025")
    assert "2025 年：法定节假日已收录" in out and "2026" not in out and err == ""
    out, err = run_status("--year", str(UNKNOWN_YEAR + 3))
    assert f"{UNKNOWN_YEAR + 3} 年：法定节假日未收录" in out
    assert f"{UNKNOWN_YEAR + 3} holidays unknown" in err


@pytest.mark.django_db
def test_status_refuses_a_nonsense_year():
    with pytest.raises(CommandError, match="invalid year"):
        run_status("--year", "0")


@pytest.mark.django_db
def test_status_runs_under_the_gongzhi_command_name(capsys, this_year):
    this_year(max(PACKAGE_YEARS))
    main(["gongzhi", "calendar-status"])
    captured = capsys.readouterr()
    assert f"{UNKNOWN_YEAR} holidays unknown" in captured.err
    assert f"{max(PACKAGE_YEARS)} 年：法定节假日已收录" in captured.out
