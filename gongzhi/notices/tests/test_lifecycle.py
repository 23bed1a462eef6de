"""A notice from draft to publication, objections within the period, answers, withdrawal."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.notices import actions
from gongzhi.notices.models import NoticeStatus, Objection, ObjectionStatus


def draft(n, **kw):
    kw.setdefault("area", n.comm_a)
    return actions.draft_notice(title="停车位划线方案公示", body="详见附件。",
                                acting_user=n.staff_a, period_days=7, **kw)


def test_only_publishers_of_the_area_draft_and_input_is_checked(street):
    n = street
    with pytest.raises(PermissionDenied):
        draft(n, area=n.comm_b)  # staff_a works in community A only
    with pytest.raises(PermissionDenied):
        actions.draft_notice(title="t", body="b", area=n.comm_a, acting_user=n.resident)
    for bad in ({"period_days": 0}, {"period_days": "seven"}, {"period_days": 91},
                {"title": " "}, {"kind": "gossip"}):
        args = {"title": "标题", "body": "正文", "area": n.comm_a, "period_days": 7} | bad
        with pytest.raises(ValidationError):
            actions.draft_notice(acting_user=n.staff_a, **args)
    assert not AuditEvent.objects.filter(action="notices.draft").exists()


def test_publish_starts_the_period_and_tells_the_residents(street):
    n = street
    notice = draft(n)
    assert not actions.in_period(notice)
    published = actions.publish_notice(notice=notice, acting_user=n.staff_a)
    assert published.status == NoticeStatus.PUBLISHED
    assert published.period_ends_at - published.published_at == timedelta(days=7)
    assert actions.in_period(published)
    # The resident of community A hears of it; nobody is told twice; B's residents are not.
    told = Notification.objects.filter(kind="notices.published")
    assert list(told.values_list("recipient", flat=True)) == [n.resident.pk]
    with pytest.raises(ValidationError):
        actions.publish_notice(notice=published, acting_user=n.staff_a)
    events = AuditEvent.objects.filter(action="notices.publish", object_id=str(notice.pk))
    assert events.count() == 1


def test_objections_only_from_the_area_and_only_within_the_period(street):
    n = street
    notice = draft(n)
    with pytest.raises(ValidationError):  # a draft takes no objections
        actions.lodge_objection(notice=notice, text="反对", acting_user=n.resident)
    notice = actions.publish_notice(notice=notice, acting_user=n.staff_a)
    outsider = make_user("outsider", resident=n.r4)  # lives in community B
    with pytest.raises(PermissionDenied):
        actions.lodge_objection(notice=notice, text="反对", acting_user=outsider)
    with pytest.raises(ValidationError):
        actions.lodge_objection(notice=notice, text="  ", acting_user=n.resident)
    objection = actions.lodge_objection(notice=notice, text="划线占用消防通道",
                                        acting_user=n.resident)
    assert Notification.objects.filter(recipient=n.staff_a, kind="notices.objection").exists()
    late = notice.period_ends_at + timedelta(seconds=1)
    with pytest.raises(ValidationError):
        actions.lodge_objection(notice=notice, text="再提", acting_user=n.resident, now=late)
    assert list(Objection.objects.values_list("pk", flat=True)) == [objection.pk]


def test_answer_once_by_a_publisher_and_the_author_is_told(street):
    n = street
    notice = actions.publish_notice(notice=draft(n), acting_user=n.staff_a)
    objection = actions.lodge_objection(notice=notice, text="有异议", acting_user=n.resident)
    with pytest.raises(PermissionDenied):
        actions.answer_objection(objection=objection, answer="好", acting_user=n.staff_b)
    with pytest.raises(ValidationError):
        actions.answer_objection(objection=objection, answer="", acting_user=n.staff_a)
    answered = actions.answer_objection(objection=objection, answer="已调整方案",
                                        acting_user=n.staff_a)
    assert answered.status == ObjectionStatus.ANSWERED and answered.answered_by == n.staff_a
    assert Notification.objects.filter(recipient=n.resident,
                                       kind="notices.objection_answered").count() == 1
    with pytest.raises(ValidationError):
        actions.answer_objection(objection=objection, answer="又答", acting_user=n.staff_a)


def test_withdraw_needs_a_reason_and_keeps_the_record(street):
    n = street
    notice = actions.publish_notice(notice=draft(n), acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.withdraw_notice(notice=notice, reason="", acting_user=n.staff_a)
    withdrawn = actions.withdraw_notice(notice=notice, reason="方案有误", acting_user=n.staff_a)
    assert withdrawn.status == NoticeStatus.WITHDRAWN and withdrawn.withdraw_reason == "方案有误"
    assert not actions.in_period(withdrawn)
    with pytest.raises(ValidationError):
        actions.lodge_objection(notice=withdrawn, text="反对", acting_user=n.resident)
