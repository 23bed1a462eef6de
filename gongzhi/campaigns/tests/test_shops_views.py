"""门前三包 pages: the grid worker's phone pages (my grid's shops, inspecting with a photo,
re-inspecting), the shop member's page, and the staff console (register, shop page with the
repeated-failure warning, contract and its printable page, the board, the street)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Inspection, Shop, ShopBoard, ShopContract
from gongzhi.campaigns.tests.fixtures_shops import jpeg, local, months_ago

pytestmark = pytest.mark.django_db
FIELD = reverse("campaigns:shops_field")


def problem(n, shop, at=None, by=None):
    return ca.inspect_shop(shop=shop, sanitation_ok=False, greenery_ok=True, order_ok=True,
                           note="门前堆放纸箱", photos=[jpeg()], inspected_at=at,
                           acting_user=by or n.worker_a1)


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("door.jpg", jpeg(), content_type="image/jpeg")


# --- the phone ------------------------------------------------------------------------------


def test_a_grid_worker_sees_the_shops_of_their_grid(client, shops):
    n = shops
    problem(n, n.shop_a1)
    client.force_login(n.worker_a1)
    page = client.get(FIELD).content.decode()
    assert "老王早餐店" in page and "利民五金" not in page and "1 个问题待复查" in page
    assert client.get(reverse("campaigns:shops_inspect", args=[n.shop_a2.pk])).status_code == 404
    client.force_login(n.resident)
    assert client.get(FIELD).status_code == 403
    client.force_login(n.shopkeeper)
    assert client.get(FIELD).url == reverse("campaigns:shops_mine")


def test_inspect_on_the_phone_problem_then_reinspection(client, shops):
    n = shops
    url = reverse("campaigns:shops_inspect", args=[n.shop_a1.pk])
    client.force_login(n.worker_a1)
    page = client.get(url).content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    refused = client.post(url, {"sanitation": "fail", "greenery": "pass", "order": "pass",
                                "note": "门前油污"})
    assert refused.status_code == 400 and "至少一张照片" in refused.content.decode()
    assert not Inspection.objects.exists()
    done = client.post(url, {"sanitation": "fail", "greenery": "pass", "order": "fail",
                             "note": "门前油污", "photos": upload()})
    assert done.status_code == 302
    found = Inspection.objects.get()
    assert (found.result, found.sanitation_ok, found.order_ok) == ("problem", False, False)
    assert found.photos.count() == 1
    Inspection.objects.filter(pk=found.pk).update(
        inspected_at=timezone.now() - timedelta(hours=1))
    again = client.get(url, {"again": found.pk})
    assert "复查问题" in again.content.decode()
    client.post(url, {"again": found.pk, "sanitation": "pass", "greenery": "pass",
                      "order": "pass"})
    found.refresh_from_db()
    assert found.rectified_at is not None
    assert client.get(url, {"again": found.pk}).status_code == 404  # closed


def test_the_shop_member_sees_their_problems(client, shops):
    n = shops
    row = problem(n, n.shop_a1)
    client.force_login(n.shopkeeper)
    page = client.get(reverse("campaigns:shops_mine")).content.decode()
    assert "门前堆放纸箱" in page and "包市容环境卫生" in page
    ph = row.photos.get()
    assert client.get(reverse("campaigns:shops_photo", args=[ph.pk])).status_code == 200
    client.force_login(n.worker_a2)
    assert client.get(reverse("campaigns:shops_photo", args=[ph.pk])).status_code == 404
    client.force_login(n.resident)
    assert client.get(reverse("campaigns:shops_mine")).status_code == 404


# --- the console ----------------------------------------------------------------------------


def test_the_register_filters_and_pages(client, shops):
    n = shops
    for i in range(55):
        ca.register_shop(name=f"商户{i:02d}", area=n.grid_a2, address=f"机务路 {i} 号",
                         responsible_person="某某", responsible_phone="13500000000",
                         acting_user=n.staff_a)
    client.force_login(n.staff_a)
    url = reverse("campaigns_staff:shops_list")
    first = client.get(url)
    assert first.context["page"].paginator.count == 57 and len(first.context["page"]) == 50
    assert "德鑫水果" not in first.content.decode()
    by_grid = client.get(url, {"grid": n.grid_a1.pk})
    assert [s.pk for s in by_grid.context["page"]] == [n.shop_a1.pk]
    assert client.get(url, {"q": "五金"}).context["page"].paginator.count == 1
    client.force_login(n.worker_a1)
    assert client.get(url).status_code == 403


def test_register_and_edit_a_shop(client, shops):
    n = shops
    client.force_login(n.staff_a)
    data = {"name": "新开面馆", "area": n.grid_a1.pk, "address": "活龙路 8 号",
            "responsible_person": "陈", "responsible_phone": "电话号码"}
    bad = client.post(reverse("campaigns_staff:shops_new"), data)
    assert bad.status_code == 400 and "联系电话格式不正确" in bad.content.decode()
    made = client.post(reverse("campaigns_staff:shops_new"),
                       {**data, "responsible_phone": "13566667777"})
    shop = Shop.objects.get(organisation__name="新开面馆")
    assert made.url == reverse("campaigns_staff:shops_shop", args=[shop.pk])
    client.post(reverse("campaigns_staff:shops_edit", args=[shop.pk]),
                {**data, "responsible_phone": "13566667777", "name": "陈记面馆"})
    assert Shop.objects.get(pk=shop.pk).organisation.name == "陈记面馆"
    client.force_login(n.staff_b)
    assert client.get(reverse("campaigns_staff:shops_shop", args=[shop.pk])).status_code == 404


def test_shop_page_warns_and_opens_a_case(client, shops):
    n = shops
    now = timezone.now()
    for days in (9, 6, 3):
        problem(n, n.shop_a1, at=now - timedelta(days=days))
    client.force_login(n.staff_a)
    url = reverse("campaigns_staff:shops_shop", args=[n.shop_a1.pk])
    page = client.get(url).content.decode()
    assert 'id="warning"' in page and "转为诉求件" in page
    client.post(reverse("campaigns_staff:shops_case", args=[n.shop_a1.pk]))
    assert Inspection.objects.filter(case__isnull=False).count() == 3
    assert 'id="warning"' not in client.get(url).content.decode()


def test_sign_a_contract_and_print_it(client, shops):
    n = shops
    client.force_login(n.staff_a)
    url = reverse("campaigns_staff:shops_sign", args=[n.shop_a1.pk])
    assert "包绿化" in client.get(url).content.decode()  # the default terms
    today = timezone.localdate()
    data = {"starts_on": today, "ends_on": today - timedelta(days=1), "signed_on": today,
            "signed_by_shop": "王建华", "terms": "三包"}
    assert client.post(url, data).status_code == 400
    done = client.post(url, {**data, "ends_on": today + timedelta(days=365)})
    contract = ShopContract.objects.get()
    assert done.url == reverse("campaigns_staff:shops_contract", args=[contract.pk])
    printed = client.get(done.url).content.decode()
    assert "门前三包责任书" in printed and "@media print" in printed
    assert "责任人签字" in printed and "经办人签字" in printed and "活龙社区" in printed
    client.force_login(n.staff_b)
    assert client.get(done.url).status_code == 404


def test_the_board_live_then_published(client, shops):
    n = shops
    month = months_ago(1)
    problem(n, n.shop_a1, at=local(month, 4))  # 100 - 10 - 10 = 80
    url = reverse("campaigns_staff:shops_board")
    client.force_login(n.staff_a)
    query = {"area": n.comm_a.pk, "month": f"{month:%Y-%m}"}
    page = client.get(url, query)
    assert [s.score for s in page.context["scores"]] == [80]
    assert "发布红黑榜" in page.content.decode() and "低于 70 分列入黑榜" in page.content.decode()
    client.post(url, query)
    assert ShopBoard.objects.filter(area=n.comm_a, month=month).count() == 1
    assert "已于" in client.get(url, query).content.decode()
    this_month = client.get(url, {**query, "month": f"{months_ago(0):%Y-%m}"})
    assert "实时得分" in this_month.content.decode()


def test_the_street_page(client, shops):
    n = shops
    problem(n, n.shop_a1)
    ca.inspect_shop(shop=n.shop_b, sanitation_ok=True, greenery_ok=True, order_ok=True,
                    acting_user=n.staff_b)
    client.force_login(n.street_staff)
    rows = client.get(reverse("campaigns_staff:shops_street")).context["streets"][0][1]
    got = {r["community"].code: (r["shops"], r["inspected"], r["problems"], r["open"],
                                 r["red"], r["black"]) for r in rows}
    # A: two shops, one inspected (100 - 10 - 10 = 80: neither list), one problem, open;
    # B: one shop, inspected clean (100: red).
    assert got == {"CA": (2, 1, 1, 1, 0, 0), "CB": (1, 1, 0, 0, 1, 0)}


def test_the_home_panel(rf, shops):
    from django.template.loader import render_to_string

    from gongzhi.campaigns.panels_shops import shops_panel

    n = shops
    problem(n, n.shop_a1)

    def panel(user):
        request = rf.get("/")
        request.user = user
        return shops_panel(request)

    assert panel(n.worker_a1) == {"inspect": {"shops": 1, "open": 1}, "organise": False}
    assert panel(n.staff_a)["inspect"] == {"shops": 2, "open": 1}
    assert panel(n.shopkeeper) == {"organise": False, "mine": 1}
    assert panel(n.resident) is None
    html = render_to_string("campaigns/shops_panel.html", {"panel": panel(n.worker_a1)})
    assert reverse("campaigns:shops_field") in html and "1 个问题待复查" in html


def test_console_pages_by_role_and_community(client, shops):
    n = shops
    contract = ca.sign_shop_contract(shop=n.shop_a1, starts_on=timezone.localdate(),
                                     ends_on=timezone.localdate() + timedelta(days=30),
                                     signed_on=timezone.localdate(), signed_by_shop="王建华",
                                     acting_user=n.staff_a)
    pages = [reverse("campaigns_staff:shops_shop", args=[n.shop_a1.pk]),
             reverse("campaigns_staff:shops_edit", args=[n.shop_a1.pk]),
             reverse("campaigns_staff:shops_sign", args=[n.shop_a1.pk]),
             reverse("campaigns_staff:shops_contract", args=[contract.pk])]
    for user, status in ((n.staff_a, 200), (n.street_staff, 200), (n.staff_b, 404),
                         (n.worker_a1, 403), (n.shopkeeper, 403), (n.resident, 403)):
        client.force_login(user)
        assert [client.get(url).status_code for url in pages] == [status] * 4, user
    client.force_login(n.staff_b)
    client.post(reverse("campaigns_staff:shops_case", args=[n.shop_a1.pk]))
    assert client.post(reverse("campaigns_staff:shops_case",
                               args=[n.shop_a1.pk])).status_code == 404
    client.force_login(n.worker_a1)
    assert client.get(reverse("campaigns_staff:shops_board")).status_code == 403
    client.force_login(n.staff_b)  # B's board never shows A's shops
    month = months_ago(1)
    problem(n, n.shop_a1, at=local(month, 4))
    page = client.get(reverse("campaigns_staff:shops_board"),
                      {"area": n.comm_a.pk, "month": f"{month:%Y-%m}"})
    assert page.context["area"] == n.comm_b and page.context["scores"] == []
