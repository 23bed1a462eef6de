"""How people reach the ledger: the console menu, the home pages, 挂图作战 and 指标."""

import re
from datetime import timedelta

from django.utils import timezone

from gongzhi.accounts.actions import grant_role
from gongzhi.cases.models import Case
from gongzhi.conftest import make_user
from gongzhi.core.permissions import Role


def page(client, user, url="/"):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (user.username, url)
    return response


def menu(response) -> dict[str, bool]:
    """Console menu entries: label → is it the current page."""
    html = response.content.decode()
    nav = html[html.index('class="console-nav"'):html.index("</nav>", html.index("console-nav"))]
    return {label: bool(current) for current, label in
            re.findall(r'<a href="[^"]+"( aria-current="page")?>([^<]+)</a>', nav)}


def test_menu_offers_the_ledger_to_whoever_works_on_cases(client, ledger):
    assert {"问题台账", "挂图作战", "诉求指标"} <= set(menu(page(client, ledger.staff_a)))
    assert {"问题台账", "挂图作战", "诉求指标"} <= set(menu(page(client, ledger.worker_a1)))
    # A department takes dispatched cases: it works at the console, but has no area to chart.
    dept = menu(page(client, ledger.dept_member))
    assert "问题台账" in dept and "挂图作战" not in dept and "诉求指标" not in dept
    assert 'class="console-nav"' not in page(client, ledger.resident).content.decode()


def test_the_current_page_lights_up_its_own_entry(client, ledger):
    wall = menu(page(client, ledger.staff_a, "/cases/wall/CA/"))
    assert wall["挂图作战"] and not wall["问题台账"]
    kpi = menu(page(client, ledger.staff_a, "/cases/kpi/CA/"))
    assert kpi["诉求指标"] and not kpi["问题台账"]
    detail = menu(page(client, ledger.staff_a, f"/cases/{ledger.new_case().pk}/"))
    assert detail["问题台账"] and not detail["挂图作战"]


def test_wall_and_kpi_from_the_menu_open_the_users_own_area(client, ledger):
    client.force_login(ledger.worker_a1)
    assert client.get("/cases/wall/").url == "/cases/wall/CA-G1/"
    assert client.get("/cases/kpi/").url == "/cases/kpi/CA-G1/"
    assert client.get("/cases/wall/", follow=True).status_code == 200


def test_someone_with_two_areas_chooses_one(client, ledger):
    both = make_user("both")
    for area in (ledger.comm_a, ledger.comm_b):
        grant_role(user=both, role=Role.COMMUNITY_STAFF, area=area, acting_user=None)
    html = page(client, both, "/cases/wall/").content.decode()
    assert 'href="/cases/wall/CA/"' in html and 'href="/cases/wall/CB/"' in html
    assert 'href="/cases/kpi/CB/"' in page(client, both, "/cases/kpi/").content.decode()


def test_no_area_no_wall(client, ledger):
    client.force_login(ledger.dept_member)
    assert client.get("/cases/wall/").status_code == 403
    client.force_login(ledger.resident)
    assert client.get("/cases/kpi/").status_code == 403


def test_staff_home_counts_the_days_work(client, ledger):
    ledger.new_case()  # waiting for acceptance, due within the response hours
    late = ledger.new_case("in_progress", category=ledger.road)
    Case.objects.filter(pk=late.pk).update(resolution_due=timezone.now() - timedelta(hours=2))
    ledger.new_case("dispatched", category=ledger.road, to_org=ledger.dept)
    ledger.new_case("archived", category=ledger.road)
    ledger.new_case(area=ledger.b3)  # community B: not staff_a's
    counts = page(client, ledger.staff_a).context["panels"][0]["counts"]
    assert counts == {"open": 3, "submitted": 1, "overdue": 1, "due_soon": 1, "mine": 0}
    dept = page(client, ledger.dept_member).context["panels"][0]
    # Both road cases were dispatched to the department by the routing rule.
    assert dept["counts"] == {"open": 2, "submitted": 0, "overdue": 1, "due_soon": 0, "mine": 2}
    assert not dept["triage"] and dept["chart_roots"] == []
    html = page(client, ledger.dept_member).content.decode()
    assert "/cases/?status=open&amp;assignee=me&amp;order=due" in html
    assert "待受理" not in html.split("诉求件待办", 1)[1].split("</section>", 1)[0]


def test_resident_home_reports_at_home_and_follows_their_cases(client, ledger):
    ledger.new_case("resolved", category=ledger.road)  # reported by ledger.resident
    response = page(client, ledger.resident)
    html = response.content.decode()
    assert f'href="/cases/report/{ledger.b1.code}/"' in html
    assert 'href="/cases/mine/"' in html and "1 件待评价" in html
    assert "诉求件待办" not in html
