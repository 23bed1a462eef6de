"""The reward catalogue (积分超市) and neighbour coupons (友邻券): points deducted once,
stock never below zero, a coupon code works once and only at its own shop."""

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.accounts.actions import add_member, create_organisation
from gongzhi.accounts.models import OrgKind
from gongzhi.areas.actions import add_resident
from gongzhi.cases.tests.test_concurrency import race
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.volunteering.actions import rewards
from gongzhi.volunteering.actions.ledger import award_points, points_balance
from gongzhi.volunteering.actions.rewards import (
    CODE_ALPHABET,
    buy_coupon,
    hand_over_redemption,
    redeem_coupon_code,
    redeem_reward,
    restock_reward,
    save_coupon,
    save_reward,
)
from gongzhi.volunteering.models import Coupon, CouponCode, PointsEntry, Redemption, Reward


def give(user, points, key="gift:1"):
    award_points(holder=user, points=points, reason="activity", source_key=key)


def reward(n, stock=3, points=50, **kw):
    return save_reward(acting_user=n.staff_a, name="环保袋", points=points, stock=stock,
                       area=kw.pop("area", n.comm_a), description="可到社区服务站领取", **kw)


def shop(n, code="SH-1", name="老街理发店"):
    org = create_organisation(kind=OrgKind.MERCHANT, code=code, name=name, areas=[n.comm_a],
                              acting_user=None)
    clerk = make_user(f"clerk-{code}")
    add_member(organisation=org, user=clerk, acting_user=None)
    return org, clerk


def coupon(n, merchant, stock=5, points=30, **kw):
    kw.setdefault("valid_until", timezone.localdate() + timedelta(days=30))
    return save_coupon(acting_user=n.staff_a, merchant=merchant, title="理发八折", points=points,
                       stock=stock, area=n.comm_a, **kw)


def test_staff_put_rewards_on_their_own_shelf_only(vol):
    item = reward(vol)
    assert (item.area_path, item.stock, item.points) == (vol.comm_a.path, 3, 50)
    with pytest.raises(PermissionDenied):
        save_reward(acting_user=vol.staff_b, name="x", points=1, stock=1, area=vol.comm_a)
    with pytest.raises(PermissionDenied):  # nor move someone else's reward
        save_reward(acting_user=vol.staff_b, name="x", points=1, stock=1, area=vol.comm_b,
                    reward=item)
    for bad in ({"name": " "}, {"points": 0}, {"stock": -1}, {"points": "many"}):
        with pytest.raises(ValidationError):
            save_reward(**({"acting_user": vol.staff_a, "name": "袋", "points": 5, "stock": 1,
                            "area": vol.comm_a} | bad))
    assert Reward.objects.count() == 1
    assert AuditEvent.objects.filter(action="volunteering.save_reward").count() == 1


def test_redeeming_deducts_points_once_and_one_off_the_stock(vol):
    item = reward(vol, stock=3, points=50)
    give(vol.u1, 120)
    redemption = redeem_reward(reward=item, acting_user=vol.u1)
    assert points_balance(vol.u1) == 70
    assert Reward.objects.get(pk=item.pk).stock == 2
    assert (redemption.holder, redemption.points) == (vol.u1, 50)
    entry = PointsEntry.objects.get(holder=vol.u1, reason="reward")
    assert (entry.points, entry.source_key) == (-50, f"reward:{redemption.pk}")
    assert Notification.objects.filter(recipient=vol.u1,
                                       kind="volunteering.reward_redeemed").exists()
    assert AuditEvent.objects.filter(action="volunteering.redeem_reward").count() == 1


def test_out_of_stock_is_refused_and_nothing_changes(vol):
    item = reward(vol, stock=1, points=50)
    give(vol.u1, 200)
    give(vol.u2, 200)
    redeem_reward(reward=item, acting_user=vol.u1)
    with pytest.raises(ValidationError) as err:
        redeem_reward(reward=item, acting_user=vol.u2)
    assert "已兑完" in str(err.value)
    assert points_balance(vol.u2) == 200 and Redemption.objects.count() == 1
    assert Reward.objects.get(pk=item.pk).stock == 0
    restock_reward(reward=item, add=2, acting_user=vol.staff_a)
    redeem_reward(reward=item, acting_user=vol.u2)
    assert Reward.objects.get(pk=item.pk).stock == 1


def test_not_enough_points_is_refused(vol):
    item = reward(vol, stock=3, points=50)
    give(vol.u1, 49)
    with pytest.raises(ValidationError) as err:
        redeem_reward(reward=item, acting_user=vol.u1)
    assert "积分不足" in str(err.value)
    assert points_balance(vol.u1) == 49 and Reward.objects.get(pk=item.pk).stock == 3
    assert not Redemption.objects.exists()


def test_rewards_are_for_people_of_the_area_and_on_the_shelf(vol):
    item = reward(vol)
    give(vol.ub, 500)
    with pytest.raises(PermissionDenied):  # vol_b lives and serves in community B
        redeem_reward(reward=item, acting_user=vol.ub)
    street_item = save_reward(acting_user=vol.street_staff, name="毛巾", points=10, stock=1,
                              area=vol.street)
    redeem_reward(reward=street_item, acting_user=vol.ub)  # a street shelf serves both
    save_reward(acting_user=vol.staff_a, name="环保袋", points=50, stock=3, area=vol.comm_a,
                reward=item, is_active=False)
    give(vol.u1, 500)
    with pytest.raises(ValidationError):
        redeem_reward(reward=item, acting_user=vol.u1)
    assert points_balance(vol.u1) == 500


def test_staff_hand_over_a_redemption_once(vol):
    item = reward(vol)
    give(vol.u1, 100)
    redemption = redeem_reward(reward=item, acting_user=vol.u1)
    with pytest.raises(PermissionDenied):
        hand_over_redemption(redemption=redemption, acting_user=vol.staff_b)
    done = hand_over_redemption(redemption=redemption, acting_user=vol.staff_a)
    assert done.handed_over_by == vol.staff_a and done.handed_over_at is not None
    with pytest.raises(ValidationError):
        hand_over_redemption(redemption=redemption, acting_user=vol.staff_a)


def test_coupons_are_for_merchants_with_a_future_date(vol):
    merchant, _clerk = shop(vol)
    with pytest.raises(ValidationError):
        coupon(vol, vol.team)  # a volunteer team is no shop
    with pytest.raises(ValidationError):
        coupon(vol, merchant, valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        save_coupon(acting_user=vol.staff_b, merchant=merchant, title="x", points=1, stock=1,
                    valid_until=timezone.localdate(), area=vol.comm_a)
    made = coupon(vol, merchant, valid_until=timezone.localdate().isoformat())
    assert made.valid_until == timezone.localdate() and Coupon.objects.count() == 1


def test_a_coupon_code_works_once_and_only_at_its_shop(vol):
    merchant, clerk = shop(vol)
    _other_shop, other_clerk = shop(vol, code="SH-2", name="邻家超市")
    offer = coupon(vol, merchant, stock=2, points=30)
    give(vol.u1, 100)
    code = buy_coupon(coupon=offer, acting_user=vol.u1)
    assert len(code.code) == 10 and set(code.code) <= set(CODE_ALPHABET)
    assert points_balance(vol.u1) == 70 and Coupon.objects.get(pk=offer.pk).stock == 1
    bought = Notification.objects.get(recipient=vol.u1, kind="volunteering.coupon_bought")
    assert "老街理发店" in bought.body
    assert code.code not in str(AuditEvent.objects.get(action="volunteering.buy_coupon").after)
    for outsider in (other_clerk, vol.u1, vol.staff_a):
        with pytest.raises(PermissionDenied):
            redeem_coupon_code(code=code.code, acting_user=outsider)
    # Typed at the till in lower case with a space: still the same code.
    typed = f"{code.code[:5].lower()} {code.code[5:]}"
    used = redeem_coupon_code(code=typed, acting_user=clerk)
    assert used.redeemed_by == clerk and used.redeemed_at is not None
    with pytest.raises(ValidationError) as err:
        redeem_coupon_code(code=code.code, acting_user=clerk)
    assert "该券已使用" in str(err.value)
    assert CouponCode.objects.get(pk=code.pk).redeemed_at == used.redeemed_at
    assert Notification.objects.filter(recipient=vol.u1,
                                       kind="volunteering.coupon_redeemed").count() == 1
    assert AuditEvent.objects.filter(action="volunteering.redeem_coupon_code").count() == 1


def test_unknown_and_expired_codes_are_refused_clearly(vol):
    merchant, clerk = shop(vol)
    offer = coupon(vol, merchant)
    give(vol.u1, 100)
    code = buy_coupon(coupon=offer, acting_user=vol.u1)
    with pytest.raises(ValidationError) as err:
        redeem_coupon_code(code="ZZZZZZZZZZ", acting_user=clerk)
    assert "券码不存在" in str(err.value)
    Coupon.objects.filter(pk=offer.pk).update(valid_until=timezone.localdate()
                                              - timedelta(days=1))  # a month later
    with pytest.raises(ValidationError) as err:
        redeem_coupon_code(code=code.code, acting_user=clerk)
    assert "该券已过期" in str(err.value)
    assert CouponCode.objects.get(pk=code.pk).redeemed_at is None
    with pytest.raises(ValidationError) as err:
        buy_coupon(coupon=offer, acting_user=vol.u1)
    assert "已过期" in str(err.value) and points_balance(vol.u1) == 70


def test_coupon_stock_and_points_as_for_rewards(vol):
    merchant, _clerk = shop(vol)
    offer = coupon(vol, merchant, stock=1, points=30)
    give(vol.u1, 40)
    give(vol.u2, 10)
    with pytest.raises(ValidationError):
        buy_coupon(coupon=offer, acting_user=vol.u2)  # 10 points, 30 needed
    buy_coupon(coupon=offer, acting_user=vol.u1)
    give(vol.u2, 100, key="gift:2")
    with pytest.raises(ValidationError) as err:
        buy_coupon(coupon=offer, acting_user=vol.u2)
    assert "已兑完" in str(err.value)
    assert CouponCode.objects.count() == 1 and points_balance(vol.u2) == 110


@pytest.fixture
def slow_balance(monkeypatch):
    """A pause between reading a balance and spending it, so racing threads overlap."""
    read = rewards.points_balance

    def slow(user):
        balance = read(user)
        time.sleep(0.3)
        return balance

    monkeypatch.setattr(rewards, "points_balance", slow)


def neighbours(n, count):
    """``count`` residents of household h2 (community A), each with 100 points."""
    users = []
    for i in range(count):
        person = add_resident(household=n.h2, name=f"邻居{i}", acting_user=None)
        user = make_user(f"neighbour{i}", resident=person)
        give(user, 100)
        users.append(user)
    return users


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_five_people_take_the_last_item_at_once(vol, slow_balance):
    item = reward(vol, stock=1, points=50)
    people = neighbours(vol, 5)
    results, errors = race(*[
        (lambda who: lambda: redeem_reward(reward=item, acting_user=who))(p) for p in people])
    assert len(results) == 1 and len(errors) == 4
    assert all(isinstance(e, ValidationError) and "已兑完" in str(e) for e in errors)
    assert Redemption.objects.count() == 1 and Reward.objects.get(pk=item.pk).stock == 0
    assert PointsEntry.objects.filter(reason="reward").count() == 1
    winner = results[0].holder
    assert points_balance(winner) == 50
    assert sorted(points_balance(p) for p in people) == [50, 100, 100, 100, 100]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_holder_cannot_spend_the_same_points_twice_at_once(vol, slow_balance):
    a = reward(vol, stock=5, points=80)
    b = save_reward(acting_user=vol.staff_a, name="雨伞", points=80, stock=5, area=vol.comm_a)
    give(vol.u1, 100)
    results, errors = race(lambda: redeem_reward(reward=a, acting_user=vol.u1),
                           lambda: redeem_reward(reward=b, acting_user=vol.u1))
    assert len(results) == 1 and len(errors) == 1
    assert "积分不足" in str(errors[0])
    assert points_balance(vol.u1) == 20
    assert Reward.objects.get(pk=a.pk).stock + Reward.objects.get(pk=b.pk).stock == 9


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_tills_take_the_same_code_at_once(vol, monkeypatch):
    merchant, clerk = shop(vol)
    # Both tills have seen the code unused before either marks it: only the conditional
    # UPDATE stands between them.
    slow = SimpleNamespace(localdate=timezone.localdate,
                           now=lambda: (time.sleep(0.3), timezone.now())[1])
    second_clerk = make_user("clerk-2")
    add_member(organisation=merchant, user=second_clerk, acting_user=None)
    give(vol.u1, 100)
    code = buy_coupon(coupon=coupon(vol, merchant), acting_user=vol.u1)
    monkeypatch.setattr(rewards, "timezone", slow)
    results, errors = race(lambda: redeem_coupon_code(code=code.code, acting_user=clerk),
                           lambda: redeem_coupon_code(code=code.code, acting_user=second_clerk))
    assert len(results) == 1 and len(errors) == 1 and "该券已使用" in str(errors[0])
    assert CouponCode.objects.get(pk=code.pk).redeemed_by == results[0].redeemed_by
