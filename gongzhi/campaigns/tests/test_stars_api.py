"""The 十星级文明户 API with API tokens: the criteria, assessing (201, 422 without evidence,
409 once confirmed, 404 outside my area, 403 without field-work rights), confirming (the
points once, 409 the second time, 403 for a building head), the scoped list with its
filters, one assessment, and my household's stars."""


import pytest
from django.utils import timezone

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import StarAssessment
from gongzhi.campaigns.tests.conftest import Caller
from gongzhi.campaigns.tests.fixtures_stars import evidence_for
from gongzhi.volunteering.models import PointsEntry

pytestmark = pytest.mark.django_db
API = "/api/campaigns/stars"
YEAR = timezone.localdate().year


@pytest.fixture
def api(client):
    return Caller(client)


def body(n, household, count: int, year: int = YEAR) -> dict:
    return {"household": household.pk, "year": year, "note": "",
            "awards": [{"criterion": c.pk, "evidence": e}
                       for c, e in evidence_for(n.criteria, count).items()]}


def assess(n, household, count: int, by=None, year: int = YEAR) -> StarAssessment:
    return ca.assess_household(household=household, year=year,
                               awards=evidence_for(n.criteria, count),
                               acting_user=by or n.head_b1)


def test_the_criteria(api, stars):
    reply = api.get(stars.resident, f"{API}/criteria")
    assert reply.status_code == 200
    assert [c["name"] for c in reply.json()][:3] == ["爱国守法", "诚信友善", "孝老爱亲"]
    assert len(reply.json()) == 10
    assert api.client.get(f"{API}/criteria").status_code == 401


def test_assess_and_confirm(api, stars):
    n = stars
    reply = api.post(n.head_b1, f"{API}/assessments", body(n, n.h2, 7))
    assert reply.status_code == 201, reply.json()
    out = reply.json()
    assert (out["stars"], out["status"], out["address"], out["building"]) == (
        7, "draft", "铁路小区1栋1单元201", n.b1.code)
    assert [a["name"] for a in out["awards"]][-1] == "邻里和睦"
    pk = out["id"]
    assert api.post(n.head_b1, f"{API}/assessments/{pk}/confirm").status_code == 403
    reply = api.post(n.staff_a, f"{API}/assessments/{pk}/confirm")
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["points_awarded"]) == ("confirmed", 35)
    again = api.post(n.staff_a, f"{API}/assessments/{pk}/confirm")
    assert again.status_code == 409 and again.json()["code"] == "already_confirmed"
    assert "已确认" in again.json()["detail"]
    assert PointsEntry.objects.get().points == 35
    changed = api.post(n.head_b1, f"{API}/assessments", body(n, n.h2, 9))
    assert changed.status_code == 409 and changed.json()["code"] == "already_confirmed"
    assert StarAssessment.objects.get().stars == 7


def test_refusals_write_nothing(api, stars):
    n = stars
    no_evidence = body(n, n.h1, 2)
    no_evidence["awards"][1]["evidence"] = ""
    reply = api.post(n.head_b1, f"{API}/assessments", no_evidence)
    assert reply.status_code == 422 and "事实依据" in reply.json()["detail"]
    reply = api.post(n.head_b1, f"{API}/assessments", body(n, n.h1, 1, year=YEAR - 3))
    assert reply.status_code == 422 and reply.json()["errors"][0]["loc"] == ["body", "year"]
    # Outside my building: 404; a resident without field-work rights: 403.
    assert api.post(n.head_b1, f"{API}/assessments", body(n, n.h3, 1)).status_code == 404
    reply = api.post(n.resident, f"{API}/assessments", body(n, n.h2, 1))
    assert reply.status_code == 403 and reply.json()["code"] == "forbidden"
    assert not StarAssessment.objects.exists()


def test_the_list_is_scoped_and_filtered(api, stars):
    n = stars
    h1 = assess(n, n.h1, 3)
    ca.confirm_assessment(assessment=h1, acting_user=n.staff_a)
    h3 = assess(n, n.h3, 2, by=n.worker_a2)
    last = assess(n, n.h2, 1, year=YEAR - 1)
    other = assess(n, n.h4, 5, by=n.staff_b)

    def ids(user, **params):
        reply = api.get(user, f"{API}/assessments", params)
        assert reply.status_code == 200
        return sorted(a["id"] for a in reply.json()["items"])

    assert ids(n.staff_a) == sorted([h1.pk, h3.pk, last.pk])
    assert ids(n.head_b1) == sorted([h1.pk, last.pk])
    assert ids(n.street_staff) == sorted([h1.pk, h3.pk, last.pk, other.pk])
    assert ids(n.staff_a, year=YEAR) == sorted([h1.pk, h3.pk])
    assert ids(n.staff_a, status="draft") == sorted([h3.pk, last.pk])
    assert ids(n.staff_a, building=n.b2.code) == [h3.pk]
    assert ids(n.resident) == []
    assert api.get(n.staff_a, f"{API}/assessments", {"status": "x"}).status_code == 422
    detail = api.get(n.staff_a, f"{API}/assessments/{h1.pk}")
    assert detail.status_code == 200 and detail.json()["points_awarded"] == 15
    assert api.get(n.staff_b, f"{API}/assessments/{h1.pk}").status_code == 404
    assert api.post(n.staff_b, f"{API}/assessments/{h3.pk}/confirm").status_code == 404


def test_my_households_stars(api, stars):
    n = stars
    ca.confirm_assessment(assessment=assess(n, n.h2, 6), acting_user=n.staff_a)
    assess(n, n.h2, 2, year=YEAR - 1)  # a draft: not shown
    out = api.get(n.resident, f"{API}/mine").json()
    assert out["household"] == "铁路小区1栋1单元201"
    assert [(a["year"], a["stars"], a["points_awarded"]) for a in out["assessments"]] == [
        (YEAR, 6, 30)]
    assert len(out["criteria"]) == 10
    out = api.get(n.staff_a, f"{API}/mine").json()
    assert out == {**out, "household": None, "assessments": []}
