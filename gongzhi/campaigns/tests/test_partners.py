"""网格合伙人 actions: who may recruit, apply, decide, assign and report; closed posts, past
closing dates, the places cap; a patrol problem becomes a case; contributions counted."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns import selectors_partners as sel
from gongzhi.campaigns.models import ApplicationStatus, PartnerKind, PartnerPost, PatrolStatus
from gongzhi.cases import actions as cases
from gongzhi.cases.models import Case, Source, Status
from gongzhi.cases.permissions import can_handle, can_view_case
from gongzhi.core.models import AuditEvent
from gongzhi.core.notifications import Notification

pytestmark = pytest.mark.django_db
AS = ApplicationStatus
SOON = timezone.localdate() + timedelta(days=3)


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def photo() -> SimpleUploadedFile:
    buf = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def accepted(n, user, post=None, kind=PartnerKind.RESIDENT, organisation=None):
    application = ca.apply_as_partner(post=post or n.post1, kind=kind, organisation=organisation,
                                      motivation="退休教师，时间充裕", acting_user=user)
    return ca.decide_partner_application(application=application, accept=True,
                                         acting_user=n.staff_a)


# --- recruiting -----------------------------------------------------------------------------


def test_recruit_needs_a_grid_and_an_organiser(partners):
    n = partners
    assert n.post1.area_path == n.grid_a1.path and n.post1.is_open
    assert AuditEvent.objects.filter(action="campaigns.recruit_partners").count() == 2
    with pytest.raises(ValidationError) as err:
        ca.recruit_partners(area=n.comm_a, title="t", duties="d", places=2, closes_on=SOON,
                            acting_user=n.staff_a)
    assert "area" in err.value.error_dict
    for user in (n.staff_b, n.worker_a1, n.resident):
        with pytest.raises(PermissionDenied):
            ca.recruit_partners(area=n.grid_a1, title="t", duties="d", places=2,
                                closes_on=SOON, acting_user=user)
    with pytest.raises(ValidationError):
        ca.recruit_partners(area=n.grid_a1, title="t", duties="d", places=0, closes_on=SOON,
                            acting_user=n.staff_a)
    post = ca.recruit_partners(area=n.grid_a1, title="街道发布", duties="d", places=1,
                               closes_on=SOON, acting_user=n.street_staff)
    assert post.created_by == n.street_staff


def test_close_post_stops_applications(partners):
    n = partners
    with pytest.raises(PermissionDenied):
        ca.close_partner_post(post=n.post1, acting_user=n.staff_b)
    ca.close_partner_post(post=n.post1, acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ca.close_partner_post(post=n.post1, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="已结束报名"):
        ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                            acting_user=n.resident)


def test_no_application_past_the_closing_date(partners):
    n = partners
    PartnerPost.objects.filter(pk=n.post1.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError, match="已结束报名"):
        ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                            acting_user=n.resident)
    PartnerPost.objects.filter(pk=n.post1.pk).update(closes_on=timezone.localdate())
    ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                        acting_user=n.resident)  # the closing day itself is still open


# --- applying -------------------------------------------------------------------------------


def test_residents_of_the_community_apply_once(partners):
    n = partners
    # 张伟's household is in grid A2, same community: he may apply to grid A1's post.
    application = ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT,
                                      motivation="热心", acting_user=n.resident)
    assert application.status == AS.PENDING and application.area_path == n.grid_a1.path
    with pytest.raises(ValidationError, match="已报名"):
        ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="再来",
                            acting_user=n.resident)
    with pytest.raises(PermissionDenied):  # community B
        ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                            acting_user=n.p_resident4)
    with pytest.raises(PermissionDenied):  # no home on record
        ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                            acting_user=n.shop_owner)
    with pytest.raises(ValidationError) as err:
        ca.apply_as_partner(post=n.post2, kind=PartnerKind.RESIDENT, motivation=" ",
                            acting_user=n.resident)
    assert "motivation" in err.value.error_dict
    assert AuditEvent.objects.filter(action="campaigns.apply_as_partner").count() == 1


def test_shop_owners_and_property_staff_apply_for_their_organisation(partners):
    n = partners
    shop = ca.apply_as_partner(post=n.post1, kind=PartnerKind.SHOP, organisation=n.shop,
                               motivation="店在路口", acting_user=n.shop_owner)
    assert shop.organisation == n.shop
    with pytest.raises(ValidationError):  # a property company is no shop
        ca.apply_as_partner(post=n.post2, kind=PartnerKind.SHOP, organisation=n.property_co,
                            motivation="m", acting_user=n.property_member)
    with pytest.raises(PermissionDenied):  # not a member of the shop
        ca.apply_as_partner(post=n.post2, kind=PartnerKind.SHOP, organisation=n.shop,
                            motivation="m", acting_user=n.property_member)
    prop = ca.apply_as_partner(post=n.post1, kind=PartnerKind.PROPERTY,
                               organisation=n.property_co, motivation="物业管家",
                               acting_user=n.property_member)
    assert prop.kind == PartnerKind.PROPERTY
    with pytest.raises(ValidationError, match="不服务本网格"):  # 铁路物业 serves grid A1 only
        ca.apply_as_partner(post=n.post2, kind=PartnerKind.PROPERTY,
                            organisation=n.property_co, motivation="m",
                            acting_user=n.property_member)


# --- deciding -------------------------------------------------------------------------------


def test_decide_accepts_up_to_the_places_and_tells_the_applicant(partners):
    n = partners
    a1 = ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                             acting_user=n.resident)
    a2 = ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                             acting_user=n.p_resident1)
    a3 = ca.apply_as_partner(post=n.post1, kind=PartnerKind.SHOP, organisation=n.shop,
                             motivation="m", acting_user=n.shop_owner)
    for user in (n.staff_b, n.worker_a1, n.resident):
        with pytest.raises(PermissionDenied):
            ca.decide_partner_application(application=a1, accept=True, acting_user=user)
    ca.decide_partner_application(application=a1, accept=True, acting_user=n.staff_a)
    ca.decide_partner_application(application=a2, accept=True, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="已满"):  # two places
        ca.decide_partner_application(application=a3, accept=True, acting_user=n.staff_a)
    with pytest.raises(ValidationError) as err:
        ca.decide_partner_application(application=a3, accept=False, acting_user=n.staff_a)
    assert "note" in err.value.error_dict
    ca.decide_partner_application(application=a3, accept=False, note="名额已满",
                                  acting_user=n.staff_a)
    a3.refresh_from_db()
    assert a3.status == AS.DECLINED and a3.decision_note == "名额已满"
    with pytest.raises(ValidationError, match="已审核"):
        ca.decide_partner_application(application=a1, accept=True, acting_user=n.staff_a)
    assert Notification.objects.filter(recipient=n.resident,
                                       kind="campaigns.partner_decided").count() == 1
    assert Notification.objects.get(recipient=n.shop_owner).body == "名额已满"


def test_end_partnership_by_staff_or_the_partner(partners):
    n = partners
    a = accepted(n, n.resident)
    b = accepted(n, n.p_resident1)
    task = ca.assign_patrol(partner=b, route="沿街", due_on=SOON, acting_user=n.worker_a1)
    for user in (n.p_resident1, n.staff_b):
        with pytest.raises(PermissionDenied):
            ca.end_partnership(application=a, acting_user=user)
    ca.end_partnership(application=a, acting_user=n.resident)
    ca.end_partnership(application=b, note="搬家", acting_user=n.staff_a)
    a.refresh_from_db()
    task.refresh_from_db()
    assert a.status == AS.ENDED and task.status == PatrolStatus.CANCELLED
    with pytest.raises(ValidationError):
        ca.end_partnership(application=a, acting_user=n.staff_a)
    # The place is free again.
    accepted(n, n.shop_owner, kind=PartnerKind.SHOP, organisation=n.shop)


# --- patrols ------------------------------------------------------------------------------


def test_assign_patrol_by_grid_worker_or_staff_to_accepted_partners(partners):
    n = partners
    partner = accepted(n, n.resident)
    task = ca.assign_patrol(partner=partner, route="铁路小区东门至菜场", due_on=SOON,
                            acting_user=n.worker_a1)
    assert task.status == PatrolStatus.ASSIGNED and task.area_path == n.grid_a1.path
    ca.assign_patrol(partner=partner, route="楼道", due_on=SOON, acting_user=n.staff_a)
    for user in (n.worker_a2, n.staff_b, n.head_b1, n.resident):
        with pytest.raises(PermissionDenied):
            ca.assign_patrol(partner=partner, route="r", due_on=SOON, acting_user=user)
    with pytest.raises(ValidationError) as err:
        ca.assign_patrol(partner=partner, route="r", acting_user=n.worker_a1,
                         due_on=timezone.localdate() - timedelta(days=1))
    assert "due_on" in err.value.error_dict
    pending = ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                                  acting_user=n.p_resident1)
    with pytest.raises(ValidationError):
        ca.assign_patrol(partner=pending, route="r", due_on=SOON, acting_user=n.worker_a1)
    assert Notification.objects.filter(recipient=n.resident,
                                       kind="campaigns.patrol_assigned").count() == 2


def test_report_patrol_files_a_case_with_the_partner_as_reporter(partners):
    n = partners
    partner = accepted(n, n.resident)
    task = ca.assign_patrol(partner=partner, route="沿街", due_on=SOON, acting_user=n.worker_a1)
    for user in (n.worker_a1, n.staff_a, n.p_resident1):
        with pytest.raises(PermissionDenied):
            ca.report_patrol(task=task, report="r", acting_user=user)
    with pytest.raises(ValidationError):  # photos without saying what the problem is
        ca.report_patrol(task=task, report="r", photos=[photo()], acting_user=n.resident)
    ca.report_patrol(task=task, report="路灯不亮", problem_title="3号路灯不亮",
                     problem_description="晚上漆黑", photos=[photo()], acting_user=n.resident)
    task.refresh_from_db()
    assert task.status == PatrolStatus.DONE and task.done_at is not None
    case = task.case
    assert case.reporter == n.resident and case.source == Source.RESIDENT_PAGE
    assert case.area_path == n.grid_a1.path and case.title == "3号路灯不亮"
    assert case.photos.count() == 1
    with pytest.raises(ValidationError):
        ca.report_patrol(task=task, report="again", acting_user=n.resident)
    plain = ca.assign_patrol(partner=partner, route="楼道", due_on=SOON, acting_user=n.staff_a)
    ca.report_patrol(task=plain, report="一切正常", acting_user=n.resident)
    plain.refresh_from_db()
    assert plain.case is None and Case.objects.count() == 1


def test_a_case_may_be_dispatched_to_a_partner_of_its_grid(partners):
    n = partners
    partner = accepted(n, n.resident)
    case = cases.submit_case(title="垃圾满溢", description="d", area=n.compound,
                             source=Source.PATROL, acting_user=n.worker_a1)
    other = cases.submit_case(title="井盖", description="d", area=n.b2, source=Source.PATROL,
                              acting_user=n.worker_a2)
    for c in (case, other):
        cases.accept_case(case=c, category=n.p_category, acting_user=n.staff_a)
    assert not can_view_case(n.resident, case)
    cases.dispatch_case(case=case, to_user=n.resident, acting_user=n.staff_a)
    case.refresh_from_db()
    assert can_view_case(n.resident, case) and can_handle(n.resident, case)
    with pytest.raises(ValidationError):  # grid A2's case: not their grid
        cases.dispatch_case(case=other, to_user=n.resident, acting_user=n.staff_a)
    with pytest.raises(ValidationError):  # no partner at all
        cases.dispatch_case(case=other, to_user=n.p_resident1, acting_user=n.staff_a)
    assert list(sel.assigned_cases(partner)) == [case]
    ca.end_partnership(application=partner, acting_user=n.resident)
    case.refresh_from_db()
    with pytest.raises(ValidationError):  # no longer a partner
        cases.dispatch_case(case=case, to_user=n.resident, acting_user=n.staff_a)


def test_contributions_are_counted_exactly(partners):
    n = partners
    a = accepted(n, n.resident)
    b = accepted(n, n.p_resident1)
    tasks = [ca.assign_patrol(partner=a, route=f"路线{i}", due_on=SOON, acting_user=n.worker_a1)
             for i in range(4)]
    ca.assign_patrol(partner=b, route="b", due_on=SOON, acting_user=n.worker_a1)
    # a: three patrols done, two of them with a problem; one still assigned.
    ca.report_patrol(task=tasks[0], report="ok", acting_user=n.resident)
    for t in tasks[1:3]:
        ca.report_patrol(task=t, report="问题", problem_title="占道", acting_user=n.resident)
    # a is given two cases of the grid, one resolved; b none.
    given = []
    for title in ("堆物", "漏水"):
        c = cases.submit_case(title=title, description="d", area=n.compound,
                              source=Source.PATROL, acting_user=n.worker_a1)
        cases.accept_case(case=c, category=n.p_category, acting_user=n.staff_a)
        given.append(cases.dispatch_case(case=c, to_user=n.resident, acting_user=n.staff_a))
    cases.resolve_case(case=given[0], result="已清理", acting_user=n.resident)
    counts = {c.partner.pk: c for c in sel.contributions([a, b])}
    assert (counts[a.pk].patrols_done, counts[a.pk].problems_reported,
            counts[a.pk].cases_assigned, counts[a.pk].cases_done) == (3, 2, 2, 1)
    assert (counts[b.pk].patrols_done, counts[b.pk].problems_reported,
            counts[b.pk].cases_assigned, counts[b.pk].cases_done) == (0, 0, 0, 0)
    assert Case.objects.filter(status=Status.RESOLVED).count() == 1
    month = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    summary = {row["community"].pk: row for row in sel.community_summary(n.street_staff, month)}
    assert (summary[n.comm_a.pk]["posts"], summary[n.comm_a.pk]["partners"],
            summary[n.comm_a.pk]["patrols"]) == (2, 2, 3)
    assert (summary[n.comm_b.pk]["posts"], summary[n.comm_b.pk]["partners"]) == (0, 0)
