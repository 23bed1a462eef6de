"""Notice pages: who reads which notice, objections within the period, the staff console."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.conftest import make_user
from gongzhi.notices import actions
from gongzhi.notices.models import Notice, NoticeStatus, Objection, ObjectionStatus


def draft(n, *, area=None, by=None, title="停车位划线方案公示", days: int = 7) -> Notice:
    return actions.draft_notice(title=title, body="1栋门前划线12个车位，详见附件。",
                                area=area or n.comm_a, acting_user=by or n.staff_a,
                                period_days=days)


def published(n, *, now=None, **kw) -> Notice:
    notice = draft(n, **kw)
    return actions.publish_notice(notice=notice, acting_user=kw.get("by") or n.staff_a, now=now)


def ended(n, **kw) -> Notice:
    """Published eight days ago with a seven-day period: the period is over."""
    return published(n, now=timezone.now() - timedelta(days=8), **kw)


def detail_url(notice: Notice) -> str:
    return reverse("notices:detail", args=[notice.pk])


def object_url(notice: Notice) -> str:
    return reverse("notices:object", args=[notice.pk])


@pytest.fixture
def neighbour(street):
    """Another resident of community A, with a real name to keep out of public pages."""
    return make_user("wang", resident=street.r1, full_name="王秀英")


# --- the public list and page ----------------------------------------------------------------


def test_list_shows_notices_of_home_and_above_only(client, street):
    n = street
    mine = published(n, title="本社区停车位公示")
    above = published(n, area=n.street, by=n.street_staff, title="街道垃圾分类公示")
    draft(n, title="尚未发布的草稿")
    published(n, area=n.comm_b, by=n.staff_b, title="德鑫社区的公示")
    published(n, area=n.grid_a2, title="第二网格的公示")  # below A, not above the home
    client.force_login(n.resident)
    response = client.get(reverse("notices:list"))
    assert response.status_code == 200
    assert [row.notice for row in response.context["rows"]] == [above, mine]
    html = response.content.decode()
    assert "本社区停车位公示" in html and "街道垃圾分类公示" in html
    assert "公示中" in html and "活龙社区" in html
    for hidden in ("尚未发布的草稿", "德鑫社区的公示", "第二网格的公示"):
        assert hidden not in html


def test_list_needs_a_login(client, street):
    response = client.get(reverse("notices:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unseen_notices_and_drafts_answer_404(client, street):
    n = street
    notice = published(n)
    unpublished = draft(n, title="草稿")
    outsider = make_user("outsider", resident=n.r4)  # lives in community B
    client.force_login(outsider)
    assert client.get(detail_url(notice)).status_code == 404
    assert client.post(object_url(notice), {"text": "反对"}).status_code == 404
    client.force_login(n.resident)
    assert client.get(detail_url(unpublished)).status_code == 404
    response = client.get(detail_url(notice))
    assert response.status_code == 200
    assert "1栋门前划线12个车位" in response.content.decode()
    assert not Objection.objects.exists()


def test_objection_within_the_period_is_saved_and_shown_without_the_name(client, street,
                                                                        neighbour):
    n = street
    notice = published(n)
    client.force_login(neighbour)
    page = client.get(detail_url(notice)).content.decode()
    assert f'action="{object_url(notice)}"' in page
    response = client.post(object_url(notice), {"text": "划线占用消防通道"})
    assert response.status_code == 302 and response["Location"] == detail_url(notice)
    objection = Objection.objects.get()
    assert (objection.notice, objection.author, objection.text) == (notice, neighbour,
                                                                   "划线占用消防通道")
    assert "您的异议已提交" in client.get(detail_url(notice)).content.decode()
    # A double tap does not lodge it twice.
    client.post(object_url(notice), {"text": "划线占用消防通道"})
    assert Objection.objects.count() == 1
    # Other residents read the objection, not who lodged it.
    client.force_login(n.resident)
    html = client.get(detail_url(notice)).content.decode()
    assert "划线占用消防通道" in html and "居民 · " in html
    assert "王秀英" not in html and "wang" not in html


def test_blank_objection_is_refused_in_chinese_and_nothing_saved(client, street):
    n = street
    notice = published(n)
    client.force_login(n.resident)
    response = client.post(object_url(notice), {"text": "   "})
    assert response.status_code == 200
    assert "请写明异议内容" in response.content.decode()
    assert not Objection.objects.exists()


def test_after_the_period_the_form_is_gone_and_a_post_is_refused(client, street):
    n = street
    notice = ended(n)
    client.force_login(n.resident)
    html = client.get(detail_url(notice)).content.decode()
    assert "公示期满" in html and "不在公示期内" in html
    assert object_url(notice) not in html
    response = client.post(object_url(notice), {"text": "还有异议"}, follow=True)
    assert response.status_code == 200
    assert "不在公示期内，不能提出异议" in response.content.decode()
    assert not Objection.objects.exists()


# --- the staff console -------------------------------------------------------------------------


def test_staff_drafts_publishes_and_withdraws_through_the_console(client, street):
    n = street
    client.force_login(n.staff_a)
    assert client.get(reverse("notices:new")).status_code == 200
    form = {"kind": "finance", "title": "2026年第三季度财务公示", "body": "收入支出明细如下。",
            "area": n.comm_a.pk, "period_days": 10}
    # An area outside the user's scope is not offered, and nothing is drafted.
    response = client.post(reverse("notices:new"), form | {"area": n.comm_b.pk})
    assert response.status_code == 200 and "请选择您辖区内的区域" in response.content.decode()
    assert not Notice.objects.exists()

    response = client.post(reverse("notices:new"), form)
    notice = Notice.objects.get()
    assert response["Location"] == reverse("notices:manage_detail", args=[notice.pk])
    assert (notice.status, notice.kind, notice.period_days) == (NoticeStatus.DRAFT, "finance", 10)
    page = client.get(response["Location"]).content.decode()
    assert reverse("notices:publish", args=[notice.pk]) in page

    client.post(reverse("notices:publish", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED
    assert notice.period_ends_at - notice.published_at == timedelta(days=10)

    withdraw = reverse("notices:withdraw", args=[notice.pk])
    response = client.post(withdraw, {"reason": " "})
    assert response.status_code == 200 and "请说明撤回原因" in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED
    client.post(withdraw, {"reason": "金额有误，更正后重新公示"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN
    assert notice.withdraw_reason == "金额有误，更正后重新公示"
    # Residents still find it, marked as withdrawn with the reason.
    client.force_login(n.resident)
    assert "已撤回" in client.get(reverse("notices:list")).content.decode()
    assert "金额有误" in client.get(detail_url(notice)).content.decode()


def test_manage_lists_by_status_with_unanswered_objections(client, street):
    n = street
    notice = published(n)
    waiting = draft(n, title="待发布的草稿")
    actions.lodge_objection(notice=notice, text="有异议", acting_user=n.resident)
    published(n, area=n.comm_b, by=n.staff_b, title="德鑫社区的公示")
    client.force_login(n.staff_a)
    response = client.get(reverse("notices:manage"))
    assert response.status_code == 200
    rows = {row.notice.pk: row.notice.unanswered for row in response.context["rows"]}
    assert rows == {notice.pk: 1, waiting.pk: 0}
    assert "德鑫社区的公示" not in response.content.decode()
    drafts = client.get(reverse("notices:manage"), {"status": "draft"})
    assert [row.notice for row in drafts.context["rows"]] == [waiting]


def test_other_communities_staff_and_residents_are_kept_out(client, street):
    n = street
    notice = draft(n)
    client.force_login(n.staff_b)
    assert client.get(reverse("notices:manage_detail", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notices:publish", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT
    client.force_login(n.resident)
    assert client.get(reverse("notices:manage")).status_code == 403
    assert client.get(reverse("notices:new")).status_code == 403
    assert client.post(reverse("notices:publish", args=[notice.pk])).status_code == 403
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT


def test_staff_answers_an_objection_and_residents_read_the_answer(client, street, neighbour):
    n = street
    notice = published(n)
    objection = actions.lodge_objection(notice=notice, text="占用消防通道", acting_user=neighbour)
    answer = reverse("notices:answer", args=[notice.pk, objection.pk])
    client.force_login(n.staff_b)  # another community's staff may not answer
    assert client.post(answer, {f"o{objection.pk}-answer": "好"}).status_code == 404
    client.force_login(n.staff_a)
    page = client.get(reverse("notices:manage_detail", args=[notice.pk])).content.decode()
    assert "王秀英" in page  # staff of the community see who objected
    response = client.post(answer, {f"o{objection.pk}-answer": ""})
    assert response.status_code == 200 and "请填写答复" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN
    client.post(answer, {f"o{objection.pk}-answer": "已改为划线避开消防通道"})
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.ANSWERED and objection.answered_by == n.staff_a
    client.force_login(n.resident)
    assert "已改为划线避开消防通道" in client.get(detail_url(notice)).content.decode()


# --- the home panel ----------------------------------------------------------------------------


def test_home_panel_lists_notices_in_their_period(client, street):
    n = street
    published(n, title="正在公示的方案")
    ended(n, title="已经期满的方案")
    published(n, area=n.comm_b, by=n.staff_b, title="德鑫社区的公示")
    client.force_login(n.resident)
    html = client.get("/").content.decode()
    assert "正在公示的方案" in html
    assert "已经期满的方案" not in html and "德鑫社区的公示" not in html
    assert reverse("notices:list") in html
    client.force_login(n.staff_a)  # no resident record: no panel
    panels = client.get("/").context["panels"]
    assert not any(p["template"] == "notices/panels/resident.html" for p in panels)


def test_a_resolutions_notice_links_back_to_the_resolution(client, street):
    n = street
    linked = actions.draft_notice(title="决议公示", body="改造方案已通过。", area=n.comm_a,
                                  acting_user=n.staff_a, subject="deliberation.resolution:5")
    actions.publish_notice(notice=linked, acting_user=n.staff_a)
    unknown = actions.draft_notice(title="其他公示", body="正文", area=n.comm_a,
                                   acting_user=n.staff_a, subject="elsewhere.thing:5")
    actions.publish_notice(notice=unknown, acting_user=n.staff_a)
    client.force_login(n.resident)
    page = client.get(detail_url(linked)).content.decode()
    assert 'href="/deliberation/resolutions/5/"' in page and "查看决议的审批过程和表决结果" in page
    assert "/deliberation/resolutions/" not in client.get(detail_url(unknown)).content.decode()
