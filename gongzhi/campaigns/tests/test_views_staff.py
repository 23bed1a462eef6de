"""Staff console of the 最美 selections: the list, a new selection, review, the stage buttons,
the final list and its announcement, and who gets in."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Nomination, Selection, SelectionCategory, Stage, Vote
from gongzhi.campaigns.tests.conftest import end_voting, html, login, new_selection, row
from gongzhi.notices.models import Notice, NoticeStatus

pytestmark = pytest.mark.django_db
M = "/campaigns/manage"


def count(cells: str, name: str) -> str:
    return re.search(rf'data-count="{name}">(?:<strong>)?(\d+)', cells).group(1)


def ticked(page: str, category: int) -> set[int]:
    """The nominations ticked in the final-list form for ``category``."""
    inputs = re.findall(rf'<input[^>]*name="winners_{category}"[^>]*>', page)
    return {int(re.search(r'value="(\d+)"', i).group(1)) for i in inputs if " checked" in i}


def png() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return SimpleUploadedFile("stairs.png", buffer.getvalue(), content_type="image/png")


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_the_organisers_selections_with_their_counts(client, campaigns):
    n = campaigns
    ca.nominate(category=n.family, nominee="赵大妈", area=n.b1, story="义务打扫楼道",
                acting_user=n.resident1)
    ca.cast_vote(nomination=n.wang, acting_user=n.resident1)
    ca.cast_vote(nomination=n.li, acting_user=n.resident1)
    ca.cast_vote(nomination=n.wang, acting_user=n.resident3)
    page = html(login(client, n.staff_a).get(f"{M}/"))
    voting = row(page, "selection", n.voting.pk)
    assert "2026年活龙社区最美家庭评选" in voting and "活龙社区" in voting and "群众投票" in voting
    assert (count(voting, "pending"), count(voting, "ballot"), count(voting, "votes")) == (
        "0", "4", "3")
    nominating = row(page, "selection", n.nominating.pk)
    assert "推荐报名" in nominating
    assert (count(nominating, "pending"), count(nominating, "ballot"),
            count(nominating, "votes")) == ("1", "0", "0")
    assert f'href="{M}/{n.voting.pk}/"' in voting
    assert f'href="{M}/new/"' in page
    assert re.search(r'data-stage="voting"[^>]*>群众投票 <strong>1</strong>', page)
    # Newest first.
    assert page.index(f'data-selection="{n.voting.pk}"') < page.index(
        f'data-selection="{n.nominating.pk}"')

    page = html(client.get(f"{M}/?stage=voting"))
    assert f'data-selection="{n.voting.pk}"' in page
    assert f'data-selection="{n.nominating.pk}"' not in page
    page = html(client.get(f"{M}/?stage=nonsense"))  # a bad filter is no filter
    assert f'data-selection="{n.nominating.pk}"' in page


def test_the_street_sees_its_communities_selections_in_one_table(client, campaigns):
    n = campaigns
    now = timezone.now()
    other = ca.create_selection(
        area=n.comm_b, title="2026年德鑫社区最美评选", rules="热心公益", year=now.year,
        nominations_close=now + timedelta(days=7), voting_closes=now + timedelta(days=14),
        categories=[("最美家庭", 3)], acting_user=n.staff_b)
    page = html(login(client, n.street_staff).get(f"{M}/"))
    for selection in (n.voting, n.nominating, other):
        assert f'data-selection="{selection.pk}"' in page
    assert "德鑫社区" in row(page, "selection", other.pk)
    assert client.get(f"{M}/{n.voting.pk}/").status_code == 200


def test_the_list_counts_without_a_query_per_row(client, campaigns):
    n = campaigns
    c = login(client, n.staff_a)
    c.get(f"{M}/")
    with CaptureQueriesContext(connection) as two:
        c.get(f"{M}/")
    for i in range(3):
        new_selection(n, f"第{i}次评选")
    with CaptureQueriesContext(connection) as five:
        assert html(c.get(f"{M}/")).count("data-selection=") == 5
    assert len(five) == len(two)


def test_other_communities_staff_see_nothing_of_them(client, campaigns):
    n = campaigns
    c = login(client, n.staff_b)
    page = html(c.get(f"{M}/"))
    assert f'data-selection="{n.voting.pk}"' not in page
    assert f'data-selection="{n.nominating.pk}"' not in page
    for url in (f"/{n.voting.pk}/", f"/{n.nominating.pk}/", f"/{n.nominating.pk}/nominate/"):
        assert c.get(M + url).status_code == 404, url
    for step in ("open-nominations", "open-voting", "close-voting", "confirm", "announce",
                 "nominate"):
        assert c.post(f"{M}/{n.voting.pk}/{step}/").status_code == 404, step
    assert c.post(f"{M}/nominations/{n.zhang.pk}/review/", {"decision": "pass"}).status_code \
        == 404


# --- a new selection --------------------------------------------------------------------------


def test_create_through_the_form(client, campaigns):
    n = campaigns
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/new/"))
    for name in ("最美家庭", "最美志愿者", "最美楼道"):
        assert f'value="{name}"' in page
    assert re.search(rf'<option value="{n.comm_a.pk}"[^>]*>[^<]*活龙社区（社区）', page)
    assert f'<option value="{n.comm_b.pk}"' not in page and f'<option value="{n.street.pk}"' \
        not in page
    assert 'type="datetime-local"' in page

    response = c.post(f"{M}/new/", {
        "area": n.comm_a.pk, "title": "2026年活龙社区最美庭院评选", "rules": "庭院整洁、绿化美化",
        "year": "2026", "nominations_close": "2026-12-01T18:00",
        "voting_closes": "2026-12-15T18:00", "votes_per_category": "2",
        "category_0": "最美家庭", "places_0": "3", "category_1": "最美志愿者", "places_1": "3",
        "category_2": "", "places_2": "2", "category_3": "最美庭院", "places_3": "5"})
    selection = Selection.objects.get(title="2026年活龙社区最美庭院评选")
    assert response.status_code == 302 and response["Location"] == f"{M}/{selection.pk}/"
    assert selection.stage == Stage.DRAFT and selection.area == n.comm_a
    assert selection.votes_per_category == 2 and selection.created_by == n.staff_a
    closes = timezone.localtime(selection.nominations_close)
    assert (closes.year, closes.month, closes.day, closes.hour) == (2026, 12, 1, 18)
    assert str(closes.tzinfo) == "Asia/Shanghai"
    assert [(c.name, c.places) for c in selection.categories.all()] == [
        ("最美家庭", 3), ("最美志愿者", 3), ("最美庭院", 5)]
    page = html(c.get(response["Location"]))
    assert "筹备中" in page and f'action="{M}/{selection.pk}/open-nominations/"' in page


def test_the_street_may_run_a_selection_of_its_own(client, campaigns):
    n = campaigns
    page = html(login(client, n.street_staff).get(f"{M}/new/"))
    for area in (n.street, n.comm_a, n.comm_b):
        assert f'<option value="{area.pk}"' in page


def test_a_bad_form_writes_nothing_and_says_why(client, campaigns):
    n = campaigns
    c = login(client, n.staff_a)
    before = (Selection.objects.count(), SelectionCategory.objects.count())
    good = {"area": n.comm_a.pk, "title": "最美评选", "rules": "条件", "year": "2026",
            "nominations_close": "2026-12-15T18:00", "voting_closes": "2026-12-01T18:00",
            "votes_per_category": "1", "category_0": "最美家庭", "places_0": "3"}
    response = c.post(f"{M}/new/", good)
    assert response.status_code == 400
    assert "投票截止时间须晚于推荐截止时间" in html(response)
    for bad, message in [({"places_0": "0"}, "每类评选名额须为 1 至 50 个"),
                         ({"category_0": ""}, "请设置 1 至 10 个评选类别"),
                         ({"year": "明年"}, "请填写数字"),
                         ({"area": n.comm_b.pk}, "请选择评选区域"),
                         ({"rules": " "}, "请写明评选条件和办法")]:
        response = c.post(f"{M}/new/", good | {"voting_closes": "2026-12-31T18:00"} | bad)
        assert response.status_code == 400 and message in html(response), bad
    assert (Selection.objects.count(), SelectionCategory.objects.count()) == before


# --- review -------------------------------------------------------------------------------------


def test_review_pass_and_refuse_through_the_page(client, campaigns):
    n = campaigns
    zhao = ca.nominate(category=n.family, nominee="赵大妈家庭", area=n.b1, story="义务打扫楼道",
                       photos=[png()], acting_user=n.resident1)
    qian = ca.nominate(category=n.stairwell, nominee="2栋", area=n.b1, story="无",
                       acting_user=n.resident1)
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/{n.nominating.pk}/"))
    mine = row(page, "nomination", zhao.pk)
    assert "赵大妈家庭" in mine and "最美家庭" in mine and "义务打扫楼道" in mine
    assert mine.count(f'action="{M}/nominations/{zhao.pk}/review/"') == 2
    photo = zhao.photos.get()
    assert f'src="/campaigns/photos/{photo.pk}/"' in mine  # the organisers see it under review
    assert c.get(f"/campaigns/photos/{photo.pk}/").status_code == 200

    response = c.post(f"{M}/nominations/{qian.pk}/review/", {"decision": "refuse"}, follow=True)
    assert "请说明未通过的原因" in html(response)
    qian.refresh_from_db()
    assert qian.status == "pending"

    response = c.post(f"{M}/nominations/{zhao.pk}/review/", {"decision": "pass"})
    assert response.status_code == 302
    assert response["Location"] == f"{M}/{n.nominating.pk}/#review"
    c.post(f"{M}/nominations/{qian.pk}/review/", {"decision": "refuse",
                                                  "reason": "事迹不具体"})
    zhao.refresh_from_db()
    qian.refresh_from_db()
    assert zhao.status == "passed" and zhao.reviewed_by == n.staff_a
    assert (qian.status, qian.refusal_reason) == ("refused", "事迹不具体")
    page = html(c.get(f"{M}/{n.nominating.pk}/"))
    assert f'data-nomination="{zhao.pk}"' not in page  # off the queue, onto the ballot
    assert f'data-nominee="{zhao.pk}"' in page and f'data-nominee="{qian.pk}"' not in page
    # Reviewed once: a second review is refused.
    response = c.post(f"{M}/nominations/{zhao.pk}/review/", {"decision": "refuse",
                                                             "reason": "x"}, follow=True)
    assert "该推荐已审核" in html(response)
    zhao.refresh_from_db()
    assert zhao.status == "passed"


# --- the whole path -------------------------------------------------------------------------


def test_the_staff_path_from_draft_to_the_published_results(client, campaigns):
    n = campaigns
    c = login(client, n.staff_a)
    selection = new_selection(n, "2026年活龙社区最美评选（第二届）", votes_per_category=1)
    family, stairwell = selection.categories.all()  # 2 places, 1 place
    url = f"{M}/{selection.pk}/"

    response = c.post(url + "open-nominations/")
    assert response["Location"] == url + "#next"
    selection.refresh_from_db()
    assert selection.stage == Stage.NOMINATING

    page = html(c.get(url + "nominate/"))
    assert f'<option value="{n.b1.pk}"' in page and f'<option value="{n.comm_a.pk}"' in page
    assert f'<option value="{n.compound.pk}"' in page and f'<option value="{n.b3.pk}"' not in page
    response = c.post(url + "nominate/", {"category": family.pk, "nominee": "", "area": n.b1.pk,
                                          "story": "x"})
    assert response.status_code == 400 and "请填写推荐对象" in html(response)
    for name, area in (("王家", n.b1), ("李家", n.b1), ("张家", n.b2)):
        response = c.post(url + "nominate/", {"category": family.pk, "nominee": name,
                                              "area": area.pk, "story": "邻里和睦"})
        assert response.status_code == 302, html(response)
    response = c.post(url + "nominate/", {"category": stairwell.pk, "nominee": "1栋1单元",
                                          "area": n.b1.pk, "story": "整洁", "photos": [png()]})
    assert response.status_code == 302
    wang, li, zhang = Nomination.objects.filter(category=family).order_by("id")
    unit = Nomination.objects.get(category=stairwell)
    assert {wang.status, li.status, zhang.status, unit.status} == {"passed"}
    assert wang.source == "staff" and unit.photos.count() == 1

    # Voting: too early to close; residents vote; the close passes.
    c.post(url + "open-voting/")
    selection.refresh_from_db()
    assert selection.stage == Stage.VOTING
    response = c.post(url + "close-voting/", follow=True)
    assert "投票截止时间未到" in html(response)
    selection.refresh_from_db()
    assert selection.stage == Stage.VOTING
    for voter, choice in ((n.resident1, wang), (n.resident3, wang), (n.resident, zhang)):
        ca.cast_vote(nomination=choice, acting_user=voter)
    end_voting(selection)
    c.post(url + "close-voting/")
    selection.refresh_from_db()
    assert selection.stage == Stage.REVIEWING

    # The final list: the top places by votes are ticked.
    page = html(c.get(url))
    assert f'action="{url}confirm/"' in page and f'action="{url}announce/"' not in page
    assert ticked(page, family.pk) == {wang.pk, zhang.pk}
    assert ticked(page, stairwell.pk) == {unit.pk}
    assert re.search(rf'<tr data-nominee="{wang.pk}">.*?<td class="num">2</td>', page, re.S)
    # Departing from the ranking needs the reason.
    response = c.post(url + "confirm/", {f"winners_{family.pk}": [wang.pk, li.pk],
                                         f"winners_{stairwell.pk}": [unit.pk]})
    assert response.status_code == 400 and "名单与得票排名不一致，请说明理由" in html(response)
    assert ticked(html(response), family.pk) == {wang.pk, li.pk}  # what was sent, kept
    assert set(Nomination.objects.filter(category__selection=selection)
               .values_list("status", flat=True)) == {"passed"}
    response = c.post(url + "confirm/", {f"winners_{family.pk}": [wang.pk, li.pk],
                                         f"winners_{stairwell.pk}": [unit.pk],
                                         "note": "张家经核实不在本社区居住"})
    assert response.status_code == 302
    statuses = dict(Nomination.objects.filter(category__selection=selection)
                    .values_list("nominee", "status"))
    assert statuses == {"王家": "winner", "李家": "winner", "张家": "not_chosen",
                        "1栋1单元": "winner"}
    page = html(c.get(url))
    winners = re.search(r'<ul id="winners">(.*?)</ul>', page, re.S).group(1)
    assert "王家" in winners and "李家" in winners and "张家" not in winners
    assert f'action="{url}announce/"' in page
    assert ticked(page, family.pk) == {wang.pk, li.pk}  # the list as confirmed

    # 公布结果: a published notice naming the winners.
    assert not Notice.objects.filter(subject=f"campaigns.selection:{selection.pk}").exists()
    c.post(url + "announce/")
    selection.refresh_from_db()
    notice = Notice.objects.get(subject=f"campaigns.selection:{selection.pk}")
    assert selection.stage == Stage.ANNOUNCED and selection.notice == notice
    assert notice.status == NoticeStatus.PUBLISHED and notice.area == n.comm_a
    assert "王家" in notice.body and "李家" in notice.body and "1栋1单元" in notice.body
    assert "张家" not in notice.body
    page = html(c.get(url))
    assert f'href="/notices/{notice.pk}/"' in page and "结果已公布" in page
    assert f'action="{url}announce/"' not in page and f'action="{url}confirm/"' not in page
    response = c.post(url + "announce/", follow=True)  # once only
    assert "请先审定名单" in html(response)
    assert Notice.objects.filter(subject=f"campaigns.selection:{selection.pk}").count() == 1


def test_a_refused_step_is_shown_and_changes_nothing(client, campaigns):
    n = campaigns
    c = login(client, n.staff_a)
    pending = ca.nominate(category=n.family, nominee="赵家", area=n.b1, story="热心",
                          acting_user=n.resident1)
    response = c.post(f"{M}/{n.nominating.pk}/open-voting/", follow=True)
    assert "还有 1 条推荐待审核" in html(response)
    n.nominating.refresh_from_db()
    assert n.nominating.stage == Stage.NOMINATING
    assert "还有 1 条推荐待审核" in html(c.get(f"{M}/{n.nominating.pk}/"))
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert c.get(f"{M}/{n.nominating.pk}/open-voting/").status_code == 405
    # The final list before the vote is over: refused, nobody marked.
    response = c.post(f"{M}/{n.voting.pk}/confirm/", {f"winners_{n.v_family.pk}": [n.wang.pk],
                                                      "note": "提前"}, follow=True)
    assert "只有投票结束后才能审定名单" in html(response)
    n.wang.refresh_from_db()
    assert n.wang.status == "passed"
    response = c.post(f"{M}/{n.voting.pk}/announce/", follow=True)
    assert "请先审定名单" in html(response) and not Notice.objects.exists()


def test_nominating_is_closed_outside_its_stage(client, campaigns):
    n = campaigns
    c = login(client, n.staff_a)
    assert 'id="not-open"' in html(c.get(f"{M}/{n.voting.pk}/nominate/"))
    response = c.post(f"{M}/{n.voting.pk}/nominate/", {
        "category": n.v_family.pk, "nominee": "赵家", "area": n.b1.pk, "story": "热心"})
    assert response.status_code == 400 and "该评选不在推荐报名阶段" in html(response)
    assert not Nomination.objects.filter(nominee="赵家").exists()


# --- who gets in --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["resident", "resident1", "worker_a1", "head_b1"])
def test_no_campaigns_role_means_403_and_nothing_changes(client, campaigns, who):
    n = campaigns
    end_voting(n.voting)
    c = login(client, getattr(n, who))
    pending = ca.nominate(category=n.family, nominee="赵家", area=n.b1, story="热心",
                          acting_user=n.resident1)
    for url in ("/", "/new/", f"/{n.voting.pk}/", f"/{n.nominating.pk}/nominate/"):
        assert c.get(M + url).status_code == 403, url
    before = {s.pk: s.stage for s in Selection.objects.all()}
    for step in ("open-nominations", "open-voting", "close-voting", "confirm", "announce"):
        for selection in (n.nominating, n.voting):
            assert c.post(f"{M}/{selection.pk}/{step}/").status_code == 403, step
    assert c.post(f"{M}/{n.nominating.pk}/nominate/", {
        "category": n.family.pk, "nominee": "钱家", "area": n.b1.pk,
        "story": "热心"}).status_code == 403
    assert c.post(f"{M}/nominations/{pending.pk}/review/", {"decision": "pass"}).status_code \
        == 403
    assert c.post(f"{M}/new/", {
        "area": n.comm_a.pk, "title": "x", "rules": "x", "year": "2026",
        "nominations_close": local(timezone.now() + timedelta(days=1)),
        "voting_closes": local(timezone.now() + timedelta(days=2)), "votes_per_category": "1",
        "category_0": "最美家庭", "places_0": "1"}).status_code == 403
    assert {s.pk: s.stage for s in Selection.objects.all()} == before
    pending.refresh_from_db()
    assert pending.status == "pending" and not Nomination.objects.filter(nominee="钱家").exists()
    assert not Notice.objects.exists() and Vote.objects.count() == 0


def test_anonymous_users_are_sent_to_log_in(client, campaigns):
    response = client.get(f"{M}/{campaigns.voting.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(f"{M}/{campaigns.voting.pk}/open-voting/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_tie_at_the_last_place_is_pointed_out(client, campaigns):
    n = campaigns
    ca.cast_vote(nomination=n.wang, acting_user=n.resident1)
    ca.cast_vote(nomination=n.li, acting_user=n.resident3)
    ca.cast_vote(nomination=n.zhang, acting_user=n.resident)  # 1 : 1 : 1 for 2 places
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    page = html(login(client, n.staff_a).get(f"{M}/{n.voting.pk}/"))
    assert f'data-tied="{n.v_family.pk}"' in page and f'data-tied="{n.v_stairwell.pk}"' not in page
    assert ticked(page, n.v_family.pk) == {n.wang.pk, n.li.pk}  # who came first
