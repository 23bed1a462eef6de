"""Staff console pages: today's work, orders (派单), volunteers, rankings, who gets in, and
the admin."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.volunteering.actions.ledger import credit_hours
from gongzhi.volunteering.actions.menu import save_service_item
from gongzhi.volunteering.actions.orders import flag_stale_orders, place_order
from gongzhi.volunteering.models import (
    OrderStatus,
    PointsRule,
    ServiceOrder,
    Volunteer,
    VolunteerStatus,
)

M = "/volunteering/manage"


def html(response) -> str:
    return response.content.decode()


def section(page: str, ident: str) -> str:
    match = re.search(rf'<section[^>]*id="{ident}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section #{ident}"
    return match.group(1)


def login(client, user):
    client.force_login(user)
    return client


def an_order(n) -> ServiceOrder:
    item = save_service_item(acting_user=n.staff_a, library="daily", name="修水管",
                             usual_hours="1", area=n.comm_a, team=n.team)
    return place_order(item=item, acting_user=n.resident, description="厨房水管漏水")


# --- orders ----------------------------------------------------------------------------------


def test_dispatch_from_the_order_page_tells_the_volunteer(client, vol):
    n = vol
    order = an_order(n)
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/orders/{order.pk}/"))
    assert "厨房水管漏水" in page and "居民点单" in page
    assert f'value="{n.v1.pk}"' in page and n.team.name in page
    response = c.post(f"{M}/orders/{order.pk}/dispatch/", {"volunteer": n.v1.pk})
    assert response.status_code == 302 and response["Location"] == f"{M}/orders/{order.pk}/"
    order.refresh_from_db()
    assert (order.status, order.volunteer) == (OrderStatus.DISPATCHED, n.v1)
    assert Notification.objects.filter(recipient=n.u1,
                                       kind="volunteering.order_dispatched").count() == 1
    assert "派单" in html(c.get(f"{M}/orders/{order.pk}/"))


def test_dispatch_to_nobody_or_twice_is_refused_and_changes_nothing(client, vol):
    n = vol
    order = an_order(n)
    c = login(client, n.staff_a)
    response = c.post(f"{M}/orders/{order.pk}/dispatch/", {})
    assert response.status_code == 400 and "请选择派给一支队伍或一名志愿者" in html(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED
    # Community B's volunteer is not offered, and a forged choice is refused by the form.
    response = c.post(f"{M}/orders/{order.pk}/dispatch/", {"volunteer": n.vb.pk})
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED and order.volunteer is None


def test_post_to_board_and_cancel_with_a_reason(client, vol):
    n = vol
    order = an_order(n)
    c = login(client, n.staff_a)
    c.post(f"{M}/orders/{order.pk}/board/")
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    response = c.post(f"{M}/orders/{order.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400 and "请说明取消原因" in html(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    c.post(f"{M}/orders/{order.pk}/cancel/", {"reason": "居民已自行解决"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_order_list_filters_by_status(client, vol):
    n = vol
    first, second = an_order(n), an_order(n)
    c = login(client, n.staff_a)
    c.post(f"{M}/orders/{second.pk}/board/")
    page = html(c.get(f"{M}/orders/", {"status": "open"}))
    assert f'data-order="{second.pk}"' in page and f'data-order="{first.pk}"' not in page
    page = html(c.get(f"{M}/orders/"))
    assert f'data-order="{second.pk}"' in page and f'data-order="{first.pk}"' in page


def test_home_lists_waiting_and_stale_orders(client, vol):
    n = vol
    stale = an_order(n)
    assert flag_stale_orders(now=timezone.now() + timedelta(days=30)) == 1
    waiting = an_order(n)  # placed after the sweep: still in time
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/"))
    assert f'data-order="{stale.pk}"' in section(page, "stale")
    assert f'data-order="{waiting.pk}"' not in section(page, "stale")
    assert f'data-order="{waiting.pk}"' in section(page, "waiting")
    for name in ("orders", "menu", "activities", "rosters", "volunteers", "rankings",
                 "rewards", "coupons", "counter"):
        assert f'href="{M}/{name}/"' in page
    # Staff of community B see none of community A's orders.
    page = html(login(client, n.staff_b).get(f"{M}/"))
    assert f'data-order="{stale.pk}"' not in page


def test_outsiders_get_404_or_403_and_nothing_changes(client, vol):
    n = vol
    order = an_order(n)
    c = login(client, n.staff_b)
    assert c.get(f"{M}/orders/{order.pk}/").status_code == 404
    assert c.post(f"{M}/orders/{order.pk}/dispatch/",
                  {"volunteer": n.v1.pk}).status_code == 404
    assert c.post(f"{M}/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert c.get(f"{M}/volunteers/{n.v1.pk}/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED
    c = login(client, n.resident)
    for url in ("/", "/orders/", f"/orders/{order.pk}/", "/volunteers/", "/rankings/",
                "/menu/", "/activities/", "/rosters/", "/rewards/", "/coupons/", "/counter/"):
        assert c.get(M + url).status_code == 403, url
    assert c.post(f"{M}/orders/{order.pk}/dispatch/",
                  {"volunteer": n.v1.pk}).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED
    client.logout()
    assert client.get(f"{M}/").status_code == 302  # to the login page


# --- volunteers ------------------------------------------------------------------------------


def test_staff_register_a_resident_as_volunteer(client, vol):
    n = vol
    c = login(client, n.staff_a)
    response = c.post(f"{M}/volunteers/", {"account": "nobody", "area": n.comm_a.pk})
    assert response.status_code == 400 and "未找到该账号" in html(response)
    assert not Volunteer.objects.filter(user=n.resident).exists()
    response = c.post(f"{M}/volunteers/", {"account": "13900001111", "area": n.comm_a.pk,
                                           "skills": "陪诊", "is_party_member": "on"})
    assert response.status_code == 400 and "请填写党员所在单位" in html(response)
    assert not Volunteer.objects.filter(user=n.resident).exists()
    response = c.post(f"{M}/volunteers/", {"account": "13900001111", "area": n.comm_a.pk,
                                           "skills": "陪诊"})
    assert response.status_code == 302
    made = Volunteer.objects.get(user=n.resident)
    assert (made.area, made.skills) == (n.comm_a, "陪诊")
    page = html(c.get(f"{M}/volunteers/"))
    assert f'data-volunteer="{made.pk}"' in page and f'data-volunteer="{n.vb.pk}"' not in page
    response = c.post(f"{M}/volunteers/", {"account": "resident", "area": n.comm_a.pk})
    assert response.status_code == 400 and "该账号已经注册为志愿者" in html(response)


def test_suspend_and_restore_and_the_printable_record(client, vol):
    n = vol
    credit_hours(volunteer=n.v1, hours=Decimal("2.5"), source="activity", source_key="t:1",
                 served_on=timezone.localdate(), acting_user=n.staff_a, note="清洁家园")
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/volunteers/{n.v1.pk}/"))
    assert "志愿服务记录证明" in page and "清洁家园" in page and "2.5" in page
    assert "@media print" in page and n.team.name in page
    c.post(f"{M}/volunteers/{n.v1.pk}/status/", {"status": "suspended", "reason": "外出"})
    n.v1.refresh_from_db()
    assert n.v1.status == VolunteerStatus.SUSPENDED
    c.post(f"{M}/volunteers/{n.v1.pk}/status/", {"status": "active"})
    n.v1.refresh_from_db()
    assert n.v1.status == VolunteerStatus.ACTIVE
    login(client, n.staff_b).post(f"{M}/volunteers/{n.v1.pk}/status/",
                                  {"status": "suspended"})
    n.v1.refresh_from_db()
    assert n.v1.status == VolunteerStatus.ACTIVE


# --- rankings --------------------------------------------------------------------------------


def test_rankings_order_and_star_levels(client, vol):
    n = vol
    today = timezone.localdate()
    for i in range(5):  # 120 hours: one star
        credit_hours(volunteer=n.v2, hours=24, source="shift", source_key=f"s:{i}",
                     served_on=today, acting_user=n.staff_a)
    credit_hours(volunteer=n.v1, hours=10, source="shift", source_key="s:x",
                 served_on=today, acting_user=n.staff_a)
    credit_hours(volunteer=n.v1, hours=24, source="shift", source_key="s:old",
                 served_on=today - timedelta(days=400), acting_user=n.staff_a)
    credit_hours(volunteer=n.vb, hours=20, source="shift", source_key="s:b",
                 served_on=today, acting_user=n.staff_b)
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/rankings/"))  # this month, by default
    ranks = re.findall(r'data-rank="(\d+)" data-volunteer="(\d+)"', page)
    assert ranks == [("1", str(n.v2.pk)), ("2", str(n.v1.pk))]  # B's volunteer not here
    assert '<option value="month" selected>' in page
    assert "10.0" in page and "34.0" in page  # this month's hours, and all time's
    page = html(c.get(f"{M}/rankings/", {"period": "all"}))
    assert re.findall(r'<td class="num">(\d+\.\d)</td>', page) == [
        "120.0", "120.0", "34.0", "34.0"]
    assert 'data-stars="1"' in page and "120.0" in page and "★" in page
    page = html(c.get(f"{M}/rankings/", {"team": n.team.pk, "period": "all"}))
    assert len(re.findall(r"data-rank=", page)) == 2
    page = html(login(client, n.street_staff).get(f"{M}/rankings/", {"area": n.comm_b.pk}))
    assert re.findall(r'data-volunteer="(\d+)"', page) == [str(n.vb.pk)]


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


def test_admin_is_read_only_and_points_rules_save_through_the_action(client, vol, superuser):
    n = vol
    order = an_order(n)
    c = login(client, superuser)
    for url in ("volunteer/", f"volunteer/{n.v1.pk}/change/", "serviceorder/",
                f"serviceorder/{order.pk}/change/", "hoursentry/", "timebankentry/",
                "pointsentry/", "activity/", "shifttemplate/", "reward/", "coupon/"):
        response = c.get(f"/admin/volunteering/{url}")
        assert response.status_code == 200, url
        assert 'name="_save"' not in html(response), url
    assert c.get("/admin/volunteering/hoursentry/add/").status_code == 403
    response = c.post("/admin/volunteering/pointsrule/add/",
                      {"code": "per_hour", "points": "5", "is_active": "on"})
    assert response.status_code == 302
    rule = PointsRule.objects.get(code="per_hour")
    assert (rule.points, rule.is_active) == (5, True)
    assert AuditEvent.objects.filter(action="volunteering.save_points_rule").count() == 1
    response = c.post(f"/admin/volunteering/pointsrule/{rule.pk}/change/",
                      {"points": "8", "is_active": ""})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.points, rule.is_active) == (8, False)
    assert AuditEvent.objects.filter(action="volunteering.save_points_rule").count() == 2
    # Community staff do not open the admin.
    assert login(client, n.staff_a).get("/admin/volunteering/volunteer/").status_code in (
        302, 403)


def test_list_pages_read_a_fixed_number_of_queries(client, vol):
    """Ten more rows on a page cost no more queries (nothing is read row by row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.volunteering.actions.volunteers import register_volunteer

    n = vol
    c = login(client, n.staff_a)
    urls = [f"{M}/", f"{M}/orders/", f"{M}/volunteers/", f"{M}/rankings/", f"{M}/menu/"]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            out.append(len(ctx))
        return out

    an_order(n)
    credit_hours(volunteer=n.v1, hours=1, source="shift", source_key="q:0",
                 served_on=timezone.localdate(), acting_user=n.staff_a)
    counts()  # warm caches (content types, sessions)
    before = counts()
    for i in range(10):
        an_order(n)
        user = make_user(f"more{i}", full_name=f"志愿者{i}")
        v = register_volunteer(user=user, community=n.comm_a, acting_user=n.staff_a)
        credit_hours(volunteer=v, hours=1, source="shift", source_key=f"q:{i + 1}",
                     served_on=timezone.localdate(), acting_user=n.staff_a)
    assert counts() == before
