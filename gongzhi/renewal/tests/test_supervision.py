"""Supervisors inspect, representatives and the community accept item by item."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from gongzhi.cases.models import Case
from gongzhi.conftest import make_user
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import Inspection, ItemStatus, Photo, Signoff, Stage
from gongzhi.renewal.tests.conftest import finish_all

pytestmark = pytest.mark.django_db


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(out, "PNG")
    return out.getvalue()


def test_a_problem_the_supervisor_finds_becomes_a_case_linked_to_the_item(in_works):
    n = in_works
    inspection = ra.log_inspection(project=n.project, item=n.items[0], note="管道已铺设一半",
                                   problem="沟槽未设围挡，夜间有老人险些跌倒",
                                   photos=[png()], acting_user=n.resident1)
    case = inspection.case
    assert case is not None and "沟槽未设围挡" in case.description
    assert case.area == n.compound and case.reporter == n.resident1
    assert Photo.objects.filter(inspection=inspection).count() == 1
    assert case.photos.count() == 1


def test_an_inspection_without_a_problem_opens_no_case(in_works):
    n = in_works
    ra.log_inspection(project=n.project, note="施工有序", acting_user=n.resident1)
    assert not Case.objects.exists() and Inspection.objects.count() == 1


def test_only_the_projects_supervisors_inspect_and_only_during_the_works(renewal):
    n = renewal
    with pytest.raises(ValidationError, match="施工期间"):
        ra.log_inspection(project=n.project, note="看看", acting_user=n.resident1)
    for user in (n.resident, n.staff_a, make_user("passer_by")):
        with pytest.raises(PermissionDenied):
            ra.log_inspection(project=n.project, note="看看", acting_user=user)


def test_a_released_supervisor_no_longer_inspects(in_works):
    n = in_works
    ra.release_member(member=n.supervisor, acting_user=n.staff_a)
    with pytest.raises(PermissionDenied):
        ra.log_inspection(project=n.project, note="看看", acting_user=n.resident1)


def test_only_residents_of_the_compounds_are_appointed(renewal):
    n = renewal
    outsider = make_user("outsider_b", resident=n.r4)
    with pytest.raises(ValidationError, match="改造小区的居民"):
        ra.appoint_member(project=n.project, user=outsider, role="supervisor",
                          acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="已担任"):
        ra.appoint_member(project=n.project, user=n.resident1, role="supervisor",
                          acting_user=n.staff_a)


def test_the_contractor_logs_progress_on_its_own_items_only(in_works):
    n = in_works
    ra.start_item(item=n.items[0], acting_user=n.builder)
    log = ra.log_progress(item=n.items[0], note="完成主管道 600 米", progress=50,
                          photos=[png()], acting_user=n.builder)
    assert log.photos.count() == 1
    n.items[0].refresh_from_db()
    assert n.items[0].progress == 50
    with pytest.raises(PermissionDenied):  # 适老化扶手 has no contractor: the builder is out
        ra.start_item(item=n.items[2], acting_user=n.builder)
    with pytest.raises(ValidationError, match="0 到 100"):
        ra.log_progress(item=n.items[0], note="x", progress=120, acting_user=n.builder)


def test_a_fake_photo_is_refused_and_nothing_is_written(in_works):
    n = in_works
    ra.start_item(item=n.items[0], acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ra.log_progress(item=n.items[0], note="进度", progress=10,
                        photos=[b"<script>alert(1)</script>"], acting_user=n.staff_a)
    assert not n.items[0].progress_logs.exists() and not Photo.objects.exists()


def accepting(n):
    finish_all(n)
    return ra.start_acceptance(project=n.project, acting_user=n.staff_a)


def test_an_item_is_accepted_when_both_sides_sign(in_works):
    n = in_works
    accepting(n)
    ra.sign_off_item(item=n.items[0], accepted=True, acting_user=n.resident)
    n.items[0].refresh_from_db()
    assert n.items[0].status == ItemStatus.FINISHED
    ra.sign_off_item(item=n.items[0], accepted=True, acting_user=n.staff_a)
    n.items[0].refresh_from_db()
    assert n.items[0].status == ItemStatus.ACCEPTED
    with pytest.raises(ValidationError):
        ra.sign_off_item(item=n.items[0], accepted=True, acting_user=n.staff_a)


def test_a_refusal_needs_a_reason_and_sends_the_item_back_to_works(in_works):
    n = in_works
    accepting(n)
    ra.sign_off_item(item=n.items[1], accepted=True, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="理由"):
        ra.sign_off_item(item=n.items[1], accepted=False, acting_user=n.resident)
    ra.sign_off_item(item=n.items[1], accepted=False, reason="车位划线宽度不足 2.5 米",
                     acting_user=n.resident)
    item = n.project.items.get(pk=n.items[1].pk)
    assert item.status == ItemStatus.REWORK
    n.project.refresh_from_db()
    assert n.project.stage == Stage.WORKS
    assert Signoff.objects.filter(item=item, superseded=False).count() == 0
    # Redone, then accepted by both afresh.
    ra.log_progress(item=item, note="重新划线", progress=100, acting_user=n.staff_a)
    ra.finish_item(item=item, acting_user=n.staff_a)
    ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    ra.sign_off_item(item=item, accepted=True, acting_user=n.resident)
    ra.sign_off_item(item=item, accepted=True, acting_user=n.staff_a)
    item.refresh_from_db()
    assert item.status == ItemStatus.ACCEPTED


def test_nobody_else_signs_for_the_residents_or_the_community(in_works):
    n = in_works
    accepting(n)
    for user, party in ((n.resident1, None), (n.staff_b, None), (n.builder, None),
                        (n.resident, "community"), (n.staff_a, "residents")):
        with pytest.raises(PermissionDenied):
            ra.sign_off_item(item=n.items[0], accepted=True, acting_user=user, party=party)
    assert not Signoff.objects.exists()
