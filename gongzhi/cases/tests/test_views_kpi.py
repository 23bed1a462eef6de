"""The KPI page: who may see it, the figures it shows, its period selector and its cost."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from gongzhi import urls as root_urls
from gongzhi.areas.actions import create_area
from gongzhi.areas.models import AreaKind
from gongzhi.cases.kpis import kpis, rollup
from gongzhi.cases.models import Status
from gongzhi.cases.tests.test_kpis import MARCH, at, build_data, put
from gongzhi.cases.views_kpi import parse_period

# Until the project mounts the KPI pages itself, mount them here the way it will.
urlpatterns = list(root_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "cases_kpi" for p in urlpatterns):
    urlpatterns.append(path("cases/kpi/", include("gongzhi.cases.urls_kpi")))
pytestmark = pytest.mark.urls(__name__)

MARCH_QUERY = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def data(street):
    return build_data(street)


def page(client, user, code: str, params: dict | None = None):
    client.force_login(user)
    return client.get(reverse("cases_kpi:area", kwargs={"code": code}),
                      MARCH_QUERY if params is None else params)


def test_figures_on_the_page_are_the_kpis(client, data):
    response = page(client, data.street_staff, "S")
    assert response.status_code == 200
    html = response.content.decode()
    k = kpis(data.street, *MARCH)
    assert k.resolution_rate.numerator == 3 and k.resolution_rate.denominator == 6
    for rate in (k.response_rate, k.resolution_rate, k.satisfaction_rate, k.on_time_rate):
        assert f'<p class="value">{rate.percent}%</p>' in html
        assert f'<p class="ratio">{rate.numerator}/{rate.denominator}</p>' in html
    assert '<p class="value">50.0%</p>' in html  # 办结率 3/6
    assert f'<p class="value">{k.avg_handling_hours}</p>' in html and "74.0" in html
    assert f'<p class="value">{k.total}</p>' in html
    for tally in k.by_category + k.by_source:
        assert f"<td>{tally.label}</td><td class=\"num\">{tally.count}</td>" in html
    # One SVG bar per row of the two tables; no script anywhere.
    assert html.count("<rect ") == len(k.by_category) + len(k.by_source)
    assert "<script" not in html
    for child, ck in rollup(data.street, *MARCH):
        row = re.search(rf">{child.name}</a></td>(.*?)</tr>", html, re.S).group(1)
        cells = re.findall(r'<td class="num">(.*?)</td>', row)
        assert cells == [str(ck.total), str(ck.response_rate), str(ck.resolution_rate),
                         str(ck.satisfaction_rate), str(ck.on_time_rate),
                         str(ck.avg_handling_hours) if ck.avg_handling else "—",
                         str(ck.open_overdue)]


def test_community_page_rolls_up_its_grids(client, data):
    html = page(client, data.staff_a, "CA").content.decode()
    k = kpis(data.comm_a, *MARCH)
    assert k.total == 7 and f'<p class="value">{k.total}</p>' in html
    link = reverse("cases_kpi:area", kwargs={"code": "CA-G1"})
    assert f'href="{link}?period=custom&amp;start=2026-03-01&amp;end=2026-03-31"' in html
    assert "第二网格" in html and "德鑫社区" not in html


@pytest.mark.parametrize(("who", "code", "status"), [
    ("street_staff", "S", 200), ("street_staff", "CB", 200),
    ("staff_a", "CA", 200), ("staff_a", "CA-G1", 200),
    ("staff_a", "S", 404), ("staff_a", "CB", 404),
    ("staff_b", "CA", 404),
    ("worker_a1", "CA-G1", 200), ("worker_a1", "CA", 404),
    ("resident", "CA-G1-X1-B1", 404), ("property_member", "CA-G1-X1", 404),
    ("admin", "C", 200), ("district_staff", "D", 200),
    ("street_staff", "NO-SUCH-CODE", 404),
])
def test_scope(client, data, who, code, status):
    assert page(client, getattr(data, who), code).status_code == status


def test_anonymous_is_sent_to_login(client, data):
    response = client.get(reverse("cases_kpi:area", kwargs={"code": "S"}))
    assert response.status_code == 302 and "login" in response["Location"]


def test_breadcrumbs_only_up_to_what_the_user_may_see(client, data):
    html = page(client, data.staff_a, "CA-G1").content.decode()
    ca = reverse("cases_kpi:area", kwargs={"code": "CA"})
    street = reverse("cases_kpi:area", kwargs={"code": "S"})
    assert f'href="{ca}?' in html and f'href="{street}?' not in html


def test_periods_parse():
    today = date(2026, 1, 15)
    this = parse_period({}, today)
    assert (this.key, this.start, this.end, this.error) == (
        "this_month", date(2026, 1, 1), today, "")
    last = parse_period({"period": "last_month"}, today)
    assert (last.start, last.end) == (date(2025, 12, 1), date(2025, 12, 31))
    year = parse_period({"period": "this_year"}, date(2026, 3, 31))
    assert (year.start, year.end) == (date(2026, 1, 1), date(2026, 3, 31))
    custom = parse_period(MARCH_QUERY, today)
    assert (custom.start, custom.end, custom.error) == (*MARCH, "")
    for bad in ({"period": "custom", "start": "2026-13-01", "end": "2026-12-31"},
                {"period": "custom", "start": "2026-03-02", "end": "2026-03-01"},
                {"period": "custom", "start": "2000-01-01", "end": "2026-01-01"},
                {"period": "custom"}, {"period": "decade"}):
        wrong = parse_period(bad, today)
        assert wrong.error and (wrong.start, wrong.end) == (date(2026, 1, 1), today)


def test_bad_dates_show_an_error_not_a_500(client, data):
    response = page(client, data.street_staff, "S",
                    {"period": "custom", "start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "结束日期不能早于开始日期" in html and 'role="alert"' in html


def test_this_month_is_the_default(client, data):
    from django.utils import timezone

    today = timezone.localdate()
    put(data.b3, at(today.month, today.day, 0, 1).replace(year=today.year))
    html = page(client, data.street_staff, "S", {}).content.decode()
    assert f"{today.replace(day=1):%Y-%m-%d} 至 {today:%Y-%m-%d}" in html
    assert '<p class="value">1</p>' in html  # total: the one case reported today


def _queries(client, user, code: str) -> int:
    client.force_login(user)
    url = reverse("cases_kpi:area", kwargs={"code": code})
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, MARCH_QUERY).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_cases_or_children(client, data):
    before = _queries(client, data.street_staff, "S")
    for i in range(3):
        community = create_area(kind=AreaKind.COMMUNITY, code=f"CX{i}", name=f"新社区{i}",
                                parent=data.street, acting_user=None)
        for day in range(1, 11):
            put(community, at(3, day, 9), status=Status.RESOLVED, category=data.road,
                accepted_at=at(3, day, 9), resolved_at=at(3, day, 15))
    after = _queries(client, data.street_staff, "S")
    assert after == before
    assert after <= 20
