"""The 网格合伙人 API with bearer tokens: posts near me and that I run, publishing, applying
(409 twice), the staff's list and decision (409 twice, 422 when full), my partnership with
its counts, patrols assigned and reported (a problem becomes a case), 404 out of reach."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import PartnerKind, PartnerPost, PatrolTask
from gongzhi.campaigns.tests.conftest import Caller
from gongzhi.cases.models import Case

pytestmark = pytest.mark.django_db
API = "/api/campaigns/partners"
SOON = (timezone.localdate() + timedelta(days=5)).isoformat()


@pytest.fixture
def api(client):
    return Caller(client)


def test_posts_near_me_and_publishing(partners, api):
    n = partners
    mine = api.get(n.resident, f"{API}/posts").json()
    assert {p["id"] for p in mine["items"]} == {n.post1.pk, n.post2.pk}
    assert api.get(n.p_resident4, f"{API}/posts").json()["count"] == 0
    # The shop owner has no home but his shop is in grid A1.
    assert api.get(n.shop_owner, f"{API}/posts").json()["count"] == 2
    body = {"grid": "CA-G1", "title": "夏季招募", "duties": "巡河", "places": 2,
            "closes_on": SOON}
    assert api.post(n.staff_b, f"{API}/posts", body).status_code == 403
    made = api.post(n.staff_a, f"{API}/posts", body)
    assert made.status_code == 201 and made.json()["grid"]["code"] == "CA-G1"
    bad = api.post(n.staff_a, f"{API}/posts", body | {"grid": "CA"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "area"]
    assert api.post(n.staff_a, f"{API}/posts", body | {"grid": "NOPE"}).status_code == 422
    assert PartnerPost.objects.count() == 3


def test_apply_decide_and_my_partnership(partners, api):
    n = partners
    url = f"{API}/posts/{n.post1.pk}/apply"
    applied = api.post(n.resident, url, {"kind": "resident", "motivation": "退休教师"})
    assert applied.status_code == 201 and applied.json()["status"] == "pending"
    again = api.post(n.resident, url, {"kind": "resident", "motivation": "退休教师"})
    assert again.status_code == 409 and again.json()["code"] == "already_applied"
    assert api.post(n.p_resident4, url, {"kind": "resident", "motivation": "m"}
                    ).status_code == 404
    shop = api.post(n.shop_owner, url, {"kind": "shop", "motivation": "店主",
                                        "organisation": "M1"})
    assert shop.status_code == 201 and shop.json()["organisation"] == "老张早餐店"
    listed = api.get(n.staff_a, f"{API}/applications", {"status": "pending"}).json()
    assert listed["count"] == 2
    assert api.get(n.staff_b, f"{API}/applications").json()["count"] == 0
    pk = applied.json()["id"]
    assert api.post(n.staff_b, f"{API}/applications/{pk}/decide",
                    {"accept": True}).status_code == 404
    done = api.post(n.staff_a, f"{API}/applications/{pk}/decide", {"accept": True})
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    twice = api.post(n.staff_a, f"{API}/applications/{pk}/decide", {"accept": True})
    assert twice.status_code == 409
    PartnerPost.objects.filter(pk=n.post1.pk).update(places=1)
    full = api.post(n.staff_a, f"{API}/applications/{shop.json()['id']}/decide",
                    {"accept": True})
    assert full.status_code == 422
    mine = api.get(n.resident, f"{API}/mine").json()
    assert len(mine) == 1 and mine[0]["application"]["status"] == "accepted"
    assert mine[0]["counts"] == {"patrols_done": 0, "problems_reported": 0,
                                 "cases_assigned": 0, "cases_done": 0}


def test_patrols_assigned_and_reported(partners, api):
    n = partners
    a = ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                            acting_user=n.resident)
    ca.decide_partner_application(application=a, accept=True, acting_user=n.staff_a)
    body = {"partner": a.pk, "route": "铁路小区一圈", "due_on": SOON}
    assert api.post(n.worker_a2, f"{API}/patrols", body).status_code == 404
    made = api.post(n.worker_a1, f"{API}/patrols", body)
    assert made.status_code == 201 and made.json()["status"] == "assigned"
    pk = made.json()["id"]
    assert api.get(n.worker_a1, f"{API}/patrols").json()["count"] == 1
    assert api.get(n.worker_a2, f"{API}/patrols").json()["count"] == 0
    assert api.get(n.resident, f"{API}/patrols").json()["count"] == 1
    assert api.post(n.worker_a1, f"{API}/patrols/{pk}/report",
                    {"report": "r"}).status_code == 404
    reported = api.post(n.resident, f"{API}/patrols/{pk}/report",
                        {"report": "发现占道", "problem_title": "摊位占道",
                         "problem_description": "早市摊位占用消防通道"})
    assert reported.status_code == 200 and reported.json()["status"] == "done"
    case = Case.objects.get()
    assert reported.json()["case"] == case.pk and case.reporter == n.resident
    assert api.post(n.resident, f"{API}/patrols/{pk}/report",
                    {"report": "again"}).status_code == 409
    mine = api.get(n.resident, f"{API}/mine").json()
    assert mine[0]["counts"]["patrols_done"] == 1 and mine[0]["counts"]["problems_reported"] == 1
    assert PatrolTask.objects.get().report == "发现占道"


def test_refusals_are_bilingual_json(partners, api):
    n = partners
    response = api.post(n.resident, f"{API}/posts/{n.post1.pk}/apply",
                        {"kind": "resident", "motivation": " "})
    assert response.status_code == 422
    body = json.loads(response.content)
    assert body["errors"][0]["loc"] == ["body", "motivation"]
    assert body["detail"] == "请写一写自我介绍和特长" and body["detail_en"]


def test_unknown_status_filter_is_422(partners, api):
    response = api.get(partners.staff_a, f"{API}/applications", {"status": "nope"})
    assert response.status_code == 422
