"""网格合伙人 pages: residents find posts near them, apply, see their partnership and report
a patrol with a problem and photo (a case); staff publish, close, decide (places left shown),
see each grid's partners with counts, assign patrols, end partnerships; grid workers assign;
street staff see each community; other communities 404, no role 403."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import (
    ApplicationStatus,
    PartnerApplication,
    PartnerKind,
    PartnerPost,
    PatrolStatus,
    PatrolTask,
)
from gongzhi.campaigns.panels import nav_url
from gongzhi.campaigns.selectors_partners import assigned_cases
from gongzhi.cases import actions as cases
from gongzhi.cases.models import Case, Source

pytestmark = pytest.mark.django_db
AS = ApplicationStatus
SOON = timezone.localdate() + timedelta(days=4)
P, M = "/campaigns/partners/", "/campaigns/manage/partners/"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def jpeg() -> SimpleUploadedFile:
    buf = BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buf, "JPEG")
    return SimpleUploadedFile("lamp.jpg", buf.getvalue(), content_type="image/jpeg")


def get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response, response.content.decode()


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def partner_of(n, user, post=None):
    a = ca.apply_as_partner(post=post or n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                            acting_user=user)
    return ca.decide_partner_application(application=a, accept=True, acting_user=n.staff_a)


def test_residents_see_the_posts_of_their_community_and_apply(client, partners):
    n = partners
    response, text = get(client, n.resident, P)
    assert response.status_code == 200 and "第一网格合伙人招募" in text and "第二网格" in text
    _r, text = get(client, n.p_resident4, P)
    assert "第一网格合伙人招募" not in text
    assert get(client, n.p_resident4, f"{P}{n.post1.pk}/apply/")[0].status_code == 404
    bad = post(client, n.resident, f"{P}{n.post1.pk}/apply/", {"kind": "resident"})
    assert bad.status_code == 400 and not PartnerApplication.objects.exists()
    done = post(client, n.resident, f"{P}{n.post1.pk}/apply/",
                {"kind": "resident", "motivation": "退休教师，熟悉邻里"})
    assert done.status_code == 302 and done.url == f"{P}mine/"
    application = PartnerApplication.objects.get()
    assert application.applicant == n.resident and application.status == AS.PENDING
    _r, text = get(client, n.resident, P)
    assert "已报名" in text
    _r, text = get(client, n.resident, f"{P}mine/")
    assert "待审核" in text


def test_shop_owner_applies_for_the_shop(client, partners):
    n = partners
    response, text = get(client, n.shop_owner, f"{P}{n.post1.pk}/apply/")
    assert response.status_code == 200 and "老张早餐店" in text
    post(client, n.shop_owner, f"{P}{n.post1.pk}/apply/",
         {"kind": "shop", "organisation": n.shop.pk, "motivation": "店在路口"})
    assert PartnerApplication.objects.get().organisation == n.shop


def test_my_partnership_shows_patrols_cases_and_counts_and_reports(client, partners):
    n = partners
    a = partner_of(n, n.resident)
    task = ca.assign_patrol(partner=a, route="铁路小区东门", due_on=SOON, acting_user=n.worker_a1)
    case = cases.submit_case(title="楼道堆物", description="d", area=n.b1,
                             source=Source.PATROL, acting_user=n.worker_a1)
    cases.accept_case(case=case, category=n.p_category, acting_user=n.staff_a)
    cases.dispatch_case(case=case, to_user=n.resident, acting_user=n.staff_a)
    _r, text = get(client, n.resident, f"{P}mine/")
    assert "铁路小区东门" in text and "楼道堆物" in text and f"/cases/{case.pk}/" in text
    # The assignee opens the case and may act on it (the cases app's own page).
    assert get(client, n.resident, f"/cases/{case.pk}/")[0].status_code == 200
    assert get(client, n.worker_a1, f"{P}patrols/{task.pk}/report/")[0].status_code == 404
    response = post(client, n.resident, f"{P}patrols/{task.pk}/report/",
                    {"report": "东门路灯不亮", "problem_title": "东门路灯不亮",
                     "problem_description": "晚上看不清路", "photos": jpeg()})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == PatrolStatus.DONE and task.case.photos.count() == 1
    assert task.case.reporter == n.resident
    _r, text = get(client, n.resident, f"{P}mine/")
    assert 'data-count="patrols">1<' in text and 'data-count="problems">1<' in text
    assert 'data-count="cases">1（' in text
    assert get(client, n.resident, f"{P}patrols/{task.pk}/report/")[0].status_code == 404
    post(client, n.resident, f"{P}mine/{a.pk}/end/")
    a.refresh_from_db()
    assert a.status == AS.ENDED


def test_staff_publish_decide_assign_and_end(client, partners):
    n = partners
    assert get(client, n.resident, M)[0].status_code == 403
    response = post(client, n.staff_a, f"{M}new/", {
        "area": n.grid_a1.pk, "title": "秋季招募", "duties": "巡查", "places": 1,
        "closes_on": SOON.isoformat()})
    assert response.status_code == 302
    autumn = PartnerPost.objects.get(title="秋季招募")
    assert post(client, n.staff_a, f"{M}new/", {"area": n.comm_a.pk}).status_code == 400
    a = ca.apply_as_partner(post=autumn, kind=PartnerKind.RESIDENT, motivation="我想参加",
                            acting_user=n.resident)
    b = ca.apply_as_partner(post=autumn, kind=PartnerKind.RESIDENT, motivation="我也想",
                            acting_user=n.p_resident1)
    _r, text = get(client, n.staff_a, M)
    assert "我想参加" in text and f'data-application="{a.pk}"' in text
    assert get(client, n.staff_b, M)[1].count("我想参加") == 0
    assert post(client, n.staff_b, f"{M}applications/{a.pk}/decide/",
                {"accept": "1"}).status_code == 404
    post(client, n.staff_a, f"{M}applications/{a.pk}/decide/", {"accept": "1"})
    response = post(client, n.staff_a, f"{M}applications/{b.pk}/decide/", {"accept": "1"})
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("已满" in m for m in messages)
    post(client, n.staff_a, f"{M}applications/{b.pk}/decide/", {"accept": "0", "note": "名额满"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (AS.ACCEPTED, AS.DECLINED)
    # The grid worker of grid A1 assigns; grid A2's worker cannot reach the partner.
    _r, text = get(client, n.worker_a1, M)
    assert f'id="partner-{a.pk}"' in text and "发布招募" not in text
    assert post(client, n.worker_a2, f"{M}{a.pk}/assign/",
                {"route": "r", "due_on": SOON.isoformat()}).status_code == 404
    post(client, n.worker_a1, f"{M}{a.pk}/assign/", {"route": "菜场一圈",
                                                    "due_on": SOON.isoformat()})
    assert PatrolTask.objects.get().route == "菜场一圈"
    assert post(client, n.worker_a1, f"{M}{a.pk}/end/").status_code == 403
    post(client, n.staff_a, f"{M}posts/{autumn.pk}/close/")
    autumn.refresh_from_db()
    assert not autumn.is_open
    post(client, n.staff_a, f"{M}{a.pk}/end/", {"note": "搬离"})
    a.refresh_from_db()
    assert a.status == AS.ENDED and a.decision_note == "搬离"


def test_street_staff_see_each_community(client, partners):
    n = partners
    a = partner_of(n, n.resident)
    partner_of(n, n.p_resident1, post=n.post2)
    task = ca.assign_patrol(partner=a, route="r", due_on=SOON, acting_user=n.staff_a)
    ca.report_patrol(task=task, report="正常", acting_user=n.resident)
    ca.close_partner_post(post=n.post2, acting_user=n.staff_a)
    _r, text = get(client, n.street_staff, M)
    row = text.split('data-community="CA"')[1].split("</tr>")[0]
    assert ('data-count="posts">1<' in row and 'data-count="partners">2<' in row
            and 'data-count="patrols">1<' in row)
    row_b = text.split('data-community="CB"')[1].split("</tr>")[0]
    assert 'data-count="partners">0<' in row_b
    assert 'id="community-summary"' not in get(client, n.staff_a, M)[1]
    assert Case.objects.count() == 0


def test_the_residents_menu_entry(rf, partners):
    n = partners
    request = rf.get("/")
    request.user = n.resident
    assert nav_url(request) == "/campaigns/"  # 文明创建, for the post open in my community
    request.user = n.p_resident4  # community B: no post
    assert nav_url(request) is None
    ca.close_partner_post(post=n.post1, acting_user=n.staff_a)
    ca.close_partner_post(post=n.post2, acting_user=n.staff_a)
    request.user = n.resident
    assert nav_url(request) is None


def test_staff_dispatch_a_case_to_a_partner_from_the_case_page(client, partners):
    """The case page offers the grid's partners to dispatch to, beside its staff; a partner
    of another grid is not offered."""
    n = partners
    a = partner_of(n, n.resident)
    partner_of(n, n.p_resident1, post=n.post2)
    case = cases.submit_case(title="井盖松动", description="d", area=n.b1,
                             source=Source.PATROL, acting_user=n.worker_a1)
    case = cases.accept_case(case=case, category=n.p_category, acting_user=n.staff_a)
    response, text = get(client, n.staff_a, f"/cases/{case.pk}/")
    options = text.split('name="dispatch-to_user"')[1].split("</select>")[0]
    assert f'value="{n.resident.pk}"' in options and f'value="{n.worker_a1.pk}"' in options
    assert f'value="{n.p_resident1.pk}"' not in options
    response = post(client, n.staff_a, f"/cases/{case.pk}/dispatch/", {
        "dispatch-to_user": n.resident.pk, "dispatch-expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == n.resident
    _r, text = get(client, n.resident, f"{P}mine/")
    assert "井盖松动" in text
    assert list(assigned_cases(a)) == [case]
