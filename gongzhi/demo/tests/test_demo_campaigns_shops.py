"""The demo's 门前三包: twenty shops of the first community with contracts, three months of
inspections by its grid workers, the last two full months' boards published with exactly
one shop on last month's black list — loaded through the actions, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaNode
from gongzhi.campaigns import selectors_shops as sel
from gongzhi.campaigns.models import Inspection, Listing, Shop, ShopBoard, ShopContract
from gongzhi.demo import street as demo_street
from gongzhi.demo.campaigns_shops import BLACK_SHOP, SHOPS, load_demo_shops
from gongzhi.notices.models import NoticeStatus


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("setup_demo", verbosity=0, stdout=StringIO())
        street = AreaNode.objects.get(code=demo_street.STREET_CODE)
        yield street
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_the_demo_shops_load_once(demo):
    street = demo  # setup_demo loaded the shops
    assert Shop.objects.count() == 20
    assert load_demo_shops(street) == 0
    assert ShopContract.objects.count() == 20
    assert Inspection.objects.filter(result="problem", rectified_at__isnull=False).exists()
    # Inspected by the community's grid workers, each in their own grid.
    for row in Inspection.objects.select_related("inspected_by", "shop")[:50]:
        assert row.inspected_by.username.startswith("grid_hlj_")
    keeper = User.objects.get(username="shop")
    assert sel.my_shops(keeper).get().organisation.name == SHOPS[0][0]


@pytest.mark.django_db
def test_last_months_black_list_holds_one_shop(demo):
    this = sel.month_start(timezone.localdate())
    last, before = sel.previous_month(this), sel.previous_month(sel.previous_month(this))
    boards = ShopBoard.objects.order_by("month")
    assert [b.month for b in boards] == [before, last]
    board = boards.get(month=last)
    assert board.notice.status == NoticeStatus.PUBLISHED
    black = board.entries.filter(listing=Listing.BLACK)
    assert [(e.shop.organisation.name, e.score) for e in black] == [(SHOPS[BLACK_SHOP][0], 60)]
    live = [s for s in sel.month_scores(board.area, last) if s.listing == Listing.BLACK]
    assert [s.shop.pk for s in live] == [black.get().shop_id]
    assert board.entries.count() == 20


@pytest.mark.django_db
def test_the_demo_pages(demo, client):
    last = sel.previous_month(sel.month_start(timezone.localdate()))
    board = ShopBoard.objects.get(month=last)
    client.force_login(User.objects.get(username="staff_hlj"))
    page = client.get("/campaigns/manage/shops/board/",
                      {"area": board.area_id, "month": f"{last:%Y-%m}"})
    assert page.status_code == 200 and page.context["published"] == board
    assert [s.shop.organisation.name for s in page.context["black"]] == [SHOPS[BLACK_SHOP][0]]
    assert client.get("/campaigns/manage/shops/").context["page"].paginator.count == 20
    worker = Inspection.objects.order_by("pk").first().inspected_by
    client.force_login(worker)
    assert client.get("/campaigns/shops/").status_code == 200
    client.force_login(User.objects.get(username="shop"))
    assert SHOPS[0][0] in client.get("/campaigns/shops/mine/").content.decode()
