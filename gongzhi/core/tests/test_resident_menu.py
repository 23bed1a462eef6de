"""The residents' menu: report, my cases, votes, volunteering, renovation and notifications
on every page a resident opens; staff keep the console exactly as it was."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.actions import grant_role
from gongzhi.campaigns import actions as campaigns
from gongzhi.conftest import make_user
from gongzhi.core import context_processors
from gongzhi.core.permissions import Role
from gongzhi.renewal import actions as renewal
from gongzhi.renewal.models import Management

NAV = re.compile(r'<nav class="resident-nav"[^>]*>(.*?)</nav>', re.S)
ENTRY = re.compile(r'<a href="([^"]+)"([^>]*)>([^<]+)')
REPORT = reverse("cases_resident:report", kwargs={"building_code": "CA-G1-X1-B1"})
MINE = reverse("cases_resident:mine")
EVERYDAY = [("我要报事", REPORT), ("我的诉求", MINE), ("议事表决", reverse("deliberation:home")),
            ("志愿服务", reverse("volunteering:home")), ("通知", reverse("core:inbox"))]


def menu(response) -> list[tuple[str, str]]:
    """(label, url) of every entry of the residents' menu, in order; [] when there is none."""
    found = NAV.findall(response.content.decode())
    assert len(found) <= 1
    return [(label.strip(), url) for url, _attrs, label in ENTRY.findall(found[0])] if found else []


def marked(response) -> list[str]:
    """Labels of the entries marked as the current page."""
    found = NAV.findall(response.content.decode())
    return [label.strip() for _url, attrs, label in ENTRY.findall(found[0])
            if 'aria-current="page"' in attrs]


def open_selection(n):
    """A 最美 selection of community A taking nominations."""
    now = timezone.now()
    selection = campaigns.create_selection(
        area=n.comm_a, title="最美家庭评选", rules="条件", year=now.year,
        nominations_close=now + timedelta(days=7), voting_closes=now + timedelta(days=14),
        categories=[("最美家庭", 3)], acting_user=n.staff_a)
    return campaigns.open_nominations(selection=selection, acting_user=n.staff_a)


def add_project(n):
    """A renovation project for 铁路小区, the ``resident``'s compound."""
    renewal.save_compound_record(compound=n.compound, built_year=1992, floor_area="3600.50",
                                 management=Management.NONE, problems="楼道破损",
                                 acting_user=n.staff_a)
    return renewal.create_project(name="铁路小区老旧小区改造", compounds=[n.compound],
                                  acting_user=n.staff_a)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/inbox/", MINE, "/deliberation/", "/volunteering/",
                                 REPORT, "/renewal/"])
def test_resident_sees_the_menu_on_every_page(client, street, url):
    client.force_login(street.resident)
    response = client.get(url)
    assert response.status_code == 200
    assert menu(response) == EVERYDAY  # no renovation project here: no 小区改造
    page = response.content.decode()
    assert 'class="primary"' in page.split(f'href="{REPORT}"')[1][:20]  # 我要报事 stands out
    assert "console-nav" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "current"), [
    ("/", []), (REPORT, ["我要报事"]), ("/r/CA-G1-X1-B1/", ["我要报事"]), (MINE, ["我的诉求"]),
    ("/deliberation/", ["议事表决"]), ("/volunteering/", ["志愿服务"]),
    ("/volunteering/activities/", ["志愿服务"]), ("/inbox/", ["通知"]),
])
def test_the_current_entry_is_marked(client, street, url, current):
    client.force_login(street.resident)
    assert marked(client.get(url)) == current


@pytest.mark.django_db
def test_notifications_move_into_the_menu_with_their_badge(client, street):
    client.force_login(street.resident)
    page = client.get("/").content.decode()
    header = page.split("</header>")[0]
    assert 'class="inbox-link"' not in header  # one 通知, in the menu
    nav = NAV.findall(page)[0]
    assert f'href="{reverse("core:inbox")}"' in nav and 'class="badge' in nav


@pytest.mark.django_db
def test_renovation_entry_once_the_compound_has_a_project(client, street):
    add_project(street)
    client.force_login(street.resident)
    response = client.get("/")
    assert menu(response) == [*EVERYDAY[:4], ("小区改造", reverse("renewal:home")),
                              EVERYDAY[4]]
    assert marked(client.get("/renewal/")) == ["小区改造"]
    client.force_login(make_user("liu", resident=street.r4))  # 德鑫小区: no project there
    assert ("小区改造", reverse("renewal:home")) not in menu(client.get("/"))


@pytest.mark.django_db
def test_a_user_without_a_household_has_no_report_entry(client, street):
    client.force_login(make_user("nobody"))
    assert menu(client.get("/")) == EVERYDAY[1:]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["staff_a", "worker_a1", "head_b1", "street_staff",
                                 "property_member"])
def test_console_users_keep_the_console_and_no_resident_menu(client, street, who):
    client.force_login(getattr(street, who))
    response = client.get("/")
    page = response.content.decode()
    assert 'class="console-nav"' in page and menu(response) == []
    assert 'class="inbox-link"' in page.split("</header>")[0]
    assert response.context["resident_nav"] == []


@pytest.mark.django_db
def test_a_resident_who_works_at_the_console_keeps_the_console(client, street):
    grant_role(user=street.resident, role=Role.GRID_WORKER, area=street.grid_a1,
               acting_user=None)
    client.force_login(street.resident)
    page = client.get("/").content.decode()
    assert 'class="console-nav"' in page and "resident-nav" not in page


@pytest.mark.django_db
def test_anonymous_visitors_get_no_menu(client, street):
    assert menu(client.get("/")) == []
    assert menu(client.get(REPORT)) == []  # reporting from the QR code needs no login


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/inbox/", MINE, "/"])
def test_the_menu_costs_one_query_an_entry_that_depends_on_data(client, street, monkeypatch,
                                                                url):
    """The shared read of the resident's home, and one EXISTS for each entry shown only to
    some (小区改造: a renovation to follow; 文明创建: a selection near home, say) — no more."""
    add_project(street)  # the 小区改造 entry shows: its query ran
    open_selection(street)  # and 最美评选
    client.force_login(street.resident)
    client.get(url)  # warm up (the session, content types)
    with_menu = _queries(client, url)
    entries = menu(client.get(url))
    assert ("小区改造", reverse("renewal:home")) in entries
    assert ("文明创建", reverse("campaigns:home")) in entries
    monkeypatch.setattr(context_processors, "_resident_entries", {})
    without_menu = _queries(client, url)
    assert with_menu - without_menu <= 1 + 2
