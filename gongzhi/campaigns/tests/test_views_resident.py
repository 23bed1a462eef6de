"""Residents' 最美评选 pages: the selections near my home, one selection with its ballot, my
votes and my nominations, voting and nominating through the pages, the photos served only
to those who may see them, and a community's 光荣榜 — 404 for everyone else."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import (
    Nomination,
    NominationPhoto,
    NominationSource,
    NominationStatus,
    Vote,
)
from gongzhi.campaigns.panels import resident_panel
from gongzhi.campaigns.tests.conftest import end_voting

pytestmark = pytest.mark.django_db
NS = NominationStatus


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def png(name: str = "family.png", colour: str = "red") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(colour), content_type="image/png")


def page(client, user, url: str):
    """The response and its text (empty for a file, whose stream is read, not closed)."""
    client.force_login(user)
    response = client.get(url)
    if response.streaming:
        response.body = b"".join(response.streaming_content)
        return response, ""
    return response, response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def selection_url(selection) -> str:
    return reverse("campaigns:selection", args=[selection.pk])


def vote_url(nomination) -> str:
    return reverse("campaigns:vote", args=[nomination.pk])


def nominate_url(selection) -> str:
    return reverse("campaigns:nominate", args=[selection.pk])


def block(html: str, element_id: str) -> str:
    """The text of the <li> (or other element) with ``element_id``, up to its end tag."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</li>', html, re.S)
    assert match, element_id
    return match.group(1)


def vote(client, user, nomination):
    client.force_login(user)
    return client.post(vote_url(nomination), follow=True)


def finish(n) -> None:
    """The lead's flow to the end: votes, the close, the final list, the announcement."""
    ca.cast_vote(nomination=n.wang, acting_user=n.resident1)
    ca.cast_vote(nomination=n.wang, acting_user=n.resident3)
    ca.cast_vote(nomination=n.li, acting_user=n.resident3)
    ca.cast_vote(nomination=n.unit1, acting_user=n.resident1)
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    # 最美家庭 has two places: 王秀英家庭 (2 votes) and 李建国家庭 (1); 张伟家庭 (0) not.
    ca.confirm_winners(selection=n.voting, acting_user=n.staff_a,
                       winners={n.v_family.pk: [n.wang.pk, n.li.pk],
                                n.v_stairwell.pk: [n.unit1.pk]})


def announce(n) -> None:
    finish(n)
    ca.announce_winners(selection=n.voting, acting_user=n.staff_a)
    n.voting.refresh_from_db()


# --- home and panel ---------------------------------------------------------------------------


def test_home_groups_the_selections_near_my_home(client, campaigns):
    n = campaigns
    response, html = page(client, n.resident, reverse("campaigns:home"))
    assert response.status_code == 200
    voting = html.split('id="voting"')[1].split('id="nominating"')[0]
    nominating = html.split('id="nominating"')[1]
    assert "2026年活龙社区最美家庭评选" in voting and selection_url(n.voting) in voting
    assert "2026年活龙社区最美评选" in nominating and selection_url(n.nominating) in nominating
    assert 'id="announced"' not in html
    assert reverse("campaigns:honour", args=["CA"]) in html and "活龙社区光荣榜" in html


def test_home_of_a_resident_of_community_b_lists_nothing_of_a(client, campaigns):
    n = campaigns
    response, html = page(client, n.resident4, reverse("campaigns:home"))
    assert response.status_code == 200
    assert "活龙社区最美" not in html and selection_url(n.voting) not in html
    assert "您所在的社区目前没有最美评选" in html
    assert reverse("campaigns:honour", args=["CB"]) in html


def test_home_for_an_account_without_a_household(client, campaigns):
    response, html = page(client, campaigns.staff_b, reverse("campaigns:home"))
    assert response.status_code == 200 and "还没有关联住户" in html
    assert "/campaigns/honour/" not in html


def test_pages_need_a_login(client, campaigns):
    for url in (reverse("campaigns:home"), selection_url(campaigns.voting),
                reverse("campaigns:honour", args=["CA"])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_panel_links_to_the_selection_pages(campaigns):
    request = RequestFactory().get("/")
    request.user = campaigns.resident1
    panel = resident_panel(request)
    html = render_to_string("campaigns/resident/panel.html", {"panel": panel})
    assert selection_url(campaigns.voting) in html and "正在投票" in html
    assert selection_url(campaigns.nominating) in html and "正在推荐报名" in html


# --- one selection ----------------------------------------------------------------------------


def test_the_voting_selection_shows_rules_dates_ballot_and_buttons(client, campaigns):
    n = campaigns
    response, html = page(client, n.resident1, selection_url(n.voting))
    assert response.status_code == 200
    assert "2026年活龙社区最美家庭评选" in html and "热心公益、邻里和睦" in html
    assert '<dd id="stage"><strong>群众投票</strong>' in html
    closes = timezone.localtime(n.voting.voting_closes).strftime("%Y-%m-%d %H:%M")
    assert f"<dd>{closes}</dd>" in html
    wang = block(html, f"nomination-{n.wang.pk}")
    assert "王秀英家庭" in wang and "照顾独居邻居十年" in wang and "1栋" in wang
    assert "0 票" in wang and vote_url(n.wang) in wang and ">投票</button>" in wang
    assert "1栋1单元" in block(html, f"nomination-{n.unit1.pk}")
    assert "无关人员" not in html  # refused: not on the ballot
    assert "您在本类还可以投 2 票" in html
    assert "只有本区域居民可以投票" not in html


def test_my_nominations_show_status_and_the_refusal_reason(client, campaigns):
    n = campaigns
    _response, html = page(client, n.resident, selection_url(n.voting))
    mine = html.split('id="mine"')[1]
    assert "1栋1单元" in block(mine, f"mine-{n.unit1.pk}")
    assert "审核通过" in block(mine, f"mine-{n.unit1.pk}")
    refused = block(mine, f"mine-{n.refused.pk}")
    assert "无关人员" in refused and "未通过" in refused and "不符合评选条件" in refused
    # Someone else's nominations are not "mine".
    _response, html = page(client, n.resident3, selection_url(n.voting))
    assert 'id="mine"' not in html


def test_the_nominating_selection_links_to_the_form_and_shows_no_counts(client, campaigns):
    n = campaigns
    ca.nominate(category=n.family, nominee="赵大妈家庭", area=n.b1, story="义务打扫楼道",
                acting_user=n.staff_a)  # staff: on the list at once
    _response, html = page(client, n.resident3, selection_url(n.nominating))
    assert nominate_url(n.nominating) in html and "我要推荐" in html
    assert "已通过审核的推荐" in html and "赵大妈家庭" in html
    assert " 票</span>" not in html and "/vote/" not in html
    assert "您还没有推荐过" in html


def test_a_resident_of_community_b_gets_404(client, campaigns):
    n = campaigns
    for url in (selection_url(n.voting), selection_url(n.nominating),
                nominate_url(n.nominating)):
        response, _html = page(client, n.resident4, url)
        assert response.status_code == 404, url
    assert page(client, n.resident, reverse("campaigns:selection", args=[99999]))[
        0].status_code == 404


# --- voting -----------------------------------------------------------------------------------


def test_voting_through_the_page(client, campaigns):
    n = campaigns
    response = vote(client, n.resident1, n.wang)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == selection_url(n.voting) + f"#nomination-{n.wang.pk}"
    assert Vote.objects.filter(nomination=n.wang, voter=n.resident1, slot=1).exists()
    assert "已为“王秀英家庭”投票" in " ".join(messages_of(response))
    html = response.content.decode()
    wang = block(html, f"nomination-{n.wang.pk}")
    assert "1 票" in wang and "已投票" in wang and vote_url(n.wang) not in wang
    assert "您在本类还可以投 1 票" in html

    # The same nominee again: refused, nothing written.
    response = vote(client, n.resident1, n.wang)
    assert "您已为“王秀英家庭”投过票" in " ".join(messages_of(response))
    assert Vote.objects.filter(voter=n.resident1).count() == 1

    # Two votes a category: the second counts, the third is refused.
    vote(client, n.resident1, n.li)
    response = vote(client, n.resident1, n.zhang)
    assert "票已用完" in " ".join(messages_of(response))
    assert set(Vote.objects.filter(voter=n.resident1).values_list("nomination", flat=True)) == {
        n.wang.pk, n.li.pk}
    html = response.content.decode()
    assert "您在本类的票已投完" in html
    assert vote_url(n.zhang) not in html
    assert "已投票" in block(html, f"nomination-{n.li.pk}")
    # The other category keeps its own votes.
    assert vote_url(n.unit1) in block(html, f"nomination-{n.unit1.pk}")


def test_the_counts_add_up_over_voters(client, campaigns):
    n = campaigns
    vote(client, n.resident1, n.wang)
    response = vote(client, n.resident3, n.wang)
    assert "2 票" in block(response.content.decode(), f"nomination-{n.wang.pk}")
    assert Vote.objects.filter(nomination=n.wang).count() == 2


def test_a_resident_of_community_b_cannot_vote(client, campaigns):
    n = campaigns
    client.force_login(n.resident4)
    response = client.post(vote_url(n.wang))
    assert response.status_code in (403, 404)
    assert not Vote.objects.exists()


def test_staff_who_do_not_live_there_get_403(client, campaigns):
    n = campaigns
    client.force_login(n.staff_a)
    response = client.post(vote_url(n.wang))
    assert response.status_code == 403
    assert not Vote.objects.exists()
    _response, html = page(client, n.staff_a, selection_url(n.voting))
    assert "只有本区域居民可以投票" in html and vote_url(n.wang) not in html


def test_voting_after_the_close_is_refused(client, campaigns):
    n = campaigns
    end_voting(n.voting)
    response = vote(client, n.resident1, n.wang)
    assert response.status_code == 200
    assert "投票已截止或尚未开始" in " ".join(messages_of(response))
    assert not Vote.objects.exists()
    assert "/vote/" not in response.content.decode()


def test_a_vote_for_what_is_not_on_the_ballot_is_refused(client, campaigns):
    n = campaigns
    response = vote(client, n.resident1, n.refused)
    assert "该推荐不在投票名单上" in " ".join(messages_of(response))
    assert not Vote.objects.exists()


def test_vote_is_post_only(client, campaigns):
    client.force_login(campaigns.resident1)
    assert client.get(vote_url(campaigns.wang)).status_code == 405
    assert client.post(reverse("campaigns:vote", args=[99999])).status_code == 404
    assert not Vote.objects.exists()


# --- nominating -------------------------------------------------------------------------------


def test_the_nomination_form_offers_the_categories(client, campaigns):
    n = campaigns
    response, html = page(client, n.resident1, nominate_url(n.nominating))
    assert response.status_code == 200
    assert f'<option value="{n.family.pk}"' in html and "最美楼道" in html
    assert 'name="photos"' in html and "multiple" in html
    assert 'enctype="multipart/form-data"' in html and "自荐" in html


def test_nominating_through_the_page(client, campaigns):
    n = campaigns
    client.force_login(n.resident3)
    response = client.post(nominate_url(n.nominating), {
        "category": n.family.pk, "nominee": "赵大妈家庭", "story": "每天义务打扫楼道\r\n十年如一日",
        "photos": [png("a.png", "red"), png("b.png", "blue")]}, follow=True)
    nomination = Nomination.objects.get(nominee="赵大妈家庭")
    assert response.redirect_chain[-1][0] == selection_url(n.nominating) + "#mine"
    assert nomination.category == n.family and nomination.nominated_by == n.resident3
    assert nomination.status == NS.PENDING and nomination.source == NominationSource.RESIDENT
    assert nomination.area == n.b2 and nomination.household is None
    assert nomination.story == "每天义务打扫楼道\n十年如一日"
    assert nomination.photos.count() == 2
    assert {p.content_type for p in nomination.photos.all()} == {"image/png"}
    assert "推荐已提交" in " ".join(messages_of(response))
    mine = block(response.content.decode(), f"mine-{nomination.pk}")
    assert "赵大妈家庭" in mine and "待审核" in mine


def test_self_nomination_puts_my_household_forward(client, campaigns):
    n = campaigns
    client.force_login(n.resident3)
    client.post(nominate_url(n.nominating), {
        "category": n.family.pk, "nominee": "张伟家庭", "story": "孝老爱亲",
        "self_nomination": "on"})
    nomination = Nomination.objects.get(nominee="张伟家庭", category=n.family)
    assert nomination.household == n.h3 and nomination.area == n.b2
    assert nomination.source == NominationSource.SELF


def test_a_bad_photo_is_refused_and_nothing_is_saved(client, campaigns):
    n = campaigns
    client.force_login(n.resident1)
    fake = SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png")
    response = client.post(nominate_url(n.nominating), {
        "category": n.family.pk, "nominee": "赵大妈家庭", "story": "义务打扫楼道",
        "photos": [png(), fake]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 2 张照片（photo.png）不是 JPEG、PNG 或 WebP 图片" in html
    assert not Nomination.objects.filter(nominee="赵大妈家庭").exists()
    assert not NominationPhoto.objects.filter(nomination__category=n.family).exists()
    assert 'value="赵大妈家庭"' in html  # what was typed stays


def test_the_form_shows_what_is_missing_and_the_actions_refusals(client, campaigns):
    n = campaigns
    client.force_login(n.resident1)
    response = client.post(nominate_url(n.nominating), {"category": n.family.pk,
                                                        "nominee": " ", "story": ""})
    html = response.content.decode()
    assert "请填写推荐对象" in html and "请写下推荐理由和事迹" in html
    data = {"category": n.family.pk, "nominee": "赵大妈家庭", "story": "义务打扫楼道"}
    client.post(nominate_url(n.nominating), data)
    response = client.post(nominate_url(n.nominating), data)  # the same one again
    assert response.status_code == 200
    assert "“赵大妈家庭”已被推荐过" in response.content.decode()
    assert Nomination.objects.filter(nominee="赵大妈家庭").count() == 1
    too_long = data | {"nominee": "家" * 51}
    assert "推荐对象最多 50 个字" in client.post(nominate_url(n.nominating),
                                          too_long).content.decode()


def test_a_category_of_another_selection_is_refused(client, campaigns):
    n = campaigns
    client.force_login(n.resident1)
    response = client.post(nominate_url(n.nominating), {
        "category": n.v_family.pk, "nominee": "赵大妈家庭", "story": "义务打扫楼道"})
    assert "请从列表中选择评选类别" in response.content.decode()
    assert not Nomination.objects.filter(nominee="赵大妈家庭").exists()


def test_nominating_is_closed_outside_its_stage(client, campaigns):
    n = campaigns
    client.force_login(n.resident1)
    response = client.post(nominate_url(n.voting), {
        "category": n.v_family.pk, "nominee": "赵大妈家庭", "story": "义务打扫楼道"},
        follow=True)
    assert "该评选不在推荐报名阶段" in " ".join(messages_of(response))
    assert response.redirect_chain[-1][0] == selection_url(n.voting)
    assert not Nomination.objects.filter(nominee="赵大妈家庭").exists()


def test_only_residents_of_the_area_may_use_the_form(client, campaigns):
    n = campaigns
    client.force_login(n.staff_a)  # sees the selection (organiser) but lives elsewhere
    assert client.get(nominate_url(n.nominating)).status_code == 403
    response = client.post(nominate_url(n.nominating), {
        "category": n.family.pk, "nominee": "赵大妈家庭", "story": "义务打扫楼道"})
    assert response.status_code == 403
    assert not Nomination.objects.filter(nominee="赵大妈家庭").exists()


# --- photos -----------------------------------------------------------------------------------


def test_photos_are_served_to_who_may_see_them(client, campaigns):
    n = campaigns
    nomination = ca.nominate(category=n.family, nominee="赵大妈家庭", area=n.b1,
                             story="义务打扫楼道", photos=[png()], acting_user=n.resident1)
    photo = nomination.photos.get()
    url = reverse("campaigns:photo", args=[photo.pk])
    response, _html = page(client, n.resident1, url)  # mine, under review
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.body == png_bytes()
    assert page(client, n.staff_a, url)[0].status_code == 200  # the organiser reviews it
    assert page(client, n.resident3, url)[0].status_code == 404  # not on the ballot yet
    assert page(client, n.resident4, url)[0].status_code == 404  # community B
    assert page(client, n.staff_b, url)[0].status_code == 404
    ca.review_nomination(nomination=nomination, passed=True, acting_user=n.staff_a)
    assert page(client, n.resident3, url)[0].status_code == 200  # on the ballot now
    assert page(client, n.resident4, url)[0].status_code == 404
    _response, html = page(client, n.resident3, selection_url(n.nominating))
    assert url in block(html, f"nomination-{nomination.pk}")
    assert page(client, n.resident3, reverse("campaigns:photo", args=[99999]))[
        0].status_code == 404


def test_a_refused_nominations_photo_stays_with_its_nominator(client, campaigns):
    n = campaigns
    nomination = ca.nominate(category=n.family, nominee="赵大妈家庭", area=n.b1,
                             story="义务打扫楼道", photos=[png()], acting_user=n.resident1)
    ca.review_nomination(nomination=nomination, passed=False, reason="不符合评选条件",
                         acting_user=n.staff_a)
    url = reverse("campaigns:photo", args=[nomination.photos.get().pk])
    assert page(client, n.resident1, url)[0].status_code == 200
    assert page(client, n.resident, url)[0].status_code == 404


# --- the result and the 光荣榜 ----------------------------------------------------------------


def test_the_final_list_stays_hidden_until_announced(client, campaigns):
    n = campaigns
    finish(n)
    _response, html = page(client, n.resident1, selection_url(n.voting))
    assert "审定名单" in html and "社区正在审定名单" in html
    assert "当选" not in html
    mine = block(html, f"mine-{n.wang.pk}")
    assert "审核通过" in mine and "当选" not in mine
    assert "2 票" in block(html, f"nomination-{n.wang.pk}")
    assert "/vote/" not in html


def test_the_announced_selection_marks_its_winners(client, campaigns):
    n = campaigns
    announce(n)
    notice_url = reverse("notices:detail", args=[n.voting.notice_id])
    _response, html = page(client, n.resident3, selection_url(n.voting))
    assert notice_url in html and "查看结果公示" in html
    assert "当选" in block(html, f"nomination-{n.wang.pk}")
    assert "当选" in block(html, f"nomination-{n.unit1.pk}")
    assert "当选" not in block(html, f"nomination-{n.zhang.pk}")
    _response, html = page(client, n.resident1, selection_url(n.voting))
    assert "当选" in block(html, f"mine-{n.wang.pk}")
    _response, html = page(client, n.resident3, reverse("campaigns:home"))
    announced = html.split('id="announced"')[1]
    assert "2026年活龙社区最美家庭评选" in announced and notice_url in announced


def test_the_honour_page_lists_the_winners(client, campaigns):
    n = campaigns
    announce(n)
    response, html = page(client, n.resident3, reverse("campaigns:honour", args=["CA"]))
    assert response.status_code == 200
    assert "活龙社区光荣榜" in html
    roll = html.split(f'id="selection-{n.voting.pk}"')[1]
    assert "2026年活龙社区最美家庭评选" in roll
    assert roll.index("最美家庭") < roll.index("王秀英家庭") < roll.index("最美楼道")
    assert "李建国家庭" in roll and "照顾独居邻居十年" in roll and "1栋1单元" in roll
    assert "张伟家庭" not in roll  # not chosen
    assert "2026年活龙社区最美评选" not in html  # nothing announced there yet


def test_the_honour_page_before_anything_is_announced(client, campaigns):
    response, html = page(client, campaigns.resident1, reverse("campaigns:honour", args=["CA"]))
    assert response.status_code == 200 and "还没有公布的评选结果" in html


def test_the_honour_page_is_for_its_community(client, campaigns):
    n = campaigns
    announce(n)
    url = reverse("campaigns:honour", args=["CA"])
    assert page(client, n.resident4, url)[0].status_code == 404  # lives in community B
    response, html = page(client, n.resident4, reverse("campaigns:honour", args=["CB"]))
    assert response.status_code == 200 and "王秀英家庭" not in html
    response, html = page(client, n.street_staff, url)  # the street sees its communities
    assert response.status_code == 200 and "王秀英家庭" in html
    for code in ("CA-G1-X1-B1", "S", "NOPE"):  # a building, a street, nothing
        assert page(client, n.resident1, reverse("campaigns:honour", args=[code]))[
            0].status_code == 404

