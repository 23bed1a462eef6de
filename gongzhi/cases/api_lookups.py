"""JSON API lookups around the ledger: the category tree, category suggestions, similar open
cases before a report (附议), and the KPIs (三率) of an area for a period.

Read-only. Similar cases show only what the resident page shows of them (no reporter, no
notes); KPIs need VIEW_CASES on the area, exactly as the KPI page does.
"""

from datetime import date, datetime

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongzhi.areas.models import AreaNode
from gongzhi.areas.selectors import area_by_code, public_building
from gongzhi.cases.duplicates import similar_open_cases
from gongzhi.cases.kpis import Rate, Tally, kpis
from gongzhi.cases.models import Category, Supporter
from gongzhi.cases.suggest import suggest_categories
from gongzhi.cases.views_kpi import MAX_DAYS
from gongzhi.core.api import ERRORS, ApiError
from gongzhi.core.permissions import Perm, can

router = Router()

TEXT = Query(..., min_length=1, max_length=5000, description="问题描述 / the report's text")
START = Query(None, description="起始日，默认本月一日 / first day, default: the 1st")
END = Query(None, description="截止日，默认今天 / last day, default: today")


class CategoryOut(Schema):
    code: str
    name: str
    group: str | None = Field(description="上级分类编码 / parent group's code")
    response_hours: int
    resolution_workdays: int
    urgent_response_hours: int
    urgent_resolution_workdays: int


class SuggestionOut(Schema):
    code: str
    name: str
    score: float = Field(description="0–1，越大越可能 / likelihood")


class SimilarOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    status_label: str
    place: str
    created_at: datetime
    supporters: int
    score: float = Field(description="文本相似度 0–1 / text similarity")


class RateOut(Schema):
    numerator: int
    denominator: int
    percent: str | None = Field(description="一位小数的百分比，无数据为 null / e.g. \"92.5\"")


class TallyOut(Schema):
    key: str
    label: str
    count: int


class KpisOut(Schema):
    area: str
    start: date
    end: date
    total: int
    response_rate: RateOut
    resolution_rate: RateOut
    satisfaction_rate: RateOut
    on_time_rate: RateOut
    avg_handling_hours: str | None
    open_overdue: int
    by_category: list[TallyOut]
    by_source: list[TallyOut]
    by_status: list[TallyOut]


def _area(user, code: str) -> AreaNode:
    node = area_by_code(user, code) or public_building(code)
    if node is None:
        raise ApiError(404, _("未找到该区域"), "area not found", "not_found")
    return node


@router.get("/categories", response={200: list[CategoryOut], **ERRORS},
            summary="问题分类与时限 / the categories and their time limits")
def categories(request: HttpRequest):
    rows = Category.objects.filter(is_active=True).select_related("parent")
    return [{"code": c.code, "name": c.name, "group": c.parent.code if c.parent_id else None,
             **{f: getattr(c, f) for f in ("response_hours", "resolution_workdays",
                                           "urgent_response_hours",
                                           "urgent_resolution_workdays")}}
            for c in rows if c.parent_id is None or c.parent.is_active]


@router.get("/suggest", response={200: list[SuggestionOut], **ERRORS},
            summary="按描述推荐分类 / categories suggested from the text")
def suggest(request: HttpRequest, text: str = TEXT,
            limit: int = Query(3, ge=1, le=10)):
    return [{"code": c.code, "name": c.name, "score": round(score, 4)}
            for c, score in suggest_categories(text, limit=limit)]


@router.get("/similar", response={200: list[SimilarOut], **ERRORS},
            summary="附近的相似在办诉求 / similar open cases nearby, before reporting")
def similar(request: HttpRequest, text: str = TEXT,
            area: str = Query(..., max_length=64, description="楼栋或区域编码 / area code"),
            limit: int = Query(5, ge=1, le=20)):
    node = _area(request.auth, area)
    found = similar_open_cases(text=text, area=node, limit=limit)
    supporters = dict(Supporter.objects.filter(case__in=[c for c, _score in found])
                      .values("case").annotate(n=Count("pk")).values_list("case", "n"))
    return [{"id": c.pk, "reference": c.reference, "title": c.title, "status": c.status,
             "status_label": str(c.get_status_display()), "place": c.area.name,
             "created_at": c.created_at, "supporters": supporters.get(c.pk, 0),
             "score": round(score, 4)} for c, score in found]


def _rate(rate: Rate) -> dict:
    return {"numerator": rate.numerator, "denominator": rate.denominator,
            "percent": str(rate.percent) if rate.percent is not None else None}


def _tallies(rows: list[Tally]) -> list[dict]:
    return [{"key": t.key, "label": t.label, "count": t.count} for t in rows]


@router.get("/kpis", response={200: KpisOut, **ERRORS},
            summary="诉求办理指标（三率）/ KPIs of an area for a period")
def area_kpis(request: HttpRequest,
              area: str = Query(..., max_length=64, description="区域编码（含下级）"),
              start: date | None = START, end: date | None = END):
    node = area_by_code(request.auth, area)
    if node is None or not can(request.auth, Perm.VIEW_CASES, node):
        raise ApiError(404, _("未找到该区域"), "area not found", "not_found")
    today = timezone.localdate()
    end = end or today
    start = start or end.replace(day=1)
    if end < start:
        raise ApiError(422, _("结束日期不能早于开始日期"), "end is before start", "invalid")
    if (end - start).days > MAX_DAYS:
        raise ApiError(422, _("统计周期不能超过五年"), "the period is longer than five years",
                       "invalid")
    k = kpis(node, start, end)
    return {
        "area": node.code, "start": k.start, "end": k.end, "total": k.total,
        "response_rate": _rate(k.response_rate), "resolution_rate": _rate(k.resolution_rate),
        "satisfaction_rate": _rate(k.satisfaction_rate), "on_time_rate": _rate(k.on_time_rate),
        "avg_handling_hours": str(k.avg_handling_hours)
        if k.avg_handling_hours is not None else None,
        "open_overdue": k.open_overdue, "by_category": _tallies(k.by_category),
        "by_source": _tallies(k.by_source), "by_status": _tallies(k.by_status),
    }
