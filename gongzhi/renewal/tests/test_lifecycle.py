"""A project from reserve to long-term management, the happy path end to end."""

import pytest

from gongzhi.notices.models import NoticeKind
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import ItemStatus, PlanStatus, Stage
from gongzhi.renewal.tests.conftest import finish_all


@pytest.mark.django_db
def test_a_project_goes_from_reserve_to_long_term_management(in_works):
    n = in_works
    assert n.project.stage == Stage.WORKS and n.project.plan_status == PlanStatus.APPROVED
    assert n.project.resolution.notice is not None  # the approved plan was published
    assert f"/renewal/projects/{n.project.pk}/" in n.project.resolution.text
    finish_all(n)
    project = ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    for item in project.items.all():
        ra.sign_off_item(item=item, accepted=True, acting_user=n.resident)
        ra.sign_off_item(item=item, accepted=True, acting_user=n.staff_a)
    assert set(project.items.values_list("status", flat=True)) == {ItemStatus.ACCEPTED}
    project = ra.complete_acceptance(project=project, acting_user=n.staff_a)
    assert project.stage == Stage.MANAGEMENT
    assert project.funding_notice.kind == NoticeKind.FINANCE
    assert project.funding_notice.subject == f"renewal.project:{project.pk}"
    project = ra.record_management(project=project, management="self", convention="爱护设施",
                                   acting_user=n.staff_a)
    n.record.refresh_from_db()
    assert n.record.management == "self"


@pytest.mark.django_db
def test_the_plans_resolution_and_its_notice_lead_back_to_the_project(in_works, client):
    n = in_works
    resolution = n.project.resolution
    assert resolution.subject == f"renewal.project:{n.project.pk}"
    client.force_login(n.resident)
    page = client.get(f"/deliberation/resolutions/{resolution.pk}/").content.decode()
    assert f'id="subject-link" href="/renewal/projects/{n.project.pk}/"' in page
    notice = client.get(f"/notices/{resolution.notice_id}/").content.decode()
    assert f'href="/deliberation/resolutions/{resolution.pk}/"' in notice
    client.force_login(n.staff_a)
    staff = client.get(f"/deliberation/manage/resolutions/{resolution.pk}/").content.decode()
    assert f'href="/renewal/projects/{n.project.pk}/"' in staff
