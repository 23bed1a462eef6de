"""Pages of 十星级文明户 for each role: field work on the phone, the community's drafts,
building table, door plaques and street figures, the resident's own page, and the stars on
the household's record in the areas pages."""

import re

import pytest
from django.utils import timezone

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import AssessmentStatus, StarAssessment
from gongzhi.campaigns.tests.conftest import html
from gongzhi.campaigns.tests.fixtures_stars import evidence_for
from gongzhi.volunteering.models import PointsEntry

pytestmark = pytest.mark.django_db
M = "/campaigns/manage/stars"
YEAR = timezone.localdate().year




def as_user(client, user):
    client.force_login(user)
    return client


def assess(n, household, count: int, by=None, year: int = YEAR) -> StarAssessment:
    return ca.assess_household(household=household, year=year,
                               awards=evidence_for(n.criteria, count),
                               acting_user=by or n.head_b1)


def confirmed(n, household, count: int, year: int = YEAR) -> StarAssessment:
    return ca.confirm_assessment(assessment=assess(n, household, count, year=year),
                                 acting_user=n.staff_a)


# --- field work -------------------------------------------------------------------------------


def test_a_building_head_sees_only_their_building(client, stars):
    n = stars
    assess(n, n.h1, 3)
    page = html(as_user(client, n.head_b1).get(f"{M}/"))
    assert re.findall(r'data-building="([^"]+)"', page) == [n.b1.code]
    assert "已评 1 / 2 户" in page and "1 户待确认" in page
    page = html(client.get(f"{M}/building/{n.b1.code}/"))
    assert re.findall(r'data-household="(\d+)"', page) == [str(n.h1.pk), str(n.h2.pk)]
    assert 'data-stars="3"' in page and "待社区确认" in page and "未评定" in page
    assert client.get(f"{M}/building/{n.b2.code}/").status_code == 404
    assert client.get(f"{M}/household/{n.h3.pk}/").status_code == 404
    assert client.get(f"{M}/drafts/").status_code == 403


def test_a_grid_worker_sees_the_buildings_of_their_grid(client, stars):
    n = stars
    page = html(as_user(client, n.worker_a2).get(f"{M}/"))
    assert re.findall(r'data-building="([^"]+)"', page) == [n.b2.code]


def test_residents_and_shops_may_not_assess(client, stars):
    n = stars
    for user in (n.resident, n.property_member):
        as_user(client, user)
        assert client.get(f"{M}/").status_code == 403
        assert client.post(f"{M}/household/{n.h2.pk}/", {"year": YEAR}).status_code == 403
    assert not StarAssessment.objects.exists()


def test_assess_a_household_on_the_phone(client, stars):
    n = stars
    as_user(client, n.head_b1)
    page = html(client.get(f"{M}/household/{n.h1.pk}/"))
    assert page.count("data-criterion=") == 10 and "铁路小区1栋1单元101" in page
    first, second = n.criteria[:2]
    data = {"year": YEAR, f"star_{first.pk}": "on", f"evidence_{first.pk}": "升旗仪式全家参加",
            f"star_{second.pk}": "on", f"evidence_{second.pk}": "归还邻居遗失钱包",
            f"evidence_{n.criteria[2].pk}": "未勾选的依据不算", "note": "入户评定"}
    response = client.post(f"{M}/household/{n.h1.pk}/", data)
    assert response.status_code == 302 and response.url == f"{M}/building/{n.b1.code}/"
    draft = StarAssessment.objects.get()
    assert (draft.stars, draft.status, draft.note) == (2, AssessmentStatus.DRAFT, "入户评定")
    assert dict(draft.awards.values_list("criterion__name", "evidence")) == {
        "爱国守法": "升旗仪式全家参加", "诚信友善": "归还邻居遗失钱包"}
    # The draft comes back ticked, to be corrected.
    page = html(client.get(f"{M}/household/{n.h1.pk}/"))
    assert "已有草稿：2 星" in page and "归还邻居遗失钱包" in page


def test_a_star_without_evidence_is_shown_and_nothing_saved(client, stars):
    n = stars
    star = n.criteria[4]
    response = as_user(client, n.head_b1).post(f"{M}/household/{n.h1.pk}/", {
        "year": YEAR, f"star_{star.pk}": "on", f"evidence_{star.pk}": " "})
    assert response.status_code == 400 and "请写明事实依据" in html(response)
    assert not StarAssessment.objects.exists()


def test_a_confirmed_year_is_shown_locked(client, stars):
    n = stars
    confirmed(n, n.h1, 4)
    as_user(client, n.head_b1)
    page = html(client.get(f"{M}/household/{n.h1.pk}/"))
    assert 'id="locked"' in page and "data-criterion=" not in page
    response = client.post(f"{M}/household/{n.h1.pk}/", {"year": YEAR})
    assert response.status_code == 400 and "不能再修改" in html(response)
    assert StarAssessment.objects.get().stars == 4


# --- the community ----------------------------------------------------------------------------


def test_drafts_with_evidence_and_confirm_one(client, stars):
    n = stars
    one, other = assess(n, n.h1, 7), assess(n, n.h3, 2, by=n.worker_a2)
    assess(n, n.h4, 1, by=n.staff_b)  # community B: not staff_a's
    page = html(as_user(client, n.staff_a).get(f"{M}/drafts/"))
    assert re.findall(r'data-assessment="(\d+)"', page) == [str(one.pk), str(other.pk)]
    assert "★ 邻里和睦：邻里和睦：入户核实，邻居证实" in page
    page = html(client.post(f"{M}/{one.pk}/confirm/", follow=True))
    assert "已确认1栋1单元101 7 星，发放积分 35 分" in page
    one.refresh_from_db()
    assert one.status == AssessmentStatus.CONFIRMED and one.points_awarded == 35
    assert re.findall(r'data-assessment="(\d+)"', page) == [str(other.pk)]
    # A second press: a message, no second award.
    assert "该评定已确认" in html(client.post(f"{M}/{one.pk}/confirm/", follow=True))
    assert PointsEntry.objects.filter(source_key=f"civil_stars:{one.pk}").count() == 1


def test_confirm_all_shown(client, stars):
    n = stars
    drafts = [assess(n, n.h1, 3), assess(n, n.h2, 5)]
    outside = assess(n, n.h4, 2, by=n.staff_b)
    ids = [d.pk for d in drafts] + [outside.pk]
    response = as_user(client, n.staff_a).post(f"{M}/drafts/confirm/", {"ids": ids},
                                               follow=True)
    assert "已确认 2 户的评定" in html(response)
    assert sorted(PointsEntry.objects.values_list("points", flat=True)) == [15, 25]
    outside.refresh_from_db()
    assert outside.status == AssessmentStatus.DRAFT


def test_other_community_and_field_workers_may_not_confirm(client, stars):
    n = stars
    draft = assess(n, n.h1, 3)
    assert as_user(client, n.staff_b).post(f"{M}/{draft.pk}/confirm/").status_code == 404
    assert as_user(client, n.head_b1).post(f"{M}/{draft.pk}/confirm/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_the_building_table_over_the_years(client, stars):
    n = stars
    confirmed(n, n.h1, 6, year=YEAR - 1)
    confirmed(n, n.h1, 8)
    assess(n, n.h2, 3)
    page = html(as_user(client, n.staff_a).get(f"{M}/building/{n.b1.code}/table/"))
    assert f"{YEAR}年度" in page and f"{YEAR - 1}年度" in page
    row1 = re.search(rf'<tr data-household="{n.h1.pk}">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'data-year="(\d+)" data-stars="(\d+)"', row1) == [
        (str(YEAR), "8"), (str(YEAR - 1), "6")]
    row2 = re.search(rf'<tr data-household="{n.h2.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "3 ☆" in row2 and row2.count("—") == 1
    assert as_user(client, n.staff_b).get(f"{M}/building/{n.b1.code}/table/").status_code == 404


def test_the_door_plaque(client, stars):
    n = stars
    done = confirmed(n, n.h2, 7)
    response = as_user(client, n.staff_a).get(f"{M}/{done.pk}/plaque/")
    page = html(response)
    assert response.status_code == 200 and "@media print" in page
    plaque = re.search(r'<section class="plaque".*?</section>', page, re.S).group(0)
    assert "十星级文明户" in plaque and "铁路小区1栋1单元201" in plaque
    assert f"{YEAR}年度" in plaque and "活龙社区" in plaque
    assert plaque.count('<span class="star" aria-hidden="true">★</span>') == 7
    for c in n.criteria[:7]:
        assert c.name in plaque
    assert n.criteria[7].name not in plaque
    draft = assess(n, n.h1, 2)
    assert client.get(f"{M}/{draft.pk}/plaque/").status_code == 404  # not confirmed
    assert as_user(client, n.staff_b).get(f"{M}/{done.pk}/plaque/").status_code == 404


def test_all_plaques_of_a_building(client, stars):
    n = stars
    a, b = confirmed(n, n.h1, 10), confirmed(n, n.h2, 4)
    confirmed(n, n.h1, 2, year=YEAR - 1)
    page = html(as_user(client, n.staff_a).get(f"{M}/building/{n.b1.code}/plaques/?year={YEAR}"))
    assert re.findall(r'<section class="plaque" data-assessment="(\d+)"', page) == [
        str(a.pk), str(b.pk)]
    assert "page-break-after: always" in page
    page = html(client.get(f"{M}/building/{n.b1.code}/plaques/?year={YEAR - 1}"))
    assert len(re.findall(r'<section class="plaque"', page)) == 1


def test_the_street_sees_every_community(client, stars):
    n = stars
    confirmed(n, n.h1, 10)
    confirmed(n, n.h2, 5)
    assess(n, n.h3, 3, by=n.worker_a2)
    ca.confirm_assessment(assessment=assess(n, n.h4, 6, by=n.staff_b), acting_user=n.staff_b)
    page = html(as_user(client, n.street_staff).get(f"{M}/summary/"))

    def figures(code):
        cells = re.search(rf'<tr data-community="{code}">(.*?)</tr>', page, re.S).group(1)
        return dict(re.findall(r'data-count="(\w+)">([^<]+)<', cells))

    # Community A: 3 households, 3 assessed, 2 confirmed, (10 + 5) / 2 = 7.5, one ten-star.
    assert figures("CA") == {"households": "3", "assessed": "3", "confirmed": "2",
                             "average": "7.5", "ten": "1"}
    assert figures("CB") == {"households": "1", "assessed": "1", "confirmed": "1",
                             "average": "6.0", "ten": "0"}
    page = html(as_user(client, n.staff_a).get(f"{M}/summary/"))
    assert 'data-community="CA"' in page and 'data-community="CB"' not in page
    assert as_user(client, n.head_b1).get(f"{M}/summary/").status_code == 403


# --- residents and the household record --------------------------------------------------------


def test_a_resident_reads_their_households_stars(client, stars):
    n = stars
    confirmed(n, n.h2, 7)
    confirmed(n, n.h2, 5, year=YEAR - 1)
    assess(n, n.h1, 9)  # a neighbour's draft
    page = html(as_user(client, n.resident).get("/campaigns/stars/"))
    assert re.findall(r'<li data-year="(\d+)">', page) == [str(YEAR), str(YEAR - 1)]
    assert f"{YEAR}年度：7 星" in page and "获得积分 35 分" in page
    assert page.count("★ ") >= 10 and "崇学向善" in page  # the criteria
    page = html(as_user(client, n.wang).get("/campaigns/stars/"))
    assert "还没有经社区确认" in page  # drafts are not shown
    page = html(as_user(client, n.staff_a).get("/campaigns/stars/"))
    assert "还没有关联住户" in page


def test_the_stars_on_the_household_record(client, stars):
    n = stars
    confirmed(n, n.h1, 6, year=YEAR - 1)
    confirmed(n, n.h1, 8)
    assess(n, n.h2, 4)
    page = html(as_user(client, n.staff_a).get(f"/areas/{n.b1.code}/"))
    assert f"{YEAR}年 8★" in page and f"{YEAR - 1}年 6★" not in page and "4★" not in page


def test_bad_addresses_are_404_not_500(client, stars):
    n = stars
    as_user(client, n.staff_a)
    assert client.get(f"{M}/household/999999/").status_code == 404
    assert client.get(f"{M}/building/NOPE/").status_code == 404
    assert client.get(f"{M}/999999/plaque/").status_code == 404
    assert client.post(f"{M}/999999/confirm/").status_code == 404
    assert client.get(f"{M}/building/{n.b1.code}/plaques/?year=abc").status_code == 200
    assert client.get(f"{M}/summary/?year=-1").status_code == 200
    response = client.post(f"{M}/household/{n.h1.pk}/", {"year": "1999"})
    assert response.status_code == 400 and not StarAssessment.objects.exists()
    assert client.get(f"{M}/drafts/confirm/").status_code == 405


def test_the_residents_menu_entry(rf, stars):
    """文明创建 shows once the household has confirmed stars, not for a draft."""
    from gongzhi.campaigns.panels import nav_url
    n = stars
    request = rf.get("/")
    request.user = n.wang
    assert nav_url(request) is None
    draft = ca.assess_household(household=n.h1, year=timezone.localdate().year,
                                awards=evidence_for(n.criteria, 3), acting_user=n.head_b1)
    assert nav_url(request) is None
    ca.confirm_assessment(assessment=draft, acting_user=n.staff_a)
    assert nav_url(request) == "/campaigns/"
    request.user = n.staff_a
    assert nav_url(request) is None


def test_administrators_edit_the_criteria(client, stars):
    from gongzhi.campaigns.models import StarCriterion
    n = stars
    first = n.criteria[0]
    assert as_user(client, n.staff_a).get(f"{M}/criteria/").status_code == 403
    page = html(as_user(client, n.admin).get(f"{M}/criteria/?edit={first.pk}"))
    assert page.count("<tr data-criterion=") == 10 and f'value="{first.name}"' in page
    response = client.post(f"{M}/criteria/", {"criterion": first.pk, "name": "爱国守法",
                                              "description": "新的标准", "order": 1})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.description, first.is_active) == ("新的标准", False)  # unticked: retired
    response = client.post(f"{M}/criteria/", {"name": "诚信友善", "order": 3,
                                              "is_active": "on"})
    assert response.status_code == 400 and "已有名为“诚信友善”的星级" in html(response)
    client.post(f"{M}/criteria/", {"name": "绿色环保", "order": 11, "is_active": "on"})
    assert StarCriterion.objects.filter(is_active=True).count() == 10
    assert client.get(f"{M}/criteria/?edit=abc").status_code == 404
