"""The demo's deliberation: councils with minutes, a finished lift consultation whose
resolution is in its notice period, and an open poll the demo resident can vote in (the
renovation plan's art. 278 vote is the renewal demo's: test_demo_renewal)."""


import pytest

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaNode
from gongzhi.deliberation.actions.polls import units_of
from gongzhi.deliberation.models import (
    Consultation,
    ConsultationStatus,
    Council,
    Meeting,
    MeetingStatus,
    Poll,
    PollStatus,
    Resolution,
    ResolutionStatus,
    Topic,
    TopicStatus,
)
from gongzhi.deliberation.selectors import consultation_summary
from gongzhi.demo.actions import load_demo
from gongzhi.demo.deliberation import load_demo_deliberation
from gongzhi.notices.actions import in_period, may_object
from gongzhi.notices.models import NoticeStatus


@pytest.fixture
def demo(db, settings):
    settings.GONGZHI_DEMO_CASES = 30
    from gongzhi.demo.cases import load_demo_cases

    load_demo(acting_user=None)
    load_demo_cases(acting_user=None)
    return load_demo_deliberation()


def test_no_demo_street_nothing_loaded(db):
    assert load_demo_deliberation() == 0
    assert not Council.objects.exists()


def test_every_community_has_a_council_with_past_meetings_and_minutes(demo):
    assert demo == Council.objects.count()
    for community in AreaNode.objects.filter(kind="community"):
        council = Council.objects.get(area=community, kind="residents")
        held = council.meetings.filter(status=MeetingStatus.HELD)
        assert held.count() == 2
        for meeting in held:
            assert meeting.minutes and meeting.attendance.exists()
            assert all(item.decision and item.topic.status == TopicStatus.DECIDED
                       for item in meeting.agenda.select_related("topic"))
    # The monthly joint meeting scheduled its next one, and a case's topic was decided.
    joint = Council.objects.get(kind="joint")
    assert joint.meetings.filter(status=MeetingStatus.SCHEDULED, recurring_monthly=True).exists()
    case_topic = Topic.objects.get(council=joint, source="case")
    assert case_topic.status == TopicStatus.DECIDED
    assert case_topic.case.events.filter(kind="deliberated").exists()


def test_lift_consultation_is_finished_and_passes_the_three_quarters(demo):
    consultation = Consultation.objects.get()
    assert consultation.status == ConsultationStatus.CLOSED
    summary = consultation_summary(consultation)
    assert summary.totals.unanswered == 0 and summary.totals.disagree >= 1
    assert summary.as_answered is not None and summary.as_answered.passed
    # Dated door to door within the consultation's window, each with its signed record.
    for answer in consultation.answers.all():
        assert consultation.opens_at <= answer.answered_at <= consultation.closes_at
        assert answer.record.startswith("入户签字意见书")


def test_the_lift_resolution_is_approved_and_in_its_notice_period(demo):
    resolution = Resolution.objects.get(title__contains="加装电梯")
    assert resolution.status == ResolutionStatus.NOTICE
    assert resolution.decided_by.username == "street"
    notice = resolution.notice
    assert notice.status == NoticeStatus.PUBLISHED and in_period(notice)
    assert may_object(User.objects.get(username="resident"), notice)


def test_the_demo_resident_can_vote_in_the_open_poll(demo):
    resident = User.objects.get(username="resident")
    poll = Poll.objects.get(status=PollStatus.OPEN)
    assert poll.options.count() == 2
    mine = list(units_of(resident, poll))
    assert len(mine) == 1 and not hasattr(mine[0], "ballot")
    assert poll.ballots.exists()  # neighbours have voted on paper already
    proposal = Topic.objects.get(source="proposal")
    assert proposal.status == TopicStatus.PROPOSED and proposal.supports.count() == 0


def test_loaded_once(demo):
    before = (Council.objects.count(), Meeting.objects.count(), Poll.objects.count())
    assert load_demo_deliberation() == 0
    assert (Council.objects.count(), Meeting.objects.count(), Poll.objects.count()) == before
