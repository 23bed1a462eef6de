"""Staff console pages for the service menu, the reward catalogue and its hand-overs, the
neighbour coupons and the time-bank counter."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.accounts.actions import create_organisation
from gongzhi.accounts.models import OrgKind
from gongzhi.volunteering.actions.ledger import award_points, credit_hours, time_bank_balance
from gongzhi.volunteering.actions.rewards import redeem_reward
from gongzhi.volunteering.models import (
    Coupon,
    Reward,
    ServiceItem,
    TimeBankEntry,
)

M = "/volunteering/manage"


def html(response) -> str:
    return response.content.decode()


def item_data(n, **extra) -> dict:
    return {"library": "daily", "name": "上门理发", "usual_hours": "1",
            "area": n.comm_a.pk, "team": n.team.pk, "description": "行动不便的老人优先"} | extra


def test_menu_item_create_edit_and_retire(client, vol):
    n = vol
    client.force_login(n.staff_a)
    response = client.post(f"{M}/menu/new/", item_data(n, usual_hours="30"))
    assert response.status_code == 400 and "一般用时须在 0.5 到 24 小时之间" in html(response)
    assert not ServiceItem.objects.exists()
    response = client.post(f"{M}/menu/new/", item_data(n))
    item = ServiceItem.objects.get()
    assert response["Location"] == f"{M}/menu/{item.pk}/"
    assert (item.name, item.team, item.area, str(item.usual_hours)) == (
        "上门理发", n.team, n.comm_a, "1.0")
    assert f'data-item="{item.pk}"' in html(client.get(f"{M}/menu/"))
    client.post(f"{M}/menu/{item.pk}/", item_data(n, name="上门理发（男）", usual_hours="1.5"))
    item.refresh_from_db()
    assert (item.name, str(item.usual_hours)) == ("上门理发（男）", "1.5")
    client.post(f"{M}/menu/{item.pk}/retire/")
    item.refresh_from_db()
    assert not item.is_active
    response = client.post(f"{M}/menu/{item.pk}/retire/", follow=True)
    assert "该服务项目已下架" in html(response)
    client.force_login(n.staff_b)
    assert client.get(f"{M}/menu/{item.pk}/").status_code == 404
    assert client.post(f"{M}/menu/{item.pk}/", item_data(n, name="改名")).status_code == 404
    item.refresh_from_db()
    assert item.name == "上门理发（男）"


def test_a_team_from_elsewhere_is_not_offered(client, vol):
    n = vol
    client.force_login(n.staff_a)
    response = client.post(f"{M}/menu/new/", item_data(n, team=n.team_b.pk))
    assert response.status_code == 400
    assert not ServiceItem.objects.exists()


def test_reward_put_on_the_shelf_restocked_and_handed_over(client, vol):
    n = vol
    client.force_login(n.staff_a)
    response = client.post(f"{M}/rewards/", {"name": "大米 5 斤", "points": "0", "stock": "3",
                                             "area": n.comm_a.pk})
    assert response.status_code == 400 and "所需积分须为" in html(response)
    client.post(f"{M}/rewards/", {"name": "大米 5 斤", "points": "30", "stock": "1",
                                  "area": n.comm_a.pk})
    reward = Reward.objects.get()
    response = client.post(f"{M}/rewards/{reward.pk}/restock/", {f"r{reward.pk}-add": "0"})
    assert response.status_code == 400 and "补充数量须为" in html(response)
    reward.refresh_from_db()
    assert reward.stock == 1
    client.post(f"{M}/rewards/{reward.pk}/restock/", {f"r{reward.pk}-add": "5"})
    reward.refresh_from_db()
    assert reward.stock == 6

    award_points(holder=n.u1, points=50, reason="adjustment", source_key="test:gift")
    redemption = redeem_reward(reward=reward, acting_user=n.u1)
    page = html(client.get(f"{M}/rewards/"))
    assert f'data-redemption="{redemption.pk}"' in page
    client.force_login(n.staff_b)
    assert client.post(f"{M}/rewards/redemptions/{redemption.pk}/hand-over/").status_code == 404
    assert client.post(f"{M}/rewards/{reward.pk}/restock/",
                       {f"r{reward.pk}-add": "5"}).status_code == 404
    client.force_login(n.staff_a)
    client.post(f"{M}/rewards/redemptions/{redemption.pk}/hand-over/")
    redemption.refresh_from_db()
    assert redemption.handed_over_by == n.staff_a and redemption.handed_over_at
    assert f'data-redemption="{redemption.pk}"' not in html(client.get(f"{M}/rewards/"))
    reward.refresh_from_db()
    assert reward.stock == 5
    client.post(f"{M}/rewards/{reward.pk}/shelf/")
    reward.refresh_from_db()
    assert not reward.is_active and (reward.name, reward.points, reward.stock) == (
        "大米 5 斤", 30, 5)
    client.post(f"{M}/rewards/{reward.pk}/shelf/")
    reward.refresh_from_db()
    assert reward.is_active


def test_coupons_of_merchants_serving_the_area(client, vol):
    n = vol
    shop = create_organisation(kind=OrgKind.MERCHANT, code="SH-1", name="活龙便利店",
                               areas=[n.comm_a], acting_user=None)
    far = create_organisation(kind=OrgKind.MERCHANT, code="SH-2", name="德鑫超市",
                              areas=[n.comm_b], acting_user=None)
    client.force_login(n.staff_a)
    page = html(client.get(f"{M}/coupons/"))
    assert "活龙便利店" in page and "德鑫超市" not in page
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = {"merchant": shop.pk, "title": "满 20 减 5", "points": "20", "stock": "10",
            "valid_until": until, "area": n.comm_a.pk}
    response = client.post(f"{M}/coupons/", data | {"merchant": far.pk})
    assert response.status_code == 400 and not Coupon.objects.exists()
    assert client.post(f"{M}/coupons/", data).status_code == 302
    coupon = Coupon.objects.get()
    assert (coupon.merchant, coupon.stock) == (shop, 10)
    assert f'data-coupon="{coupon.pk}"' in html(client.get(f"{M}/coupons/"))
    client.post(f"{M}/coupons/{coupon.pk}/shelf/")
    coupon.refresh_from_db()
    assert not coupon.is_active and coupon.stock == 10
    client.force_login(n.staff_b)
    assert f'data-coupon="{coupon.pk}"' not in html(client.get(f"{M}/coupons/"))
    assert client.post(f"{M}/coupons/{coupon.pk}/shelf/").status_code == 404
    coupon.refresh_from_db()
    assert not coupon.is_active


def test_counter_spend_and_over_balance_refused(client, vol):
    n = vol
    credit_hours(volunteer=n.v1, hours=3, source="activity", source_key="t:1",
                 served_on=timezone.localdate(), acting_user=n.staff_a)
    client.force_login(n.staff_a)
    page = html(client.get(f"{M}/counter/", {"q": "13812341234"}))  # by phone
    assert '<dd id="units">3.0</dd>' in page
    response = client.post(f"{M}/counter/", {"holder": n.u1.pk, "units": "5",
                                             "note": "理发"})
    assert response.status_code == 400 and "时间币余额不足（余额 3.0）" in html(response)
    response = client.post(f"{M}/counter/", {"holder": n.u1.pk, "units": "", "note": "理发"})
    assert response.status_code == 400 and 'id="units">3.0<' in html(response)
    response = client.post(f"{M}/counter/", {"holder": n.u1.pk, "units": "2", "note": ""})
    assert response.status_code == 400 and "请写明兑换的服务" in html(response)
    assert not TimeBankEntry.objects.filter(kind="spend").exists()
    response = client.post(f"{M}/counter/", {"holder": n.u1.pk, "units": "2",
                                             "note": "上门理发"}, follow=True)
    assert "已记录兑换服务 2 时间币" in html(response)
    assert str(time_bank_balance(n.u1)) == "1.0"
    # Community B's staff cannot find or charge community A's resident.
    client.force_login(n.staff_b)
    page = html(client.get(f"{M}/counter/", {"q": "vol1"}))
    assert "未找到该居民，或不在您的辖区内" in page and 'id="units"' not in page
    client.post(f"{M}/counter/", {"holder": n.u1.pk, "units": "1", "note": "x"})
    assert str(time_bank_balance(n.u1)) == "1.0"
