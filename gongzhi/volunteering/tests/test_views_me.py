"""The volunteer's own pages: registering (own community, 双报到), the card after hours are
credited, giving units to family, the reward catalogue, coupons bought and taken at the
shop's till once, the printable service record and the home panel."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from gongzhi.areas.actions import add_resident
from gongzhi.conftest import make_user
from gongzhi.volunteering.actions.activities import sign_up
from gongzhi.volunteering.actions.bank import save_points_rule
from gongzhi.volunteering.actions.ledger import (
    credit_hours,
    hours_total,
    points_balance,
    star_level,
    time_bank_balance,
)
from gongzhi.volunteering.models import CouponCode, Redemption, Reward, TimeBankEntry, Volunteer
from gongzhi.volunteering.panels_me import volunteer_panel
from gongzhi.volunteering.tests.test_activities import publish
from gongzhi.volunteering.tests.test_rewards import coupon, give, reward, shop


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def credit(n, volunteer, hours, key):
    return credit_hours(volunteer=volunteer, hours=Decimal(hours), source="activity",
                        source_key=key, served_on=timezone.localdate(), acting_user=n.staff_a,
                        note="清洁家园")


def family_member(n):
    """A second member of vol1's household (h1) with an account."""
    resident = add_resident(household=n.h1, name="王小明", acting_user=None)
    return make_user("family", full_name="王小明", resident=resident)


# --- registering ------------------------------------------------------------------------------


def test_register_preselects_home_community_and_registers(vol, client):
    login(client, vol.resident)
    page = text(client.get(reverse("volunteering:register")))
    assert f'<option value="{vol.comm_a.pk}" selected>' in page
    response = client.post(reverse("volunteering:register"),
                           {"community": vol.comm_a.pk, "skills": "书法", "availability": "周末"},
                           follow=True)
    assert "注册成功" in text(response)
    volunteer = Volunteer.objects.get(user=vol.resident)
    assert (volunteer.area, volunteer.skills, volunteer.is_party_member) == (vol.comm_a, "书法",
                                                                              False)
    # A second visit goes to the card.
    assert client.get(reverse("volunteering:register")).url == reverse("volunteering:me")


def test_register_elsewhere_needs_party_member_with_unit(vol, client):
    login(client, vol.resident)
    url = reverse("volunteering:register")
    page = text(client.post(url, {"community": vol.comm_b.pk}))
    assert "只能在自己居住的社区注册" in page
    page = text(client.post(url, {"community": vol.comm_b.pk, "is_party_member": "on"}))
    assert "请填写党员所在单位" in page
    assert not Volunteer.objects.filter(user=vol.resident).exists()
    client.post(url, {"community": vol.comm_b.pk, "is_party_member": "on",
                      "party_unit": "区税务局"})
    volunteer = Volunteer.objects.get(user=vol.resident)
    assert (volunteer.area, volunteer.party_unit) == (vol.comm_b, "区税务局")


def test_register_outside_the_street_is_not_offered(vol, client):
    from gongzhi.areas.actions import create_area
    from gongzhi.areas.models import AreaKind

    other_street = create_area(kind=AreaKind.STREET, code="S2", name="别的街道",
                               parent=vol.district, acting_user=None)
    far = create_area(kind=AreaKind.COMMUNITY, code="S2C", name="远方社区", parent=other_street,
                      acting_user=None)
    login(client, vol.resident)
    page = text(client.post(reverse("volunteering:register"),
                            {"community": far.pk, "is_party_member": "on", "party_unit": "单位"}))
    assert "请选择本街道的社区" in page
    assert not Volunteer.objects.filter(user=vol.resident).exists()


def test_pages_need_login(vol, client):
    for name in ("me", "register", "transfer", "rewards", "service_record", "coupon_redeem"):
        response = client.get(reverse(f"volunteering:{name}"))
        assert response.status_code == 302 and "login" in response.url, name


# --- the card ---------------------------------------------------------------------------------


def test_me_shows_hours_stars_points_after_credit(vol, client):
    save_points_rule(code="per_hour", points=2, is_active=True, acting_user=vol.admin)
    for i in range(5):
        credit(vol, vol.v1, "20", f"t:{i}")
    credit(vol, vol.v1, "4.5", "t:last")
    hours = hours_total(vol.v1)
    assert hours == Decimal("104.5")
    page = text(login(client, vol.u1).get(reverse("volunteering:me")))
    assert f'id="hours">{hours}<' in page
    assert star_level(hours) == 1 and "★☆☆☆☆" in page and "1 星" in page
    assert "再服务 195.5 小时升一星" in page
    assert f'id="points">{points_balance(vol.u1)}<' in page and points_balance(vol.u1) == 209
    assert f'id="units">{time_bank_balance(vol.u1)}<' in page
    assert "清洁家园" in page


def test_me_for_a_non_volunteer_links_to_register_and_shows_family_units(vol, client):
    credit(vol, vol.v1, "6", "t:1")
    family = family_member(vol)
    login(client, vol.u1).post(reverse("volunteering:transfer"),
                               {"to_user": family.pk, "units": "2.5"})
    page = text(login(client, family).get(reverse("volunteering:me")))
    assert reverse("volunteering:register") in page
    assert 'id="units">2.5<' in page


# --- time bank --------------------------------------------------------------------------------


def test_transfer_to_a_household_member_and_not_to_a_stranger(vol, client):
    credit(vol, vol.v1, "6", "t:1")
    family = family_member(vol)
    login(client, vol.u1)
    url = reverse("volunteering:transfer")
    page = text(client.get(url))
    assert f'<option value="{family.pk}">王小明</option>' in page
    assert f'<option value="{vol.resident.pk}"' not in page
    response = client.post(url, {"to_user": family.pk, "units": "2"}, follow=True)
    assert "已转给" in text(response)
    assert (time_bank_balance(vol.u1), time_bank_balance(family)) == (Decimal(4), Decimal(2))
    page = text(client.post(url, {"to_user": vol.resident.pk, "units": "1"}))
    assert "只能转给同一户的家庭成员" in page
    page = text(client.post(url, {"to_user": family.pk, "units": "50"}))
    assert "时间币余额不足" in page
    assert time_bank_balance(vol.resident) == 0 and time_bank_balance(vol.u1) == 4
    assert TimeBankEntry.objects.filter(kind="transfer_out").count() == 1


# --- rewards and coupons ----------------------------------------------------------------------


def test_reward_redeem_reduces_points_and_stock_out_of_stock_refused(vol, client):
    item = reward(vol, stock=1, points=50)
    give(vol.u1, 120)
    give(vol.u2, 120, key="gift:2")
    login(client, vol.u1)
    page = text(client.get(reverse("volunteering:rewards")))
    assert "环保袋" in page and "剩余 1 件" in page and 'id="points">120<' in page
    url = reverse("volunteering:reward_redeem", args=[item.pk])
    response = client.post(url, follow=True)
    assert "已兑换“环保袋”" in text(response)
    assert points_balance(vol.u1) == 70 and Reward.objects.get(pk=item.pk).stock == 0
    login(client, vol.u2)
    assert "已兑完" in text(client.get(reverse("volunteering:rewards")))
    response = client.post(url, follow=True)
    assert "已兑完" in text(response)
    assert points_balance(vol.u2) == 120
    assert Redemption.objects.count() == 1


def test_not_enough_points_is_refused(vol, client):
    item = reward(vol, stock=3, points=500)
    give(vol.u1, 10)
    response = login(client, vol.u1).post(reverse("volunteering:reward_redeem", args=[item.pk]),
                                          follow=True)
    assert "积分不足" in text(response)
    assert points_balance(vol.u1) == 10 and Reward.objects.get(pk=item.pk).stock == 3


def test_coupon_bought_shown_then_redeemed_once_at_the_shop(vol, client):
    merchant, clerk = shop(vol)
    offer = coupon(vol, merchant, stock=2, points=30)
    give(vol.u1, 100)
    login(client, vol.u1)
    response = client.post(reverse("volunteering:coupon_buy", args=[offer.pk]), follow=True)
    code = CouponCode.objects.get(holder=vol.u1)
    page = text(response)
    assert f'<span class="code">{code.code}</span>' in page and "理发八折" in page
    assert offer.valid_until.isoformat() in page
    assert points_balance(vol.u1) == 70

    login(client, clerk)
    url = reverse("volunteering:coupon_redeem")
    assert "老街理发店" in text(client.get(url))
    response = client.post(url, {"code": code.code.lower()}, follow=True)
    assert "核销成功：理发八折" in text(response)
    assert code.code in text(response)  # in the shop's recent list
    page = text(client.post(url, {"code": code.code}))
    assert "该券已使用" in page
    code.refresh_from_db()
    assert code.redeemed_by == clerk

    page = text(login(client, vol.u1).get(reverse("volunteering:me")))
    assert code.code in page and "已使用" in page


def test_shop_page_is_for_shop_members_only(vol, client):
    merchant, _clerk = shop(vol)
    offer = coupon(vol, merchant)
    give(vol.u1, 100)
    login(client, vol.u1).post(reverse("volunteering:coupon_buy", args=[offer.pk]))
    code = CouponCode.objects.get()
    login(client, vol.u2)
    assert client.get(reverse("volunteering:coupon_redeem")).status_code == 403
    assert client.post(reverse("volunteering:coupon_redeem"),
                       {"code": code.code}).status_code == 403
    other, other_clerk = shop(vol, code="SH-2", name="隔壁超市")
    page = text(login(client, other_clerk).post(reverse("volunteering:coupon_redeem"),
                                                {"code": code.code}))
    assert "这不是本店的友邻券" in page
    page = text(client.post(reverse("volunteering:coupon_redeem"), {"code": "NOPE"}))
    assert "券码不存在" in page
    assert CouponCode.objects.get().redeemed_at is None


# --- the printable record and the panel -------------------------------------------------------


def test_service_record_lists_entries_and_totals(vol, client):
    credit(vol, vol.v1, "3", "t:1")
    credit_hours(volunteer=vol.v1, hours=Decimal("8"), source="shift", source_key="t:2",
                 served_on=timezone.localdate() - timedelta(days=3), acting_user=vol.staff_a,
                 note="监控室值守")
    page = text(login(client, vol.u1).get(reverse("volunteering:service_record")))
    assert "志愿服务记录证明" in page and "王秀英" in page
    assert "清洁家园" in page and "监控室值守" in page
    assert 'id="total">11.0<' in page
    assert "@media print" in page and ".site-header" in page
    assert page.index("监控室值守") < page.index("清洁家园")  # oldest first
    # Not a volunteer: sent to register.
    response = login(client, vol.resident).get(reverse("volunteering:service_record"))
    assert response.url == reverse("volunteering:register")


def test_home_panel_only_for_volunteers(vol):
    credit(vol, vol.v1, "5", "t:1")
    request = RequestFactory().get("/")
    request.user = vol.u1
    panel = volunteer_panel(request)
    assert panel["hours"] == Decimal("5.0") and panel["stars"] == 0
    html = render_to_string("volunteering/me/panel.html", {"panel": panel})
    assert "5.0 小时" in html and reverse("volunteering:me") in html
    activity = publish(vol)
    sign_up(activity=activity, acting_user=vol.u1)
    html = render_to_string("volunteering/me/panel.html", {"panel": volunteer_panel(request)})
    assert "下一个活动：清洁家园" in html
    request.user = vol.resident
    assert volunteer_panel(request) is None


@pytest.mark.parametrize("name", ["reward_redeem", "coupon_buy"])
def test_unknown_offer_is_404(vol, client, name):
    response = login(client, vol.u1).post(reverse(f"volunteering:{name}", args=[9999]))
    assert response.status_code == 404
