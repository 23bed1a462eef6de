"""Deadlines on the working-day calendar: when a case must be answered (响应) and
resolved (办结), from its category's limits."""

from datetime import date, datetime, time, timedelta

from django.conf import settings

from gongzhi.cases.actions._common import SHANGHAI
from gongzhi.cases.models import Case, Category, Priority
from gongzhi.core.workdays import add_workdays


def end_of_day(day: date) -> datetime:
    """23:59:59 of ``day`` in Asia/Shanghai."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def limits(category: Category, priority: str) -> tuple[int, int]:
    """(response hours, resolution working days) for a category at a priority."""
    if priority == Priority.URGENT:
        return category.urgent_response_hours, category.urgent_resolution_workdays
    return category.response_hours, category.resolution_workdays


def response_deadline(created_at: datetime, category: Category | None, priority: str) -> datetime:
    """When the case must be answered: the category's limit, or before classification the
    platform's (GONGZHI_RESPONSE_HOURS; 12345 practice answers online reports within 2 h)."""
    hours = limits(category, priority)[0] if category else settings.GONGZHI_RESPONSE_HOURS
    return created_at + timedelta(hours=hours)


def resolution_deadline(start: datetime, workdays: int) -> datetime:
    """The end of the ``workdays``-th working day after the local day of ``start``."""
    return end_of_day(add_workdays(local_day(start), workdays))


def resolution_workdays(category: Category | None, priority: str) -> int:
    """Working days to resolve: the category's limit, or before classification the limit a
    category has unless configured otherwise (Category's field defaults). The service notice
    (Open311) states this number, and ``expected_resolution`` counts it: they cannot differ."""
    if category is not None:
        return limits(category, priority)[1]
    field = "urgent_resolution_workdays" if priority == Priority.URGENT else "resolution_workdays"
    return Category._meta.get_field(field).default


def expected_resolution(start: datetime, category: Category | None, priority: str) -> datetime:
    """When a case started at ``start`` is expected to be resolved, on the working-day calendar."""
    return resolution_deadline(start, resolution_workdays(category, priority))


def set_deadlines(case: Case, *, start: datetime) -> None:
    case.response_due = response_deadline(case.created_at, case.category, case.priority)
    case.resolution_due = resolution_deadline(start, limits(case.category, case.priority)[1])
    case.expected_resolution = case.resolution_due
