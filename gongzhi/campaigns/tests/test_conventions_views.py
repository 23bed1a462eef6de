"""Pages of the 居民公约: staff drafting, consulting, publishing, the rate table and its
Excel export, paper signatures by the building head, the street's view, and residents
reading and signing on the phone."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Convention, ConventionSignature, ConventionStage
from gongzhi.campaigns.tests.conftest import html, login, row
from gongzhi.notices.subjects import register_subject

pytestmark = pytest.mark.django_db
M = "/campaigns/manage/conventions"
S = ConventionStage


def count(cells: str, name: str) -> str:
    return re.search(rf'data-count="{name}">([\d.]+)', cells).group(1)


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- staff: list, draft, consult, publish ---------------------------------------------------


def test_the_list_is_the_staffs_own(client, conventions):
    n = conventions
    page = html(login(client, n.staff_a).get(f"{M}/"))
    for c in (n.draft, n.closed, n.published):
        assert f'data-convention="{c.pk}"' in page
    assert "communities-link" not in page
    assert 'data-convention' not in html(login(client, n.staff_b).get(f"{M}/"))
    assert "communities-link" in html(login(client, n.street_staff).get(f"{M}/"))
    assert login(client, n.resident).get(f"{M}/").status_code == 403
    assert login(client, n.head_b1).get(f"{M}/").status_code == 403


def test_draft_revise_and_consult_through_the_pages(client, conventions):
    n = conventions
    c = login(client, n.staff_a)
    assert c.get(f"{M}/new/").status_code == 200
    bad = c.post(f"{M}/new/", {"area": n.comm_a.pk, "title": "", "text": "一条"})
    assert bad.status_code == 400 and "请填写公约名称" in html(bad)
    bad = c.post(f"{M}/new/", {"area": n.comm_b.pk, "title": "公约", "text": "一条"})
    assert bad.status_code == 400  # not a choice of staff_a
    response = c.post(f"{M}/new/", {"area": n.compound.pk, "title": "铁路小区公约",
                                    "text": "爱护绿化\n有序停车"})
    made = Convention.objects.get(title="铁路小区公约")
    assert response.status_code == 302 and made.area == n.compound
    revised = c.post(f"{M}/{made.pk}/edit/", {"area": n.compound.pk, "title": "铁路小区公约",
                                              "text": "爱护绿化\n有序停车\n垃圾分类"})
    assert revised.status_code == 302
    made.refresh_from_db()
    assert made.text.count("\n") == 2
    page = html(c.get(f"{M}/{made.pk}/"))
    assert "<li>垃圾分类</li>" in page and "consult-form" in page
    bad = c.post(f"{M}/{made.pk}/consult/", {"closes_at": "昨天"})
    assert bad.status_code == 400
    past = c.post(f"{M}/{made.pk}/consult/",
                  {"closes_at": local(timezone.now() - timedelta(hours=1))})
    assert past.status_code == 400 and "须晚于现在" in html(past)
    ok = c.post(f"{M}/{made.pk}/consult/", {"closes_at": local(timezone.now() + timedelta(days=3))})
    assert ok.status_code == 302
    made.refresh_from_db()
    assert made.stage == S.CONSULTING
    page = html(c.get(f"{M}/{made.pk}/"))
    assert "wait-hint" in page and 'data-count="households">3<' in page  # b1: h1 h2 h5
    # Publishing before the close is refused with the reason.
    refused = c.post(f"{M}/{made.pk}/publish/", follow=True)
    assert "征求意见尚未结束" in html(refused)
    made.refresh_from_db()
    assert made.stage == S.CONSULTING


def test_another_communitys_convention_is_404(client, conventions):
    n = conventions
    c = login(client, n.staff_b)
    for url in (f"{M}/{n.published.pk}/", f"{M}/{n.draft.pk}/edit/",
                f"{M}/{n.published.pk}/rates.xlsx"):
        assert c.get(url).status_code == 404
    assert c.post(f"{M}/{n.closed.pk}/publish/").status_code == 404
    n.closed.refresh_from_db()
    assert n.closed.stage == S.CONSULTING


def test_publish_shows_the_counts_and_then_the_rate_table(client, conventions):
    n = conventions
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/{n.closed.pk}/"))
    assert [count(page, k) for k in ("households", "answered", "agree", "conditional",
                                     "disagree")] == ["5", "3", "1", "1", "1"]
    assert c.post(f"{M}/{n.closed.pk}/publish/").status_code == 302
    n.closed.refresh_from_db()
    assert n.closed.stage == S.PUBLISHED
    ca.sign_convention(convention=n.closed, acting_user=n.resident)
    page = html(c.get(f"{M}/{n.closed.pk}/"))
    b1, b2 = row(page, "building", n.b1.pk), row(page, "building", n.b2.pk)
    assert (count(b1, "signed"), count(b1, "rate")) == ("1", "33.3")
    assert (count(b2, "signed"), count(b2, "rate")) == ("0", "0.0")
    total = re.search(r'<tr id="rate-total">(.*?)</tr>', page, re.S).group(1)
    assert (count(total, "signed"), count(total, "rate")) == ("1", "20.0")
    by_rate = html(c.get(f"{M}/{n.closed.pk}/?sort=rate"))
    assert by_rate.index(f'data-building="{n.b2.pk}"') < by_rate.index(
        f'data-building="{n.b1.pk}"')


def test_the_excel_export_holds_the_rates(client, conventions):
    n = conventions
    ca.sign_convention(convention=n.published, acting_user=n.conv_r1)
    ca.sign_convention(convention=n.published, acting_user=n.resident)
    ca.sign_convention(convention=n.published, acting_user=n.conv_r3)
    response = login(client, n.staff_a).get(f"{M}/{n.published.pk}/rates.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows == [("小区", "楼栋", "住户数", "已签署", "未签署", "签署率(%)"),
                    ("铁路小区", "1栋", 3, 2, 1, 66.7), ("机务小区", "1栋", 2, 1, 1, 50.0),
                    ("合计", None, 5, 3, 2, 60.0)]


# --- paper signatures, chasing --------------------------------------------------------------


def test_the_building_head_records_paper_signatures(client, conventions):
    n = conventions
    c = login(client, n.head_b1)
    chase = html(c.get(f"{M}/chase/"))
    assert f'data-building="{n.b1.pk}"' in chase and f'data-building="{n.b2.pk}"' not in chase
    url = f"{M}/{n.published.pk}/buildings/{n.b1.pk}/"
    page = html(c.get(url))
    assert page.count("登记纸质签署</button>") == 3
    assert c.post(url + "sign/", {"household": n.h5.pk}).status_code == 302
    signature = ConventionSignature.objects.get(household=n.h5)
    assert signature.signed_by == n.head_b1
    assert "已登记" in html(c.get(url))
    again = c.post(url + "sign/", {"household": n.h5.pk}, follow=True)
    assert "已经签署" in html(again)
    other = c.post(url + "sign/", {"household": n.h3.pk}, follow=True)  # not of this building
    assert "请选择本楼的住户" in html(other)
    assert ConventionSignature.objects.count() == 1
    # Not their building, not a published convention: 404.
    assert c.get(f"{M}/{n.published.pk}/buildings/{n.b2.pk}/").status_code == 404
    assert c.get(f"{M}/{n.closed.pk}/buildings/{n.b1.pk}/").status_code == 404
    assert login(client, n.resident).get(url).status_code == 404
    assert login(client, n.resident).get(f"{M}/chase/").status_code == 403


def test_the_street_sees_each_community(client, conventions):
    n = conventions
    ca.sign_convention(convention=n.published, acting_user=n.resident)
    page = html(login(client, n.street_staff).get(f"{M}/communities/"))
    a, b = row(page, "community", n.comm_a.pk), row(page, "community", n.comm_b.pk)
    assert n.published.title in a and (count(a, "signed"), count(a, "rate")) == ("1", "20.0")
    assert count(b, "signed") == "0" and "—" in b


# --- residents ------------------------------------------------------------------------------


def test_residents_read_and_sign_the_published_convention(client, conventions):
    n = conventions
    c = login(client, n.resident)
    page = html(c.get("/campaigns/conventions/"))
    assert f'data-convention="{n.published.pk}"' in page
    assert f'data-convention="{n.draft.pk}"' not in page
    assert f'data-convention="{n.closed.pk}"' not in page
    detail = html(c.get(f"/campaigns/conventions/{n.published.pk}/"))
    assert "<li>邻里和睦，互帮互助。</li>" in detail and "sign-button" in detail
    response = c.post(f"/campaigns/conventions/{n.published.pk}/sign/", follow=True)
    page = html(response)
    assert 'id="signed"' in page and "李建国 代表全家签署" in page
    assert timezone.localdate().strftime("%Y-%m-%d") in page
    again = html(c.post(f"/campaigns/conventions/{n.published.pk}/sign/", follow=True))
    assert "已经签署" in again
    assert "我家已签署" in html(c.get("/campaigns/conventions/"))
    assert ConventionSignature.objects.filter(convention=n.published).count() == 1


def test_a_paper_signature_shows_who_recorded_it(client, conventions):
    n = conventions
    ca.sign_convention(convention=n.published, acting_user=n.head_b1, household=n.h1)
    page = html(login(client, n.conv_r1).get(f"/campaigns/conventions/{n.published.pk}/"))
    assert "纸质签署，由 head_b1 登记" in page and "sign-button" not in page


def test_others_cannot_see_or_sign(client, conventions):
    n = conventions
    c = login(client, n.conv_r4)  # community B
    assert f'data-convention="{n.published.pk}"' not in html(c.get("/campaigns/conventions/"))
    assert c.get(f"/campaigns/conventions/{n.published.pk}/").status_code == 404
    assert c.post(f"/campaigns/conventions/{n.published.pk}/sign/").status_code == 404
    r = login(client, n.resident)
    assert r.get(f"/campaigns/conventions/{n.draft.pk}/").status_code == 404
    assert r.post(f"/campaigns/conventions/{n.closed.pk}/sign/").status_code == 404
    assert not ConventionSignature.objects.exists()


def test_the_notice_links_back_to_the_convention(client, conventions):
    n = conventions
    # The line the lead adds to CampaignsConfig.ready().
    register_subject("campaigns.convention", "阅读公约并签署",
                     lambda pk: f"/campaigns/conventions/{pk}/")
    page = html(login(client, n.resident).get(f"/notices/{n.published.notice_id}/"))
    assert f'href="/campaigns/conventions/{n.published.pk}/"' in page


def test_the_menu_entry_is_for_residents_with_a_published_convention(rf, conventions):
    from gongzhi.campaigns.panels import nav_url

    n = conventions
    request = rf.get("/")
    request.user = n.resident
    assert nav_url(request) == "/campaigns/"  # 文明创建, for the convention published
    request.user = n.conv_r4  # community B has none
    assert nav_url(request) is None
