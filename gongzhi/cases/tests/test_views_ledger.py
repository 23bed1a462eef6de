"""The ledger page: scope, filters that stay in the URL, keyset pagination, query counts."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.cases import actions
from gongzhi.cases.models import Case, Source
from gongzhi.conftest import make_user

TZ = ZoneInfo("Asia/Shanghai")


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def listed(response) -> list[int]:
    """Case ids in the table, in order."""
    return [int(x) for x in re.findall(r'<tr data-case="(\d+)"', response.content.decode())]


def staff_case(n, *, area, title="路灯不亮", source=Source.HOTLINE, user=None, created_at=None,
               phone="13911112222"):
    return actions.submit_case(title=title, description=f"{title}，请尽快处理", area=area,
                               source=source, acting_user=user or n.staff_a,
                               reporter_name="赵先生", reporter_phone=phone,
                               created_at=created_at)


# --- scope ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, ledger):
    for url in ["/cases/", "/cases/new/", "/cases/export.xlsx", "/cases/wall/CA/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_each_user_sees_their_scope(client, ledger):
    in_a1 = ledger.new_case(area=ledger.b1, title="一网格的问题")
    in_a2 = ledger.new_case(area=ledger.b2, title="二网格的问题")
    in_b = staff_case(ledger, area=ledger.b3, title="德鑫社区的问题", user=ledger.staff_b)
    expect = {
        ledger.staff_a: {in_a1.pk, in_a2.pk},
        ledger.staff_b: {in_b.pk},
        ledger.worker_a1: {in_a1.pk},
        ledger.worker_a2: {in_a2.pk},
        ledger.street_staff: {in_a1.pk, in_a2.pk, in_b.pk},
    }
    for user, ids in expect.items():
        # status=open so a grid worker's default view does not matter here
        response = get(client, user, "/cases/?order=new")
        assert response.status_code == 200, user
        assert set(listed(response)) == ids, user.username
    page = get(client, ledger.worker_a1, "/cases/?order=new").content.decode()
    assert "一网格的问题" in page and "二网格的问题" not in page


def test_outsiders_get_403_and_residents_their_own_cases(client, ledger):
    assert get(client, make_user("nobody"), "/cases/").status_code == 403
    response = get(client, ledger.resident, "/cases/")  # test_views_resident_way_in has more
    assert response.status_code == 302 and response["Location"] == "/cases/mine/"


def test_department_member_sees_cases_dispatched_to_them(client, ledger):
    mine = ledger.new_case("dispatched", to_org=ledger.dept)
    ledger.new_case("dispatched", to_org=ledger.other_dept)
    ledger.new_case("submitted")
    response = get(client, ledger.dept_member, "/cases/")
    assert listed(response) == [mine.pk]


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
def mixed(ledger):
    """A handful of cases differing in every filtered column."""
    n = ledger
    n.c_sub = n.new_case("submitted", area=n.b1, title="井盖缺失")
    n.c_acc = n.new_case("accepted", area=n.b2, title="路面破损", category=n.road)
    n.c_gar = n.new_case("dispatched", area=n.b1, title="垃圾堆放", category=n.garbage,
                         to_org=n.property_co)
    n.c_hot = staff_case(n, area=n.b2, title="路灯不亮", source=Source.PATROL, user=n.worker_a2)
    n.c_old = n.new_case("resolved", area=n.b1, title="旧的问题",
                         created_at=timezone.now() - timedelta(days=40))
    n.c_late = n.new_case("in_progress", area=n.b2, title="积水严重", category=n.road)
    Case.objects.filter(pk=n.c_late.pk).update(resolution_due=timezone.now() - timedelta(hours=3))
    n.c_soon = n.new_case("dispatched", area=n.b1, title="楼道堆物", category=n.road)
    Case.objects.filter(pk=n.c_soon.pk).update(resolution_due=timezone.now() + timedelta(hours=5))
    return n


@pytest.mark.parametrize(("query", "expected"), [
    ("area=CA-G1", {"c_sub", "c_gar", "c_old", "c_soon"}),
    ("area=CA-G2-X1-B1", {"c_acc", "c_hot", "c_late"}),
    ("category={road}", {"c_acc", "c_late", "c_soon", "c_old"}),
    ("category={municipal}", {"c_acc", "c_late", "c_soon", "c_old"}),  # and its children
    ("category={garbage}", {"c_gar"}),
    ("status=submitted", {"c_sub", "c_hot"}),
    ("status=resolved", {"c_old"}),
    ("status=open", {"c_sub", "c_acc", "c_gar", "c_hot", "c_late", "c_soon"}),
    ("source=patrol", {"c_hot"}),
    ("deadline=overdue", {"c_late"}),
    # Fresh reports must be answered within the response hours: due soon until accepted.
    ("deadline=due_soon", {"c_soon", "c_sub", "c_hot"}),
    ("assignee=o:{property_co}", {"c_gar"}),
    ("assignee=none", {"c_sub", "c_acc", "c_hot"}),
    ("q=路", {"c_acc", "c_hot"}),
    ("start={old_day}&end={old_day}", {"c_old"}),
    ("start={today}", {"c_sub", "c_acc", "c_gar", "c_hot", "c_late", "c_soon"}),
    ("area=CA-G1&status=open&category={road}", {"c_soon"}),
])
def test_filters(client, mixed, query, expected):
    n = mixed
    values = {"road": n.road.pk, "municipal": n.municipal.pk, "garbage": n.garbage.pk,
              "property_co": n.property_co.pk,
              "old_day": timezone.localtime(n.c_old.created_at).date().isoformat(),
              "today": timezone.localdate().isoformat()}
    response = get(client, n.staff_a, "/cases/?" + query.format(**values))
    assert response.status_code == 200
    assert set(listed(response)) == {getattr(n, name).pk for name in expected}


def test_search_by_reference_finds_the_case(client, mixed):
    response = get(client, mixed.staff_a, f"/cases/?q={mixed.c_gar.reference}")
    assert listed(response) == [mixed.c_gar.pk]


def test_assignee_me_and_a_user_from_a_row(client, mixed):
    n = mixed
    mine = n.new_case("dispatched", area=n.b1, to_user=n.worker_a1)
    assert listed(get(client, n.worker_a1, "/cases/?assignee=me")) == [mine.pk]
    assert listed(get(client, n.staff_a, f"/cases/?assignee=u:{n.worker_a1.pk}")) == [mine.pk]


def test_filters_stay_in_the_links(client, mixed):
    page = get(client, mixed.staff_a, "/cases/?status=open&source=patrol").content.decode()
    export_link = re.search(r'href="(/cases/export\.xlsx[^"]*)"', page).group(1)
    assert "status=open" in export_link and "source=patrol" in export_link
    assert 'value="open" selected' in page


def test_a_bad_filter_is_named_next_to_its_field_and_ignored(client, mixed):
    response = get(client, mixed.staff_a, "/cases/?area=CB&status=nonsense&start=2026-13-40")
    page = response.content.decode()
    assert response.status_code == 200
    assert "未找到编码为“CB”的区域" in page  # community B is not in staff_a's scope
    assert "field-error" in page
    assert len(listed(response)) == 7  # nothing filtered by the bad values


def test_grid_worker_sees_their_open_cases_by_deadline_first(client, ledger):
    n = ledger
    late = n.new_case("dispatched", area=n.b1, title="最急", to_user=n.worker_a1)
    later = n.new_case("dispatched", area=n.b1, title="次急", to_user=n.worker_a1)
    fresh = n.new_case("submitted", area=n.b1, title="刚上报")
    n.new_case("resolved", area=n.b1, title="已办完")
    n.new_case("dispatched", area=n.b2, title="别的网格")
    Case.objects.filter(pk=late.pk).update(resolution_due=timezone.now() + timedelta(hours=2))
    Case.objects.filter(pk=later.pk).update(resolution_due=timezone.now() + timedelta(days=2))
    response = get(client, n.worker_a1, "/cases/")
    # Open only, soonest deadline first, cases without one yet last.
    assert listed(response) == [late.pk, later.pk, fresh.pk]
    assert "status-due-soon" in response.content.decode()
    # Staff who triage see the newest first, everything.
    assert listed(get(client, n.staff_a, "/cases/"))[0] != late.pk


# --- keyset pagination and query counts -----------------------------------------------------


@pytest.fixture
def many(ledger):
    """125 cases, several sharing a timestamp so that the id breaks ties."""
    base = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    for i in range(125):
        area = ledger.b1 if i % 3 else ledger.b2
        staff_case(ledger, area=area, title=f"问题{i:03d}",
                   created_at=base + timedelta(minutes=(i // 4) * 10))
    return ledger


def walk(client, user, url) -> tuple[list[int], int]:
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += listed(response)
        pages += 1
        match = re.search(r'href="(\?[^"]*)" rel="next"', response.content.decode())
        url = "/cases/" + match.group(1).replace("&amp;", "&") if match else None
        assert pages < 10
    return seen, pages


def test_keyset_pagination_walks_every_case_once(client, many):
    client.force_login(many.staff_a)
    seen, pages = walk(client, many.staff_a, "/cases/?order=new")
    expected = list(Case.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert seen == expected
    assert len(seen) == 125 and pages == 3


def test_keyset_pagination_by_deadline_with_a_filter(client, many):
    n = many
    open_ids = list(Case.objects.filter(area=n.b1).order_by("pk").values_list("pk", flat=True))
    due = timezone.now() + timedelta(days=3)
    for index, pk in enumerate(open_ids[:60]):  # 60 with a deadline (pairs share one), rest none
        Case.objects.filter(pk=pk).update(resolution_due=due + timedelta(hours=index // 2))
    client.force_login(n.staff_a)
    seen, pages = walk(client, n.staff_a, "/cases/?order=due&area=CA-G1")
    assert seen == open_ids[:60] + open_ids[60:]
    assert pages == 2


def test_cursor_is_opaque_and_a_bad_one_means_the_first_page(client, many):
    client.force_login(many.staff_a)
    page = client.get("/cases/?order=new").content.decode()
    cursor = re.search(r'cursor=([^"&]+)', page).group(1)
    assert str(Case.objects.order_by("-created_at", "-id")[49].pk) not in cursor
    first = listed(client.get("/cases/?order=new"))
    assert listed(client.get("/cases/?order=new&cursor=not-a-cursor")) == first
    assert listed(client.get("/cases/?order=due&cursor=" + cursor)) == listed(
        client.get("/cases/?order=due"))  # a cursor of another ordering is ignored


def test_no_offset_and_no_count_of_the_whole_ledger(client, many):
    client.force_login(many.staff_a)
    page = client.get("/cases/?order=new").content.decode()
    next_url = "/cases/" + re.search(r'href="(\?[^"]*)" rel="next"', page).group(1).replace(
        "&amp;", "&")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(next_url).status_code == 200
    on_cases = [q["sql"].upper() for q in ctx.captured_queries if "CASES_CASE" in q["sql"].upper()]
    assert len(on_cases) == 1  # the page itself, read as one index range
    assert "OFFSET" not in on_cases[0] and "COUNT(" not in on_cases[0]
    assert "LIMIT 51" in on_cases[0]


def test_query_count_does_not_grow_with_the_page(client, ledger):
    n = ledger
    client.force_login(n.staff_a)
    for i in range(3):
        n.new_case("dispatched", area=n.b1, title=f"少{i}", to_org=n.dept)
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/?order=new")
    for i in range(60):
        n.new_case("dispatched" if i % 2 else "accepted", area=n.b1 if i % 3 else n.b2,
                   title=f"多{i}", to_org=n.other_dept, category=n.light if i % 4 else n.road)
    with CaptureQueriesContext(connection) as lots:
        response = client.get("/cases/?order=new")
    assert len(listed(response)) == 50
    assert len(lots.captured_queries) == len(few.captured_queries)
    assert len(lots.captured_queries) <= 16  # session, user, grants, header, page


# --- bulk actions ---------------------------------------------------------------------------


def test_bulk_accept_and_dispatch_with_versions(client, ledger):
    n = ledger
    one, two, three = (n.new_case(title=f"批量{i}") for i in range(3))
    stale = three.version
    n.advance(three, "accepted")  # someone else got there first
    client.force_login(n.staff_a)
    page = client.get("/cases/?status=submitted").content.decode()
    assert f'value="{one.pk}:{one.version}"' in page
    response = client.post("/cases/bulk/", {
        "operation": "accept", "category": n.road.pk, "back": "status=submitted",
        "picked": [f"{one.pk}:{one.version}", f"{two.pk}:{two.version}",
                   f"{three.pk}:{stale}"]})
    assert response.status_code == 302 and response["Location"] == "/cases/?status=submitted"
    assert set(Case.objects.filter(category=n.road, status="accepted").values_list(
        "pk", flat=True)) == {one.pk, two.pk, three.pk}
    assert Case.objects.get(pk=three.pk).version == stale + 1  # only the other's change
    page = client.get(response["Location"]).content.decode()
    assert "已处理 2 件" in page and "1 件已被他人处理" in page
    versions = dict(Case.objects.values_list("pk", "version"))
    client.post("/cases/bulk/", {"operation": "dispatch", "to_org": n.dept.pk,
                                 "picked": [f"{one.pk}:{versions[one.pk]}"]})
    assert Case.objects.get(pk=one.pk).assignee_org == n.dept


def test_bulk_needs_triage_and_a_choice(client, ledger):
    n = ledger
    case = n.new_case()
    client.force_login(n.worker_a1)
    assert 'name="picked"' not in client.get("/cases/").content.decode()
    assert client.post("/cases/bulk/", {"operation": "accept", "category": n.road.pk,
                                        "picked": [f"{case.pk}:1"]}).status_code == 403
    client.force_login(n.staff_a)
    response = client.post("/cases/bulk/", {"operation": "accept", "picked": [f"{case.pk}:1"]})
    assert "批量受理须选择分类" in client.get(response["Location"]).content.decode()
    client.force_login(n.staff_b)  # another community: the case is not theirs to touch
    response = client.post("/cases/bulk/", {"operation": "accept", "category": n.road.pk,
                                            "picked": [f"{case.pk}:1"]})
    assert "1 件无权处理或不符合条件" in client.get(response["Location"]).content.decode()
    assert Case.objects.get(pk=case.pk).status == "submitted"
