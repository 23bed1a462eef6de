"""门前三包 actions and the monthly score: registering, contracts, inspections with photos,
re-inspection, repeated failures as a case, the 红黑榜 once a month — with who may."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.accounts.models import OrgKind
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns import selectors_shops as sel
from gongzhi.campaigns.actions.shops import DEFAULT_TERMS
from gongzhi.campaigns.models import Inspection, InspectionResult, Listing, ShopBoard
from gongzhi.campaigns.tests.fixtures_shops import jpeg, local, months_ago
from gongzhi.cases.models import Case, Source
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.notices.models import NoticeStatus

pytestmark = pytest.mark.django_db


def inspect(n, shop, fails=(), *, at=None, by=None, again=None, photos=None):
    """An inspection failing the named duties ('s', 'g', 'o')."""
    return ca.inspect_shop(
        shop=shop, sanitation_ok="s" not in fails, greenery_ok="g" not in fails,
        order_ok="o" not in fails, note="门前堆放杂物" if fails else "",
        photos=[jpeg()] if photos is None and fails else (photos or ()),
        reinspection_of=again, inspected_at=at, acting_user=by or n.worker_a1)


# --- registering and contracts -------------------------------------------------------------


def test_register_creates_the_merchant_organisation_on_its_grid(shops):
    n = shops
    org = n.shop_a1.organisation
    assert org.kind == OrgKind.MERCHANT and org.name == "老王早餐店"
    assert list(org.areas.all()) == [n.grid_a1]
    assert n.shop_a1.area_path == n.grid_a1.path
    assert org.code != n.shop_a2.organisation.code
    assert AuditEvent.objects.filter(action="campaigns.register_shop").count() == 3
    # Edit: the same shop and organisation, moved to the other grid.
    moved = ca.register_shop(shop=n.shop_a1, name="老王早点", area=n.grid_a2,
                             address="活龙路 14 号", responsible_person="王建华",
                             responsible_phone="13511112222", acting_user=n.staff_a)
    org.refresh_from_db()
    assert moved.pk == n.shop_a1.pk and org.name == "老王早点"
    assert list(org.areas.all()) == [n.grid_a2] and moved.area_path == n.grid_a2.path


def test_register_checks_phone_place_and_who(shops):
    n = shops
    fields = dict(name="新店", address="活龙路 1 号", responsible_person="张三",
                  responsible_phone="13500000000")
    with pytest.raises(ValidationError) as exc:
        ca.register_shop(area=n.grid_a1, **{**fields, "responsible_phone": "电话"},
                         acting_user=n.staff_a)
    assert "responsible_phone" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        ca.register_shop(area=n.comm_a, **fields, acting_user=n.staff_a)
    assert "area" in exc.value.error_dict  # a community itself is no grid
    for user in (n.worker_a1, n.staff_b, n.resident):
        with pytest.raises(PermissionDenied):
            ca.register_shop(area=n.grid_a1, **fields, acting_user=user)
    with pytest.raises(PermissionDenied):  # staff of B may not take A's shop
        ca.register_shop(shop=n.shop_a1, area=n.b3.parent, **fields, acting_user=n.staff_b)
    ca.register_shop(area=n.grid_a1, **fields, acting_user=n.street_staff)


def test_contracts_need_an_ordered_period_that_overlaps_no_other(shops):
    n = shops
    sign = dict(shop=n.shop_a1, signed_on=date(2026, 1, 1), signed_by_shop="王建华",
                acting_user=n.staff_a)
    contract = ca.sign_shop_contract(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                                     **sign)
    assert contract.terms == DEFAULT_TERMS and "包绿化" in contract.terms
    assert contract.signed_for == n.staff_a
    with pytest.raises(ValidationError) as exc:
        ca.sign_shop_contract(starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 1), **sign)
    assert "ends_on" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        ca.sign_shop_contract(starts_on=date(2026, 12, 31), ends_on=date(2027, 12, 31), **sign)
    assert "starts_on" in exc.value.error_dict  # one day of overlap is an overlap
    ca.sign_shop_contract(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), **sign)
    with pytest.raises(PermissionDenied):
        ca.sign_shop_contract(**{**sign, "acting_user": n.worker_a1},
                              starts_on=date(2028, 1, 1), ends_on=date(2028, 12, 31))
    with pytest.raises(PermissionDenied):
        ca.sign_shop_contract(**{**sign, "acting_user": n.staff_b},
                              starts_on=date(2028, 1, 1), ends_on=date(2028, 12, 31))


# --- inspections -----------------------------------------------------------------------------


def test_a_problem_needs_a_note_and_a_photo_and_tells_the_shop(shops):
    n = shops
    with pytest.raises(ValidationError) as exc:
        inspect(n, n.shop_a1, "s", photos=[])
    assert "photos" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        ca.inspect_shop(shop=n.shop_a1, sanitation_ok=False, greenery_ok=True, order_ok=True,
                        photos=[jpeg()], acting_user=n.worker_a1)
    assert "note" in exc.value.error_dict
    assert not Inspection.objects.exists()
    problem = inspect(n, n.shop_a1, "so")
    assert problem.result == InspectionResult.PROBLEM and problem.photos.count() == 1
    assert [str(d) for d in problem.failed_duties] == ["包市容环境卫生", "包秩序"]
    told = Notification.objects.get(recipient=n.shopkeeper)
    assert told.kind == "campaigns.shop_problem" and "包秩序" in told.title
    passed = inspect(n, n.shop_a1)
    assert passed.result == InspectionResult.PASS and passed.photos.count() == 0


def test_who_inspects(shops):
    n = shops
    inspect(n, n.shop_a1, by=n.worker_a1)
    inspect(n, n.shop_a1, by=n.staff_a)
    for user in (n.worker_a2, n.staff_b, n.resident, n.shopkeeper):
        with pytest.raises(PermissionDenied):
            inspect(n, n.shop_a1, by=user)
    with pytest.raises(ValidationError):
        inspect(n, n.shop_a1, at=timezone.now() + timedelta(hours=2))


def test_a_passing_reinspection_closes_the_problem(shops):
    n = shops
    problem = inspect(n, n.shop_a1, "g", at=timezone.now() - timedelta(days=2))
    assert list(sel.open_problems(n.shop_a1)) == [problem]
    failed_again = inspect(n, n.shop_a1, "g", again=problem,
                           at=timezone.now() - timedelta(days=1))
    problem.refresh_from_db()
    assert failed_again.result == InspectionResult.PROBLEM and problem.rectified_at is None
    assert list(sel.open_problems(n.shop_a1)) == [problem]  # still the one problem
    with pytest.raises(ValidationError):  # re-inspections look at the problem itself
        inspect(n, n.shop_a1, again=failed_again)
    done = inspect(n, n.shop_a1, again=problem)
    problem.refresh_from_db()
    assert problem.rectified_at == done.inspected_at
    assert list(sel.open_problems(n.shop_a1)) == []
    assert Notification.objects.filter(recipient=n.shopkeeper,
                                       kind="campaigns.shop_rectified").count() == 1
    with pytest.raises(ValidationError):  # closed: nothing to re-inspect
        inspect(n, n.shop_a1, again=problem)
    other = inspect(n, n.shop_a2, "s", by=n.worker_a2)
    with pytest.raises(ValidationError):  # another shop's problem
        inspect(n, n.shop_a1, again=other)


# --- the score ------------------------------------------------------------------------------


def test_the_score_with_known_figures(shops):
    n = shops
    month = months_ago(2)
    # Shop A1: 1 failed duty (rectified on the 12th), then 2 failed duties left open, and
    # the passing re-inspection: 100 - 10 × (1 + 2) - 10 × 1 = 60 → 黑榜.
    first = inspect(n, n.shop_a1, "s", at=local(month, 5))
    inspect(n, n.shop_a1, "go", at=local(month, 10))
    inspect(n, n.shop_a1, again=first, at=local(month, 12))
    # Shop A2: one clean inspection: 100 → 红榜. Shop B: not inspected, no score.
    inspect(n, n.shop_a2, at=local(month, 7), by=n.worker_a2)
    # Last month's and this month's inspections do not count.
    inspect(n, n.shop_a1, "sgo", at=local(months_ago(1), 2))
    scores = {s.shop.pk: s for s in sel.month_scores(n.comm_a, month)}
    a1, a2 = scores[n.shop_a1.pk], scores[n.shop_a2.pk]
    assert (a1.inspections, a1.problems, a1.failed, a1.unrectified) == (3, 2, 3, 1)
    assert a1.score == 60 and a1.listing == Listing.BLACK
    assert a2.score == 100 and a2.listing == Listing.RED
    assert set(scores) == {n.shop_a1.pk, n.shop_a2.pk}
    assert sel.month_scores(n.street, month)[0].shop == n.shop_a2  # best first


def test_a_problem_rectified_after_the_month_still_costs_that_month(shops):
    n = shops
    month = months_ago(2)
    problem = inspect(n, n.shop_a1, "s", at=local(month, 28))
    inspect(n, n.shop_a1, again=problem, at=local(months_ago(1), 3))
    [score] = sel.month_scores(n.comm_a, month)
    assert score.score == 100 - 10 - 10  # the failure, and open at the month's end
    [after] = sel.month_scores(n.comm_a, months_ago(1))
    assert after.score == 100 and after.unrectified == 0


def test_red_and_black_at_the_boundaries():
    assert sel.listing_for(90) == Listing.RED and sel.listing_for(89) == Listing.NONE
    assert sel.listing_for(70) == Listing.NONE and sel.listing_for(69) == Listing.BLACK
    assert (sel.RED_FROM, sel.BLACK_BELOW) == (90, 70)
    assert sel.score_of(1, 0) == 90 and sel.score_of(3, 0) == 70
    assert sel.score_of(12, 3) == 0  # never below 0


def test_boundary_scores_from_inspections(shops):
    n = shops
    month = months_ago(2)
    inspect(n, n.shop_a1, "s", at=local(month, 3))
    again = inspect(n, n.shop_a2, "s", at=local(month, 3), by=n.worker_a2)
    inspect(n, n.shop_a2, again=again, at=local(month, 4), by=n.worker_a2)
    scores = {s.shop.pk: s for s in sel.month_scores(n.comm_a, month)}
    assert scores[n.shop_a2.pk].score == 90 and scores[n.shop_a2.pk].listing == Listing.RED
    assert scores[n.shop_a1.pk].score == 80 and scores[n.shop_a1.pk].listing == Listing.NONE


# --- repeated failures become a case ---------------------------------------------------------


def test_open_a_case_after_three_problems_in_thirty_days_once(shops):
    n = shops
    now = timezone.now()
    inspect(n, n.shop_a1, "s", at=now - timedelta(days=40))  # too long ago
    inspect(n, n.shop_a1, "s", at=now - timedelta(days=20))
    inspect(n, n.shop_a1, "g", at=now - timedelta(days=10))
    with pytest.raises(ValidationError):
        ca.open_shop_case(shop=n.shop_a1, acting_user=n.staff_a)
    assert sel.repeated_failures(n.shop_a1) == 0
    inspect(n, n.shop_a1, "o", at=now - timedelta(days=1))
    assert sel.repeated_failures(n.shop_a1) == 3
    with pytest.raises(PermissionDenied):
        ca.open_shop_case(shop=n.shop_a1, acting_user=n.worker_a1)
    with pytest.raises(PermissionDenied):
        ca.open_shop_case(shop=n.shop_a1, acting_user=n.staff_b)
    case = ca.open_shop_case(shop=n.shop_a1, acting_user=n.staff_a)
    assert case.source == Source.PATROL and case.area_id == n.grid_a1.pk
    assert "老王早餐店" in case.title and "包秩序" in case.description
    linked = Inspection.objects.filter(case=case)
    assert linked.count() == 3
    assert not linked.filter(inspected_at__lt=now - timedelta(days=30)).exists()
    with pytest.raises(ValidationError):
        ca.open_shop_case(shop=n.shop_a1, acting_user=n.staff_a)
    assert Case.objects.count() == 1


# --- the board ------------------------------------------------------------------------------


def test_the_board_once_a_month_for_ended_months_only(shops):
    n = shops
    month = months_ago(1)
    inspect(n, n.shop_a1, "sgo", at=local(month, 5))  # 100 - 30 - 10 = 60: 黑榜
    inspect(n, n.shop_a2, at=local(month, 6), by=n.worker_a2)  # 100: 红榜
    inspect(n, n.shop_a2, at=timezone.now() - timedelta(minutes=1), by=n.worker_a2)
    with pytest.raises(ValidationError):
        ca.publish_shop_board(area=n.comm_a, month=months_ago(0), acting_user=n.staff_a)
    for user in (n.worker_a1, n.staff_b):
        with pytest.raises(PermissionDenied):
            ca.publish_shop_board(area=n.comm_a, month=month, acting_user=user)
    with pytest.raises(ValidationError):
        ca.publish_shop_board(area=n.grid_a1, month=month, acting_user=n.staff_a)
    board = ca.publish_shop_board(area=n.comm_a, month=month, acting_user=n.staff_a)
    entries = {e.shop_id: e for e in board.entries.all()}
    assert (entries[n.shop_a1.pk].score, entries[n.shop_a1.pk].listing) == (60, Listing.BLACK)
    assert (entries[n.shop_a2.pk].score, entries[n.shop_a2.pk].listing) == (100, Listing.RED)
    assert entries[n.shop_a1.pk].problems == 1 and entries[n.shop_a2.pk].inspections == 1
    notice = board.notice
    assert notice.status == NoticeStatus.PUBLISHED and notice.area == n.comm_a
    red, black = notice.body.split("黑榜：")
    assert "利民五金" in red.split("红榜：")[1] and "老王早餐店" in black
    with pytest.raises(ValidationError):
        ca.publish_shop_board(area=n.comm_a, month=month, acting_user=n.staff_a)
    assert ShopBoard.objects.count() == 1
    with pytest.raises(ValidationError):  # nothing inspected in community B
        ca.publish_shop_board(area=n.comm_b, month=month, acting_user=n.staff_b)
