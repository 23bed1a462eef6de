"""Consultations (征询): the head answers once, staff enter signed answers, the summary."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.areas.actions import add_resident
from gongzhi.conftest import make_user
from gongzhi.deliberation import actions
from gongzhi.deliberation.models import ConsultationAnswer
from gongzhi.deliberation.selectors import consultation_summary


def lift(n, **kw):
    return actions.create_consultation(title="1栋加装电梯", area=n.b1, acting_user=n.staff_a,
                                       **(n.window | kw))


def test_create_validates(delib):
    n = delib
    with pytest.raises(ValidationError):
        lift(n, matter="nonsense")
    with pytest.raises(ValidationError):
        lift(n, unit="9")  # no households in unit 9
    with pytest.raises(PermissionDenied):
        actions.create_consultation(title="t", area=n.b1, acting_user=n.staff_b, **n.window)
    assert lift(n, unit="1").matter == "rebuild"


def test_head_answers_once_with_condition(delib):
    n = delib
    c = lift(n)
    member = add_resident(household=n.h1, name="王小明", phone="13812349999", is_head=False,
                          acting_user=None)
    family = make_user("family", resident=member)
    for user in (family, n.owner2, n.staff_a):
        with pytest.raises(PermissionDenied):
            actions.answer_consultation(consultation=c, household=n.h1, answer="agree",
                                        acting_user=user)
    with pytest.raises(ValidationError):
        actions.answer_consultation(consultation=c, household=n.h1, answer="conditional",
                                    condition="  ", acting_user=n.owner1)
    row = actions.answer_consultation(consultation=c, household=n.h1, answer="conditional",
                                      condition="低层住户采光补偿", acting_user=n.owner1)
    assert row.floor == 1 and row.condition == "低层住户采光补偿"
    with pytest.raises(ValidationError):
        actions.answer_consultation(consultation=c, household=n.h1, answer="agree",
                                    acting_user=n.owner1)
    assert ConsultationAnswer.objects.get(consultation=c).answer == "conditional"


def test_household_outside_or_closed(delib):
    n = delib
    c = lift(n)
    with pytest.raises(ValidationError):
        actions.enter_answer(consultation=c, household=n.h3, answer="agree", record="签字",
                             acting_user=n.staff_a)
    actions.close_consultation(consultation=c, acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.answer_consultation(consultation=c, household=n.h1, answer="agree",
                                    acting_user=n.owner1)
    late = lift(n, opens_at=n.now - timedelta(days=9), closes_at=n.now - timedelta(days=2))
    with pytest.raises(ValidationError):
        actions.answer_consultation(consultation=late, household=n.h1, answer="agree",
                                    acting_user=n.owner1)


def test_staff_enter_answer_needs_record(delib):
    n = delib
    c = lift(n)
    with pytest.raises(ValidationError):
        actions.enter_answer(consultation=c, household=n.h2, answer="agree", record="",
                             acting_user=n.staff_a)
    with pytest.raises(PermissionDenied):
        actions.enter_answer(consultation=c, household=n.h2, answer="agree", record="签字",
                             acting_user=n.owner1)
    row = actions.enter_answer(consultation=c, household=n.h2, answer="disagree",
                               record="入户签字意见书", acting_user=n.staff_a)
    assert row.entered_by == n.staff_a and row.answered_by is None


def test_summary_by_floor_and_art278(delib):
    n = delib
    c = lift(n)
    actions.answer_consultation(consultation=c, household=n.h1, answer="conditional",
                                condition="补偿", acting_user=n.owner1)
    actions.enter_answer(consultation=c, household=n.h2, answer="agree", record="签字",
                         acting_user=n.staff_a)
    s = consultation_summary(c)
    assert [(r.floor, r.households, r.agree, r.conditional, r.disagree) for r in s.rows] == [
        (1, 1, 0, 1, 0), (2, 1, 1, 0, 0)]
    assert s.totals.households == 2 and s.totals.unanswered == 0
    assert s.missing_area == 0
    assert s.as_answered.rule == "art278_three_quarters"
    # As answered, the condition is not met: one yes and one abstention of two.
    assert s.as_answered.yes_units == 1 and s.as_answered.passed is False
    assert s.if_conditions_met.yes_units == 2 and s.if_conditions_met.passed is True


def test_summary_without_floor_area(delib):
    n = delib
    c = lift(n)
    type(n.h2).objects.filter(pk=n.h2.pk).update(floor_area=None)
    s = consultation_summary(c)
    assert s.missing_area == 1 and s.as_answered is None and s.totals.unanswered == 2
