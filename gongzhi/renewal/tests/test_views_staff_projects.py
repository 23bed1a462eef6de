"""Staff console: the projects list, a new project or batch, the project page, who gets in
and what the project page costs in queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.areas.models import AreaNode
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import Batch, Category, Project, Stage
from gongzhi.renewal.tests.pages import html, login, row

M = "/renewal/manage"


def second_compound(n, built_year: int) -> AreaNode:
    """机务小区 (grid A2 of community A) with a record."""
    compound = AreaNode.objects.get(code="CA-G2-X1")
    ra.save_compound_record(compound=compound, built_year=built_year, acting_user=n.staff_a)
    return compound


# --- the list --------------------------------------------------------------------------------


def test_home_lists_the_projects_with_stage_counts_and_filters(client, renewal):
    n = renewal
    other = ra.create_project(name="机务小区改造", compounds=[second_compound(n, 1995)],
                              acting_user=n.staff_a)
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/"))
    mine = row(page, "project", n.project.pk)
    assert "铁路小区老旧小区改造" in mine and "铁路小区" in mine and "谋划" in mine
    assert "编制中" in mine and "510,000.00" in mine and "0%" in mine
    assert "2026年第一批" in mine
    assert f'href="{M}/projects/{n.project.pk}/"' in mine
    assert re.search(r'data-stage="planning"[^>]*>谋划 <strong>1</strong>', page)
    assert re.search(r'data-stage="reserve"[^>]*>储备 <strong>1</strong>', page)
    assert f'href="{M}/projects/new/"' in page
    assert f'href="{M}/batches/new/"' not in page  # batches are the street's

    page = html(c.get(f"{M}/?stage=reserve"))
    assert f'data-project="{other.pk}"' in page and f'data-project="{n.project.pk}"' not in page
    page = html(c.get(f"{M}/?year={n.batch.year}"))
    assert f'data-project="{n.project.pk}"' in page and f'data-project="{other.pk}"' not in page
    page = html(c.get(f"{M}/?community={n.comm_b.pk}"))  # not hers: the filter is ignored
    assert f'data-project="{n.project.pk}"' in page
    page = html(c.get(f"{M}/?stage=nonsense&year=abc"))
    assert f'data-project="{n.project.pk}"' in page and f'data-project="{other.pk}"' in page


def test_the_street_sees_every_community_and_filters_by_one(client, renewal):
    n = renewal
    c = login(client, n.street_staff)
    page = html(c.get(f"{M}/"))
    assert f'data-project="{n.project.pk}"' in page and f'href="{M}/batches/new/"' in page
    assert f'data-project="{n.project.pk}"' in html(c.get(f"{M}/?community={n.comm_a.pk}"))
    assert f'data-project="{n.project.pk}"' not in html(c.get(f"{M}/?community={n.comm_b.pk}"))


def test_the_console_nav_points_here(client, renewal):
    page = html(login(client, renewal.staff_a).get(f"{M}/"))
    assert re.search(rf'<a href="{M}/" aria-current="page">小区改造</a>', page)


# --- who gets in -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["resident", "worker_a1", "head_b1", "builder"])
def test_no_renewal_role_means_403(client, renewal, who):
    n = renewal
    c = login(client, getattr(n, who))
    for url in ("/", "/projects/new/", f"/projects/{n.project.pk}/",
                f"/projects/{n.project.pk}/survey/", f"/items/{n.items[0].pk}/"):
        assert c.get(M + url).status_code == 403, url
    assert c.post(f"{M}/projects/{n.project.pk}/start-works/").status_code == 403


def test_staff_of_the_other_community_get_404_and_see_nothing(client, renewal):
    n = renewal
    c = login(client, n.staff_b)
    assert f'data-project="{n.project.pk}"' not in html(c.get(f"{M}/"))
    for url in (f"/projects/{n.project.pk}/", f"/projects/{n.project.pk}/survey/",
                f"/items/{n.items[0].pk}/", "/projects/abc/"):
        assert c.get(M + url).status_code == 404, url
    assert c.post(f"{M}/projects/{n.project.pk}/items/add/", {
        "category": "basic", "name": "x", "budget": "1"}).status_code == 404
    assert c.post(f"{M}/members/{n.supervisor.pk}/release/").status_code == 404
    assert n.project.items.count() == 3


PROJECT_POSTS = ["start-planning", "items/add", "vote", "submit", "decide", "start-works",
                 "start-acceptance", "complete-acceptance", "management", "members/appoint",
                 "survey/new", "survey/open", "survey/close", "survey/entry"]
ITEM_POSTS = ["edit", "start", "progress", "finish", "sign-off"]


@pytest.mark.parametrize(("who", "status"), [("staff_b", 404), ("resident", 403),
                                             ("worker_a1", 403)])
def test_every_step_is_closed_to_others(client, renewal, who, status):
    n = renewal
    c = login(client, getattr(n, who))
    before = (Project.objects.get().stage, Project.objects.get().plan_status)
    for step in PROJECT_POSTS:
        assert c.post(f"{M}/projects/{n.project.pk}/{step}/").status_code == status, step
    for step in ITEM_POSTS:
        assert c.post(f"{M}/items/{n.items[0].pk}/{step}/").status_code == status, step
    assert c.post(f"{M}/members/{n.supervisor.pk}/release/").status_code == status
    assert (Project.objects.get().stage, Project.objects.get().plan_status) == before
    assert n.project.members.filter(left_at__isnull=True).count() == 2


def test_anonymous_users_are_sent_to_log_in(client, renewal):
    response = client.get(f"{M}/projects/{renewal.project.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- a new project and a batch -------------------------------------------------------------------


def test_create_project_from_the_page(client, renewal):
    n = renewal
    compound = second_compound(n, 1998)
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/projects/new/"))
    assert "机务小区（1998 年建成）" in page and "铁路小区（1992 年建成）" in page
    assert "德鑫小区" not in page  # community B's compound
    response = c.post(f"{M}/projects/new/", {
        "name": "机务小区改造", "compounds": [compound.pk], "batch": n.batch.pk,
        "summary": "雨污分流", "planned_start": "2026-03-01", "planned_end": "2026-10-31"})
    project = Project.objects.get(name="机务小区改造")
    assert response.status_code == 302
    assert response["Location"] == f"{M}/projects/{project.pk}/"
    assert (project.stage, project.area, project.batch) == (Stage.RESERVE, compound, n.batch)
    assert list(project.compounds.all()) == [compound]
    assert project.created_by == n.staff_a and str(project.planned_end) == "2026-10-31"


def test_without_a_record_there_is_nothing_to_pick(client, renewal):
    page = html(login(client, renewal.staff_b).get(f"{M}/projects/new/"))
    assert 'id="no-records"' in page and f'href="{M}/compounds/"' in page
    assert 'name="compounds"' not in page


def test_an_ineligible_compound_is_refused_in_chinese(client, renewal):
    n = renewal
    compound = second_compound(n, 2005)
    c = login(client, n.staff_a)
    response = c.post(f"{M}/projects/new/", {"name": "新小区", "compounds": [compound.pk]})
    assert response.status_code == 400
    assert "“机务小区”建成于 2005 年，不在改造范围" in html(response)
    response = c.post(f"{M}/projects/new/", {"name": "", "compounds": []})
    assert response.status_code == 400 and "请选择要改造的小区" in html(response)
    response = c.post(f"{M}/projects/new/", {
        "name": "x", "compounds": [n.compound.pk], "planned_start": "2026-05-01",
        "planned_end": "2026-04-01"})
    assert "计划完工不能早于计划开工" in html(response)
    assert Project.objects.count() == 1


def test_the_street_creates_a_batch_and_a_community_may_not(client, renewal):
    n = renewal
    assert login(client, n.staff_a).get(f"{M}/batches/new/").status_code == 403
    c = login(client, n.street_staff)
    assert "2026年第一批" in html(c.get(f"{M}/batches/new/"))
    response = c.post(f"{M}/batches/new/", {"year": "2027", "name": "2027年第一批",
                                            "area": n.street.pk})
    assert response.status_code == 302
    assert Batch.objects.filter(year=2027, area=n.street).exists()
    response = c.post(f"{M}/batches/new/", {"year": "1990", "name": "旧批次",
                                            "area": n.street.pk})
    assert response.status_code == 400 and "请填写年度（如 2026）" in html(response)
    assert not Batch.objects.filter(name="旧批次").exists()


# --- the project page -------------------------------------------------------------------------


def test_project_page_shows_stage_bar_plan_and_members(client, renewal):
    n = renewal
    page = html(login(client, n.staff_a).get(f"{M}/projects/{n.project.pk}/"))
    assert re.search(r'<li class="done">储备</li>\s*<li class="current" aria-current="step">'
                     r'谋划</li>', page)
    assert "基础类（1 项）" in page and "完善类（1 项）" in page and "提升类（1 项）" in page
    item = row(page, "item", n.items[0].pk)
    assert "雨污分流" in item and "1200 米" in item and "360,000.00" in item
    assert "衡阳建工" in item and "未开工" in item
    assert "交居民表决" in page  # the next step of a plan in draft
    assert "王秀英" in row(page, "member", n.supervisor.pk)
    assert "居民代表" in row(page, "member", n.representative.pk)
    assert f"/renewal/manage/projects/{n.project.pk}/funding/" in page
    assert f'href="{M}/projects/{n.project.pk}/survey/"' in page


def test_a_reserve_project_starts_planning(client, renewal):
    n = renewal
    project = ra.create_project(name="机务小区改造", compounds=[second_compound(n, 1995)],
                                acting_user=n.staff_a)
    c = login(client, n.staff_a)
    assert "开始谋划" in html(c.get(f"{M}/projects/{project.pk}/"))
    assert c.post(f"{M}/projects/{project.pk}/start-planning/").status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.PLANNING
    response = c.post(f"{M}/projects/{project.pk}/start-planning/")  # again: refused
    assert response.status_code == 400 and "不能执行该操作" in html(response)


def test_project_page_queries_do_not_grow_with_items(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    url = f"{M}/projects/{n.project.pk}/"
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    for i in range(30):
        ra.add_item(project=n.project, category=Category.BASIC if i % 2 else Category.ENHANCEMENT,
                    name=f"改造内容{i}", budget="1000", contractor=n.contractor,
                    acting_user=n.staff_a)
    with CaptureQueriesContext(connection) as many:
        page = html(c.get(url))
    assert "改造内容29" in page
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
