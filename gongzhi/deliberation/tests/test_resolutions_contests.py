"""Resolutions (draft → approval by the street → notice → carried out) and proposal contests."""

from datetime import timedelta
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.cases.models import EventKind
from gongzhi.core.models import Notification
from gongzhi.deliberation import actions
from gongzhi.deliberation.actions.contests import standings
from gongzhi.deliberation.models import (
    ContestStatus,
    PollUnit,
    ResolutionStatus,
    RoundStatus,
    TopicStatus,
)
from gongzhi.notices.actions import answer_objection, lodge_objection
from gongzhi.notices.models import Notice, NoticeKind, NoticeStatus


def counted_poll(n, *, passing: bool):
    poll = actions.create_poll(title="使用维修资金更换水泵", area=n.b1, electorate="households",
                               rule="simple", acting_user=n.staff_a, **n.window)
    poll = actions.open_poll(poll=poll, acting_user=n.staff_a)
    for household in (n.h1, n.h2):
        actions.enter_ballot(poll=poll, unit=PollUnit.objects.get(poll=poll,
                                                                  household=household),
                             choice="yes" if passing else "no", source="paper",
                             record="纸质票", acting_user=n.staff_a)
    return actions.close_poll(poll=poll, acting_user=n.staff_a)


def draft(n, poll, **kw):
    return actions.draft_resolution(title="更换水泵", body="使用维修资金更换1栋水泵",
                                    poll=poll, acting_user=n.staff_a, **kw)


def test_draft_only_from_a_passed_poll(delib):
    n = delib
    with pytest.raises(ValidationError):
        draft(n, counted_poll(n, passing=False))
    open_poll = actions.create_poll(title="t", area=n.b1, electorate="households",
                                    rule="simple", acting_user=n.staff_a, **n.window)
    with pytest.raises(ValidationError):
        draft(n, open_poll)
    res = draft(n, counted_poll(n, passing=True))
    assert res.status == ResolutionStatus.DRAFT and res.area == n.b1


def test_approval_by_the_street_only(delib):
    n = delib
    res = draft(n, counted_poll(n, passing=True))
    with pytest.raises(ValidationError):  # not yet submitted
        actions.decide_resolution(resolution=res, approve=True, note="",
                                  acting_user=n.street_staff)
    actions.submit_resolution(resolution=res, acting_user=n.staff_a)
    assert Notification.objects.filter(recipient=n.street_staff,
                                       kind="deliberation.resolution_submitted").exists()
    for user in (n.staff_a, n.staff_b, n.owner1, None):
        with pytest.raises(PermissionDenied):
            actions.decide_resolution(resolution=res, approve=True, note="",
                                      acting_user=user)
    with pytest.raises(ValidationError):
        actions.decide_resolution(resolution=res, approve=False, note=" ",
                                  acting_user=n.street_staff)
    refused = actions.decide_resolution(resolution=res, approve=False, note="预算不明",
                                        acting_user=n.street_staff)
    assert refused.status == ResolutionStatus.REJECTED and refused.decision_note == "预算不明"
    with pytest.raises(ValidationError):
        actions.publish_resolution(resolution=res, acting_user=n.staff_a)
    actions.submit_resolution(resolution=res, acting_user=n.staff_a)  # resubmitted
    approved = actions.decide_resolution(resolution=res, approve=True, note="同意",
                                         acting_user=n.street_staff)
    assert approved.status == ResolutionStatus.APPROVED and approved.decided_by == n.street_staff


def test_publish_notice_objection_then_carry_out(delib, ledger):
    n = delib
    case = ledger.new_case("accepted")
    topic = actions.raise_topic_from_case(case=case, council=n.council, acting_user=n.staff_a)
    res = draft(n, counted_poll(n, passing=True), topic=topic)
    actions.submit_resolution(resolution=res, acting_user=n.staff_a)
    actions.decide_resolution(resolution=res, approve=True, note="同意",
                              acting_user=n.street_staff)
    with pytest.raises(ValidationError):  # not yet published
        actions.carry_out_resolution(resolution=res, note="已更换", acting_user=n.staff_a)
    res = actions.publish_resolution(resolution=res, acting_user=n.staff_a, period_days=5)
    assert res.status == ResolutionStatus.NOTICE
    notice = Notice.objects.get(pk=res.notice_id)
    assert notice.kind == NoticeKind.RESOLUTION and notice.status == NoticeStatus.PUBLISHED
    assert notice.period_ends_at - notice.published_at == timedelta(days=5)
    assert notice.area == n.b1 and "/deliberation/polls/" in notice.body
    with pytest.raises(ValidationError):  # during the notice period
        actions.carry_out_resolution(resolution=res, note="已更换", acting_user=n.staff_a)
    objection = lodge_objection(notice=notice, text="水泵品牌未公示", acting_user=n.owner2)
    Notice.objects.filter(pk=notice.pk).update(
        published_at=timezone.now() - timedelta(days=6),
        period_ends_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError):  # period over, objection unanswered
        actions.carry_out_resolution(resolution=res, note="已更换", acting_user=n.staff_a)
    answer_objection(objection=objection, answer="品牌已补充公示", acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.carry_out_resolution(resolution=res, note=" ", acting_user=n.staff_a)
    done = actions.carry_out_resolution(resolution=res, note="已更换水泵",
                                        acting_user=n.staff_a)
    assert done.status == ResolutionStatus.CARRIED_OUT and done.carried_out_at is not None
    notes = list(case.events.filter(kind=EventKind.DELIBERATED).values_list("note", flat=True))
    assert any("已更换水泵" in note for note in notes)


# --- contests -----------------------------------------------------------------------------


def contest_with_entries(n, count=3):
    contest = actions.create_contest(council=n.council, title="金点子大赛",
                                     rounds=[("初评", 2), ("决赛", 1)],
                                     judges=[n.staff_a, n.head_b1], acting_user=n.staff_a)
    authors = [n.owner1, n.owner2, n.owner3][:count]
    entries = [actions.enter_contest(contest=contest, title=f"点子{i}", description="说明",
                                     acting_user=user) for i, user in enumerate(authors)]
    return contest, entries


def test_create_contest_validates(delib):
    n = delib
    for rounds in ([], [("初评", 1), ("决赛", 2)], [("初评", 0)]):
        with pytest.raises(ValidationError):
            actions.create_contest(council=n.council, title="t", rounds=rounds,
                                   judges=[n.staff_a], acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.create_contest(council=n.council, title="t", rounds=[("初评", 1)], judges=[],
                               acting_user=n.staff_a)


def test_contest_rounds_to_a_winner(delib):
    n = delib
    contest, (e1, e2, e3) = contest_with_entries(n)
    with pytest.raises(PermissionDenied):  # residents only
        actions.enter_contest(contest=contest, title="x", description="y",
                              acting_user=n.outsider)
    with pytest.raises(ValidationError):  # not judging yet
        actions.score_entry(entry=e1, points=80, acting_user=n.staff_a)
    first = actions.start_judging(contest=contest, acting_user=n.staff_a)
    assert first.status == RoundStatus.JUDGING
    with pytest.raises(ValidationError):  # entries closed
        actions.enter_contest(contest=contest, title="x", description="y",
                              acting_user=n.owner1)
    with pytest.raises(PermissionDenied):
        actions.score_entry(entry=e1, points=80, acting_user=n.street_staff)
    for bad in (-1, 101, "abc"):
        with pytest.raises(ValidationError):
            actions.score_entry(entry=e1, points=bad, acting_user=n.staff_a)
    # Exact averages: e1 80, e2 (81+80)/2 = 80.5 (a truncated 80 would tie and put e1 first),
    # e3 85 by one judge alone.
    actions.score_entry(entry=e1, points=80, acting_user=n.staff_a)
    with pytest.raises(ValidationError):  # once per judge
        actions.score_entry(entry=e1, points=10, acting_user=n.staff_a)
    actions.score_entry(entry=e2, points=81, acting_user=n.staff_a)
    actions.score_entry(entry=e2, points=80, acting_user=n.head_b1)
    with pytest.raises(ValidationError):  # e3 has no score yet
        actions.close_round(contest=contest, acting_user=n.staff_a)
    actions.score_entry(entry=e3, points=85, acting_user=n.head_b1)
    assert [(e.pk, avg) for e, avg in standings(first)] == [
        (e3.pk, Fraction(85)), (e2.pk, Fraction(161, 2)), (e1.pk, Fraction(80))]
    with pytest.raises(PermissionDenied):
        actions.close_round(contest=contest, acting_user=n.owner1)
    going_on = actions.close_round(contest=contest, acting_user=n.staff_a)
    final = contest.rounds.get(order=2)
    assert [e.pk for e in going_on] == [e3.pk, e2.pk]
    for entry, rank, reached in ((e3, 1, final), (e2, 2, final), (e1, 3, first)):
        entry.refresh_from_db()
        assert (entry.rank, entry.reached_id, entry.won) == (rank, reached.pk, False)
    contest.refresh_from_db()
    assert contest.status == ContestStatus.OPEN
    actions.start_judging(contest=contest, acting_user=n.staff_a)
    with pytest.raises(ValidationError):  # e1 did not reach the final
        actions.score_entry(entry=e1, points=99, acting_user=n.staff_a)
    actions.score_entry(entry=e2, points=90, acting_user=n.staff_a)
    actions.score_entry(entry=e3, points=70, acting_user=n.staff_a)
    winners = actions.close_round(contest=contest, acting_user=n.staff_a)
    assert [e.pk for e in winners] == [e2.pk]
    for entry, won, status in ((e2, True, TopicStatus.AGENDA), (e3, False, TopicStatus.PROPOSED),
                               (e1, False, TopicStatus.PROPOSED)):
        entry.refresh_from_db()
        entry.topic.refresh_from_db()
        assert (entry.won, entry.topic.status) == (won, status)
    contest.refresh_from_db()
    assert contest.status == ContestStatus.FINISHED
    assert Notification.objects.filter(recipient=n.owner2,
                                       kind="deliberation.contest_won").count() == 1
    with pytest.raises(ValidationError):
        actions.close_round(contest=contest, acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.start_judging(contest=contest, acting_user=n.staff_a)
