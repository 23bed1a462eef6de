"""最美评选 through its actions: who may do each step, when, and what it leaves behind."""

import contextlib
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns import selectors
from gongzhi.campaigns.models import Nomination, NominationSource, Selection, Stage, Vote
from gongzhi.campaigns.tests.conftest import end_voting, new_selection
from gongzhi.core.models import AuditEvent
from gongzhi.core.notifications import Notification
from gongzhi.notices.models import Notice, NoticeStatus

pytestmark = pytest.mark.django_db


def png(name: str = "family.png", colour: str = "red") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- setting up ---------------------------------------------------------------------------


def test_create_checks_its_organiser_dates_and_categories(campaigns):
    n = campaigns
    now = timezone.now()
    good = {"area": n.comm_a, "title": "最美评选", "rules": "条件", "year": now.year,
            "nominations_close": now + timedelta(days=3),
            "voting_closes": now + timedelta(days=9), "categories": [("最美家庭", 3)]}
    with pytest.raises(PermissionDenied):
        ca.create_selection(**good, acting_user=n.staff_b)  # community B's staff
    with pytest.raises(PermissionDenied):
        ca.create_selection(**good, acting_user=n.resident)
    bad = [{"voting_closes": now + timedelta(days=1)},       # before the nominations close
           {"categories": []}, {"categories": [("最美家庭", 3), ("最美家庭", 1)]},
           {"categories": [("最美家庭", 0)]}, {"title": " "}, {"votes_per_category": 11}]
    before = Selection.objects.count()
    for change in bad:
        with pytest.raises(ValidationError):
            ca.create_selection(**(good | change), acting_user=n.staff_a)
    assert Selection.objects.count() == before
    selection = ca.create_selection(**good, acting_user=n.street_staff)  # the street may too
    assert selection.stage == Stage.DRAFT and selection.area_path == n.comm_a.path
    assert [c.name for c in selection.categories.all()] == ["最美家庭"]
    event = AuditEvent.objects.get(action="campaigns.create_selection", object_id=selection.pk)
    assert event.after["categories"] == ["最美家庭"]


def test_a_draft_is_seen_by_its_organisers_only(campaigns):
    n = campaigns
    draft = new_selection(n, "筹备中的评选")
    assert not selectors.selections_near(n.resident).filter(pk=draft.pk).exists()
    assert selectors.visible_selection(n.staff_a, draft.pk) == draft
    assert selectors.visible_selection(n.resident, draft.pk) is None
    with pytest.raises(ValidationError):  # not taking nominations yet
        ca.nominate(category=draft.categories.first(), nominee="某家庭", story="事迹",
                    area=n.b1, acting_user=n.resident)


# --- nominations --------------------------------------------------------------------------


def test_residents_nominate_with_photos_staff_nominations_need_no_review(campaigns):
    n = campaigns
    mine = ca.nominate(category=n.family, nominee="李建国家庭", household=n.h2,
                       story="二十年照顾楼里的孤寡老人", acting_user=n.resident,
                       photos=[png(), png("same.png")])
    assert (mine.status, mine.source) == ("pending", NominationSource.SELF)  # own household
    assert mine.area == n.b1 and mine.photos.count() == 1  # the same picture twice: once
    other = ca.nominate(category=n.family, nominee="王秀英家庭", household=n.h1,
                        story="热心", acting_user=n.resident)
    assert other.source == NominationSource.RESIDENT
    staff = ca.nominate(category=n.stairwell, nominee="2栋", area=n.b2, story="整洁",
                        acting_user=n.staff_a)
    assert (staff.status, staff.source, staff.reviewed_by) == ("passed", "staff", n.staff_a)


def test_nominations_are_refused_outside_the_area_twice_or_beyond_the_limit(campaigns):
    n = campaigns
    with pytest.raises(PermissionDenied):  # community B's resident
        ca.nominate(category=n.family, nominee="刘芳家庭", area=n.b1, story="事迹",
                    acting_user=n.resident4)
    with pytest.raises(ValidationError):  # a nominee outside the selection's area
        ca.nominate(category=n.family, nominee="刘芳家庭", household=n.h4, story="事迹",
                    acting_user=n.resident)
    ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                acting_user=n.resident)
    with pytest.raises(ValidationError):
        ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                    acting_user=n.resident)
    for name in ("乙家庭", "丙家庭"):
        ca.nominate(category=n.family, nominee=name, area=n.b1, story="事迹",
                    acting_user=n.resident)
    with pytest.raises(ValidationError):  # the fourth in one category
        ca.nominate(category=n.family, nominee="丁家庭", area=n.b1, story="事迹",
                    acting_user=n.resident)
    assert Nomination.objects.filter(category=n.family, nominated_by=n.resident).count() == 3


def test_a_bad_photo_writes_nothing(campaigns):
    n = campaigns
    script = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError):
        ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                    acting_user=n.resident, photos=[png(), script])
    assert not Nomination.objects.filter(nominee="甲家庭").exists()


def test_no_nominations_after_the_close(campaigns):
    n = campaigns
    Selection.objects.filter(pk=n.nominating.pk).update(
        nominations_close=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                    acting_user=n.resident)


def test_review_passes_or_refuses_with_a_reason_and_tells_the_nominator(campaigns):
    n = campaigns
    nomination = ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                             acting_user=n.resident)
    with pytest.raises(PermissionDenied):
        ca.review_nomination(nomination=nomination, passed=True, acting_user=n.staff_b)
    with pytest.raises(ValidationError):
        ca.review_nomination(nomination=nomination, passed=False, acting_user=n.staff_a)
    ca.review_nomination(nomination=nomination, passed=False, reason="材料不全",
                         acting_user=n.staff_a)
    nomination.refresh_from_db()
    assert (nomination.status, nomination.refusal_reason) == ("refused", "材料不全")
    told = Notification.objects.get(recipient=n.resident, kind="campaigns.reviewed",
                                    title__contains="甲家庭")
    assert "未通过" in told.title and told.body == "材料不全"
    with pytest.raises(ValidationError):  # once
        ca.review_nomination(nomination=nomination, passed=True, acting_user=n.staff_a)


def test_voting_opens_only_when_everything_is_reviewed(campaigns):
    n = campaigns
    pending = ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                          acting_user=n.resident)
    with pytest.raises(ValidationError, match="待审核"):
        ca.open_voting(selection=n.nominating, acting_user=n.staff_a)
    ca.review_nomination(nomination=pending, passed=True, acting_user=n.staff_a)
    assert ca.open_voting(selection=n.nominating, acting_user=n.staff_a).stage == Stage.VOTING


# --- the vote -----------------------------------------------------------------------------


def test_each_resident_votes_once_a_nominee_and_up_to_the_limit(campaigns):
    n = campaigns
    ca.cast_vote(nomination=n.wang, acting_user=n.resident)
    with pytest.raises(ValidationError):
        ca.cast_vote(nomination=n.wang, acting_user=n.resident)
    ca.cast_vote(nomination=n.li, acting_user=n.resident)
    with pytest.raises(ValidationError, match="用完"):  # two a category
        ca.cast_vote(nomination=n.zhang, acting_user=n.resident)
    ca.cast_vote(nomination=n.unit1, acting_user=n.resident)  # another category: its own two
    assert sorted(Vote.objects.filter(voter=n.resident).values_list("slot", flat=True)) == \
        [1, 1, 2]
    assert selectors.votes_left(n.voting, n.resident) == {n.v_family.pk: 0,
                                                          n.v_stairwell.pk: 1}
    assert selectors.my_votes(n.voting, n.resident) == {n.wang.pk, n.li.pk, n.unit1.pk}


def test_no_vote_from_outside_the_area_for_the_refused_or_after_the_close(campaigns):
    n = campaigns
    with pytest.raises(PermissionDenied):
        ca.cast_vote(nomination=n.wang, acting_user=n.resident4)
    with pytest.raises(PermissionDenied):  # staff organise; they are no residents here
        ca.cast_vote(nomination=n.wang, acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ca.cast_vote(nomination=n.refused, acting_user=n.resident)
    end_voting(n.voting)
    with pytest.raises(ValidationError):
        ca.cast_vote(nomination=n.wang, acting_user=n.resident)
    assert not Vote.objects.exists()


def test_no_vote_before_the_vote_opens(campaigns):
    n = campaigns
    staff_pick = ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                             acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ca.cast_vote(nomination=staff_pick, acting_user=n.resident)


# --- the final list and the announcement ----------------------------------------------------


def vote(n, votes: dict) -> None:
    for voter, nominations in votes.items():
        for nomination in nominations:
            ca.cast_vote(nomination=nomination, acting_user=voter)


def test_the_final_list_follows_the_votes_unless_a_reason_is_given(campaigns):
    n = campaigns
    # 王秀英家庭 3 votes, 李建国家庭 2, 张伟家庭 1: two places in 最美家庭.
    vote(n, {n.resident: [n.wang, n.li], n.resident1: [n.wang, n.zhang],
             n.resident3: [n.wang, n.li, n.unit1]})
    with pytest.raises(ValidationError):  # not before the close
        ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    ranked = [(x.nominee, x.vote_count) for x in selectors.standings(n.v_family)]
    assert ranked == [("王秀英家庭", 3), ("李建国家庭", 2), ("张伟家庭", 1)]

    too_many = {n.v_family.pk: [n.wang.pk, n.li.pk, n.zhang.pk]}
    with pytest.raises(ValidationError):
        ca.confirm_winners(selection=n.voting, winners=too_many, acting_user=n.staff_a)
    with pytest.raises(ValidationError):  # not on the ballot
        ca.confirm_winners(selection=n.voting, winners={n.v_family.pk: [n.refused.pk]},
                           acting_user=n.staff_a)
    departs = {n.v_family.pk: [n.wang.pk, n.zhang.pk], n.v_stairwell.pk: [n.unit1.pk]}
    with pytest.raises(ValidationError):  # 张伟 over 李建国 needs a reason
        ca.confirm_winners(selection=n.voting, winners=departs, acting_user=n.staff_a)
    ca.confirm_winners(selection=n.voting, winners=departs, acting_user=n.staff_a,
                       note="李建国家庭本人申请退出")
    statuses = dict(Nomination.objects.filter(category__selection=n.voting)
                    .values_list("nominee", "status"))
    assert statuses == {"王秀英家庭": "winner", "张伟家庭": "winner", "李建国家庭": "not_chosen",
                        "1栋1单元": "winner", "无关人员": "refused"}
    event = AuditEvent.objects.get(action="campaigns.confirm_winners")
    assert event.after["note"] == "李建国家庭本人申请退出"
    # Confirmed again by the ranking: no reason needed, the statuses follow.
    ca.confirm_winners(selection=n.voting, acting_user=n.staff_a,
                       winners={n.v_family.pk: [n.wang.pk, n.li.pk],
                                n.v_stairwell.pk: [n.unit1.pk]})
    n.li.refresh_from_db()
    assert n.li.status == "winner"


def test_announcing_publishes_the_winners_and_fills_the_page_of_honour(campaigns):
    n = campaigns
    vote(n, {n.resident: [n.wang, n.unit1], n.resident1: [n.li]})
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    with pytest.raises(ValidationError):  # nothing confirmed yet
        ca.announce_winners(selection=n.voting, acting_user=n.staff_a)
    ca.confirm_winners(selection=n.voting, acting_user=n.staff_a,
                       winners={n.v_family.pk: [n.wang.pk, n.li.pk],
                                n.v_stairwell.pk: [n.unit1.pk]})
    selection = ca.announce_winners(selection=n.voting, acting_user=n.staff_a)
    assert selection.stage == Stage.ANNOUNCED and selection.announced_at
    notice = Notice.objects.get(pk=selection.notice_id)
    assert notice.status == NoticeStatus.PUBLISHED
    assert notice.subject == f"campaigns.selection:{selection.pk}"
    assert "最美家庭：王秀英家庭（铁路小区1栋）、李建国家庭（铁路小区1栋）" in notice.body
    assert "最美楼道：1栋1单元（铁路小区1栋）" in notice.body
    assert Notification.objects.filter(recipient=n.resident1, kind="campaigns.announced",
                                       title__contains="王秀英家庭").exists()
    roll = selectors.honour_roll(n.comm_a)
    assert [(s.pk, [w.nominee for w in winners]) for s, winners in roll] == [
        (selection.pk, ["王秀英家庭", "李建国家庭", "1栋1单元"])]
    assert selectors.honour_roll(n.comm_b) == []
    with pytest.raises(ValidationError):  # once
        ca.announce_winners(selection=selection, acting_user=n.staff_a)


def test_the_final_list_refuses_what_is_not_of_this_selection(campaigns):
    n = campaigns
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    for bad in ({n.family.pk: [n.wang.pk]},           # a category of another selection
                {str(n.v_family.pk): ["王"]},          # not an id
                {"家庭": [n.wang.pk]}):
        with pytest.raises(ValidationError):
            ca.confirm_winners(selection=n.voting, winners=bad, acting_user=n.staff_a,
                               note="试")
    # Keys as JSON sends them (text) are the same ids.
    ca.confirm_winners(selection=n.voting, acting_user=n.staff_a,
                       winners={str(n.v_family.pk): [str(n.wang.pk), n.li.pk],
                                str(n.v_stairwell.pk): [n.unit1.pk]})
    assert set(Nomination.objects.filter(status="winner").values_list("nominee", flat=True)) \
        == {"王秀英家庭", "李建国家庭", "1栋1单元"}


def test_nobody_chosen_is_said_so_and_bad_numbers_are_refused(campaigns):
    n = campaigns
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    ca.confirm_winners(selection=n.voting, winners={}, acting_user=n.staff_a, note="均不符合")
    with pytest.raises(ValidationError, match="没有当选者"):
        ca.announce_winners(selection=n.voting, acting_user=n.staff_a)
    now = timezone.now()
    with pytest.raises(ValidationError):
        ca.create_selection(area=n.comm_a, title="评选", rules="条件", year="明年",
                            nominations_close=now + timedelta(days=1),
                            voting_closes=now + timedelta(days=2),
                            categories=[("最美家庭", "三")], acting_user=n.staff_a)


def test_a_nominee_is_on_the_ballot_once_whoever_puts_them_forward(campaigns):
    n = campaigns
    ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                acting_user=n.resident)
    with pytest.raises(ValidationError, match="已被推荐过"):
        ca.nominate(category=n.family, nominee="甲家庭", area=n.b1, story="事迹",
                    acting_user=n.staff_a)


# Whatever residents try — their own votes, others', the refused, again and again — the
# ballot's counts hold: one vote a nominee, the limit per category, every vote counted.
tries = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), max_size=30)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tries=tries)
def test_whatever_voters_try_the_ballot_holds(campaigns, tries):
    n = campaigns
    Vote.objects.all().delete()
    voters = [n.resident, n.resident1, n.resident3, n.resident4]
    nominations = [n.wang, n.li, n.zhang, n.unit1, n.refused]
    for voter, nomination in tries:
        with contextlib.suppress(ValidationError, PermissionDenied):  # refused: nothing kept
            ca.cast_vote(nomination=nominations[nomination], acting_user=voters[voter])
    assert not Vote.objects.filter(voter=n.resident4).exists()  # community B
    assert not Vote.objects.filter(nomination=n.refused).exists()
    for voter in voters:
        for category in (n.v_family, n.v_stairwell):
            mine = Vote.objects.filter(voter=voter, category=category)
            assert mine.count() <= n.voting.votes_per_category
            assert mine.values("nomination").distinct().count() == mine.count()
    counted = sum(x.vote_count for _c, rows in selectors.ballot(n.voting) for x in rows)
    assert counted == Vote.objects.count()
