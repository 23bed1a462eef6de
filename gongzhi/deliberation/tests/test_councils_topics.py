"""Councils, members and topics: who may propose and support, the agenda threshold, and the
link to the problem ledger."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.cases.models import EventKind
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.deliberation import actions
from gongzhi.deliberation.models import CouncilMember, TopicStatus, TopicSupport


def test_create_council_validates(street):
    kw = {"name": "议事会", "area": street.comm_a, "term_start": date(2026, 1, 1)}
    with pytest.raises(ValidationError):
        actions.create_council(kind="nonsense", acting_user=street.staff_a, **kw)
    with pytest.raises(ValidationError):
        actions.create_council(kind="residents", term_end=date(2025, 12, 31),
                               acting_user=street.staff_a, **kw)
    with pytest.raises(ValidationError):
        actions.create_council(kind="residents", support_threshold=0,
                               acting_user=street.staff_a, **kw)
    with pytest.raises(ValidationError):
        actions.create_council(kind="residents", acting_user=street.staff_a,
                               **(kw | {"name": "  "}))
    with pytest.raises(PermissionDenied):
        actions.create_council(kind="residents", acting_user=street.staff_b, **kw)
    with pytest.raises(PermissionDenied):
        actions.create_council(kind="residents", acting_user=street.resident, **kw)
    council = actions.create_council(kind="residents", acting_user=street.street_staff, **kw)
    assert council.area_path == street.comm_a.path and council.support_threshold == 10
    assert AuditEvent.objects.filter(action="deliberation.create_council",
                                     object_id=str(council.pk)).count() == 1


def test_add_and_remove_member(delib):
    n = delib
    assert n.m1.name == n.owner1.display_name
    assert Notification.objects.filter(recipient=n.owner1,
                                       kind="deliberation.member_added").count() == 1
    with pytest.raises(ValidationError):
        actions.add_member(council=n.council, name="", capacity="resident", user=n.owner1,
                           acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.add_member(council=n.council, name="某人", capacity="king",
                           acting_user=n.staff_a)
    with pytest.raises(PermissionDenied):
        actions.add_member(council=n.council, name="某人", capacity="property",
                           acting_user=n.staff_b)
    removed = actions.remove_member(member=n.m1, acting_user=n.staff_a)
    assert removed.left_on is not None
    with pytest.raises(ValidationError):
        actions.remove_member(member=n.m1, acting_user=n.staff_a)
    # Once the seat has ended, the same account may be seated again.
    again = actions.add_member(council=n.council, name="", capacity="resident", user=n.owner1,
                               acting_user=n.staff_a)
    assert CouncilMember.objects.filter(council=n.council, user=n.owner1).count() == 2
    assert again.left_on is None
    assert AuditEvent.objects.filter(action="deliberation.remove_member").count() == 1


def propose(n, user=None):
    return actions.propose_topic(council=n.council, title="增设非机动车棚",
                                 description="电动车乱停，希望在1栋旁建车棚",
                                 acting_user=user or n.owner1)


def test_only_residents_of_the_area_propose(delib):
    n = delib
    for user in (n.outsider, n.staff_a, n.street_staff):
        with pytest.raises(PermissionDenied):
            propose(n, user)
    topic = propose(n)
    assert topic.status == TopicStatus.PROPOSED and topic.proposer == n.owner1
    assert topic.source == "proposal" and topic.area_path == n.comm_a.path
    with pytest.raises(ValidationError):
        actions.propose_topic(council=n.council, title="", description="x",
                              acting_user=n.owner1)
    with pytest.raises(ValidationError):  # area outside the council's
        actions.propose_topic(council=n.council, title="t", description="x", area=n.b3,
                              acting_user=n.owner1)


def test_support_once_not_own_and_threshold(delib):
    n = delib
    topic = propose(n)
    with pytest.raises(ValidationError):
        actions.support_topic(topic=topic, acting_user=n.owner1)  # the proposer
    with pytest.raises(PermissionDenied):
        actions.support_topic(topic=topic, acting_user=n.outsider)
    actions.support_topic(topic=topic, acting_user=n.owner2)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PROPOSED  # 1 of 2
    assert not Notification.objects.filter(kind="deliberation.topic_agenda").exists()
    with pytest.raises(ValidationError):
        actions.support_topic(topic=topic, acting_user=n.owner2)
    assert TopicSupport.objects.filter(topic=topic).count() == 1
    actions.support_topic(topic=topic, acting_user=n.owner3)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.AGENDA  # exactly at the threshold of 2
    told = set(Notification.objects.filter(kind="deliberation.topic_agenda")
               .values_list("recipient__username", flat=True))
    assert "owner1" in told and "staff_a" in told
    assert "staff_b" not in told and "owner2" not in told
    events = AuditEvent.objects.filter(action="deliberation.support_topic",
                                       object_id=str(topic.pk)).order_by("pk")
    assert [e.after for e in events] == [{"supports": 1},
                                         {"supports": 2, "status": "agenda"}]


def test_staff_raise_topic_goes_on_agenda(delib):
    n = delib
    with pytest.raises(PermissionDenied):
        actions.raise_topic(council=n.council, title="t", description="d",
                            acting_user=n.owner1)
    topic = actions.raise_topic(council=n.council, title="楼道照明", description="更换灯具",
                                acting_user=n.staff_a)
    assert topic.status == TopicStatus.AGENDA and topic.source == "staff"


def test_topic_from_case_and_decision_flow_back(delib, ledger):
    n = delib
    case = ledger.new_case("accepted")
    topic = actions.raise_topic_from_case(case=case, council=n.council, acting_user=n.staff_a)
    assert topic.case == case and topic.source == "case"
    assert topic.status == TopicStatus.AGENDA and topic.title == case.title
    events = case.events.filter(kind=EventKind.DELIBERATED)
    assert events.count() == 1 and events.get().data == {"topic": topic.pk}
    with pytest.raises(ValidationError):  # the same case twice
        actions.raise_topic_from_case(case=case, council=n.council, acting_user=n.staff_a)
    with pytest.raises(PermissionDenied):
        actions.decide_topic(topic=topic, decision="同意", acting_user=n.staff_b)
    with pytest.raises(ValidationError):
        actions.decide_topic(topic=topic, decision=" ", acting_user=n.staff_a)
    decided = actions.decide_topic(topic=topic, decision="同意设置限时停车",
                                   acting_user=n.staff_a)
    assert decided.status == TopicStatus.DECIDED and decided.decided_at is not None
    notes = list(case.events.filter(kind=EventKind.DELIBERATED).order_by("pk")
                 .values_list("note", flat=True))
    assert len(notes) == 2 and "同意设置限时停车" in notes[1]
    with pytest.raises(ValidationError):
        actions.decide_topic(topic=topic, decision="再议", acting_user=n.staff_a)
    assert AuditEvent.objects.filter(action="deliberation.decide_topic").count() == 1


def test_declined_proposal_tells_proposer(delib):
    n = delib
    topic = propose(n)
    actions.decide_topic(topic=topic, decision="经费不足", adopted=False,
                         acting_user=n.staff_a)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DECLINED
    assert Notification.objects.filter(recipient=n.owner1,
                                       kind="deliberation.topic_decided").count() == 1
