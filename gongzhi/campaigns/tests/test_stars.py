"""十星级文明户 actions: assessing (a draft with evidence per star), confirming (the points of
``per_civil_star`` × stars to the household's account holder, once), the criteria, who may
do what, and what is refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import AssessmentStatus, StarAssessment, StarAward, StarCriterion
from gongzhi.campaigns.tests.fixtures_stars import STAR_POINTS, evidence_for
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.volunteering.models import PointsEntry

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def assess(n, household, count: int, by=None, year: int = YEAR, **kw) -> StarAssessment:
    return ca.assess_household(household=household, year=year,
                               awards=evidence_for(n.criteria, count),
                               acting_user=by or n.head_b1, **kw)


def events(action: str):
    return AuditEvent.objects.filter(action=f"campaigns.{action}")


# --- the main path: 7 stars × 5 points = 35, once ------------------------------------------------


def test_seven_stars_confirmed_award_35_points_once(stars):
    n = stars
    draft = assess(n, n.h2, 7, note="入户走访")
    assert (draft.stars, draft.status, draft.points_awarded) == (7, AssessmentStatus.DRAFT, 0)
    assert draft.area_path == n.h2.area_path
    assert list(draft.awards.values_list("criterion__name", flat=True)) == [
        "爱国守法", "诚信友善", "孝老爱亲", "勤俭节约", "清洁卫生", "移风易俗", "邻里和睦"]
    assert PointsEntry.objects.count() == 0  # a draft earns nothing

    done = ca.confirm_assessment(assessment=draft, acting_user=n.staff_a)
    assert (done.status, done.confirmed_by, done.points_awarded) == (
        AssessmentStatus.CONFIRMED, n.staff_a, 7 * STAR_POINTS)
    entry = PointsEntry.objects.get()
    assert (entry.holder, entry.points, entry.reason, entry.source_key) == (
        n.resident, 35, "civil_stars", f"civil_stars:{draft.pk}")
    # The household's members with accounts are told (李建国 is the only one).
    told = Notification.objects.filter(kind="campaigns.stars_confirmed")
    assert [x.recipient for x in told] == [n.resident]

    with pytest.raises(ValidationError, match="已确认"):
        ca.confirm_assessment(assessment=draft, acting_user=n.staff_a)
    assert PointsEntry.objects.count() == 1
    assert events("confirm_assessment").count() == 1


def test_one_audit_event_each_with_the_awards_and_the_holder(stars):
    n = stars
    draft = assess(n, n.h1, 2)
    event = events("assess_household").get()
    assert event.after["stars"] == 2 and event.before is None
    assert event.after["awards"] == {c.name: f"{c.name}：入户核实，邻居证实"
                                     for c in n.criteria[:2]}
    ca.confirm_assessment(assessment=draft, acting_user=n.staff_a)
    event = events("confirm_assessment").get()
    assert event.after["points_to"] == "wang" and event.after["points_awarded"] == 10
    assert event.before["status"] == "draft" and event.after["status"] == "confirmed"


def test_points_go_to_the_first_member_with_an_account_else_nobody(stars):
    n = stars
    # 张伟 (the head of h3) has no account: his son 张小明 receives 3 × 5.
    done = ca.confirm_assessment(assessment=assess(n, n.h3, 3, by=n.worker_a2),
                                 acting_user=n.staff_a)
    assert done.points_awarded == 15
    assert PointsEntry.objects.get().holder == n.xiaoming
    # Nobody in h4 has an account: confirmed with 0 points, and the audit says why.
    lonely = ca.confirm_assessment(assessment=assess(n, n.h4, 10, by=n.staff_b),
                                   acting_user=n.staff_b)
    assert (lonely.stars, lonely.points_awarded) == (10, 0)
    assert PointsEntry.objects.count() == 1
    assert "未发放积分" in events("confirm_assessment").order_by("pk").last().after["points_to"]


def test_no_points_while_the_rule_is_off(stars):
    n = stars
    from gongzhi.volunteering.actions.bank import save_points_rule
    save_points_rule(code="per_civil_star", points=5, is_active=False, acting_user=n.admin)
    done = ca.confirm_assessment(assessment=assess(n, n.h1, 4), acting_user=n.staff_a)
    assert done.points_awarded == 0 and PointsEntry.objects.count() == 0


def test_a_draft_is_replaced_a_confirmed_one_is_not(stars):
    n = stars
    first = assess(n, n.h1, 5)
    second = assess(n, n.h1, 2, by=n.worker_a1)
    assert second.pk == first.pk and second.stars == 2 and second.assessed_by == n.worker_a1
    assert StarAward.objects.filter(assessment=first).count() == 2
    assert events("assess_household").order_by("pk").last().before["stars"] == 5
    ca.confirm_assessment(assessment=second, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="不能再修改"):
        assess(n, n.h1, 9)
    second.refresh_from_db()
    assert second.stars == 2 and StarAward.objects.filter(assessment=second).count() == 2
    # Last year is a year of its own.
    last = assess(n, n.h1, 6, year=YEAR - 1)
    assert last.pk != second.pk and StarAssessment.objects.filter(household=n.h1).count() == 2


# --- refused input -----------------------------------------------------------------------------


def test_every_star_needs_its_evidence(stars):
    n = stars
    awards = evidence_for(n.criteria, 3)
    awards[n.criteria[1]] = "   "
    with pytest.raises(ValidationError) as exc:
        ca.assess_household(household=n.h1, year=YEAR, awards=awards, acting_user=n.head_b1)
    assert "请写明“诚信友善”的事实依据" in exc.value.message_dict["awards"][0]
    assert not StarAssessment.objects.exists()


def test_only_active_and_known_criteria(stars):
    n = stars
    retired = n.criteria[0]
    ca.save_star_criterion(criterion=retired, name=retired.name, description="",
                           order=retired.order, is_active=False, acting_user=n.admin)
    with pytest.raises(ValidationError, match="已停用"):
        ca.assess_household(household=n.h1, year=YEAR, awards={retired: "有依据"},
                            acting_user=n.head_b1)
    with pytest.raises(ValidationError, match="未知的星级"):
        ca.assess_household(household=n.h1, year=YEAR, awards={999999: "有依据"},
                            acting_user=n.head_b1)
    assert not StarAssessment.objects.exists()


@pytest.mark.parametrize("year", [YEAR + 1, YEAR - 2, "abc"])
def test_only_this_year_or_last(stars, year):
    n = stars
    with pytest.raises(ValidationError) as exc:
        assess(n, n.h1, 1, year=year)
    assert "year" in exc.value.message_dict


def test_a_long_note_is_refused(stars):
    with pytest.raises(ValidationError) as exc:
        assess(stars, stars.h1, 1, note="字" * 301)
    assert "note" in exc.value.message_dict


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who, household, allowed", [
    ("head_b1", "h1", True), ("head_b1", "h3", False),  # a building head: own building only
    ("worker_a1", "h2", True), ("worker_a2", "h1", False),  # a grid worker: own grid
    ("staff_a", "h3", True), ("staff_b", "h1", False),  # community staff: own community
    ("street_staff", "h4", True), ("resident", "h2", False), ("wang", "h1", False),
    ("property_member", "h1", False),
])
def test_who_may_assess(stars, who, household, allowed):
    n = stars
    if allowed:
        assert assess(n, getattr(n, household), 1, by=getattr(n, who)).stars == 1
    else:
        with pytest.raises(PermissionDenied):
            assess(n, getattr(n, household), 1, by=getattr(n, who))
        assert not StarAssessment.objects.exists()


@pytest.mark.parametrize("who, allowed", [
    ("staff_a", True), ("street_staff", True), ("district_staff", True), ("staff_b", False),
    ("head_b1", False), ("worker_a1", False), ("resident", False),
])
def test_who_may_confirm(stars, who, allowed):
    n = stars
    draft = assess(n, n.h1, 2)
    if allowed:
        assert ca.confirm_assessment(assessment=draft, acting_user=getattr(n, who)
                                     ).points_awarded == 10
    else:
        with pytest.raises(PermissionDenied):
            ca.confirm_assessment(assessment=draft, acting_user=getattr(n, who))
        draft.refresh_from_db()
        assert draft.status == AssessmentStatus.DRAFT and not PointsEntry.objects.exists()


# --- the criteria ------------------------------------------------------------------------------


def test_ten_default_criteria_and_administrators_edit_them(stars):
    n = stars
    assert [c.name for c in n.criteria] == ["爱国守法", "诚信友善", "孝老爱亲", "勤俭节约",
                                            "清洁卫生", "移风易俗", "邻里和睦", "热心公益",
                                            "遵章守纪", "崇学向善"]
    new = ca.save_star_criterion(name="绿色环保", description="垃圾分类，节约用水用电",
                                 order=11, is_active=True, acting_user=n.admin)
    assert StarCriterion.objects.filter(is_active=True).count() == 11
    assert events("save_star_criterion").get().after == {
        "name": "绿色环保", "description": "垃圾分类，节约用水用电", "order": 11,
        "is_active": True}
    changed = ca.save_star_criterion(criterion=new, name="绿色低碳", description="", order=12,
                                     is_active=True, acting_user=n.admin)
    assert changed.pk == new.pk and changed.name == "绿色低碳"
    with pytest.raises(ValidationError) as exc:
        ca.save_star_criterion(criterion=new, name="爱国守法", description="", order=1,
                               is_active=True, acting_user=n.admin)
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ca.save_star_criterion(name="新星", description="", order="x", is_active=True,
                               acting_user=n.admin)
    assert "order" in exc.value.message_dict
    for user in (n.staff_a, n.street_staff, n.head_b1):
        with pytest.raises(PermissionDenied):
            ca.save_star_criterion(name="新星", description="", order=1, is_active=True,
                                   acting_user=user)
