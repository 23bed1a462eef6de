"""The notices API: scoped reads, objections with their errors, objectors never exposed."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.conftest import make_user
from gongzhi.notices import actions
from gongzhi.notices.models import Notice, Objection

OBJECTION_KEYS = {"id", "text", "status", "status_label", "created_at", "answer",
                  "answered_at", "mine"}


def draft(n, *, area=None, by=None, title="停车位划线方案公示") -> Notice:
    return actions.draft_notice(title=title, body="详见附件。", area=area or n.comm_a,
                                acting_user=by or n.staff_a, period_days=7)


def published(n, *, now=None, **kw) -> Notice:
    return actions.publish_notice(notice=draft(n, **kw), acting_user=kw.get("by") or n.staff_a,
                                  now=now)


def get(client, user, url, params=None):
    client.force_login(user)
    return client.get(url, params or {})


def post(client, user, url, body):
    client.force_login(user)
    return client.post(url, json.dumps(body), content_type="application/json")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def assert_error(response, status: int, code: str, detail: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["detail"] and body["detail_en"]
    assert body["detail"] != body["detail_en"]  # Chinese for people, English for developers
    if detail is not None:
        assert body["detail"] == detail
    return body


@pytest.fixture
def neighbour(street):
    return make_user("wang", resident=street.r1, full_name="王秀英")


def test_list_holds_what_the_caller_may_read_newest_first(client, street):
    n = street
    mine = published(n)
    above = published(n, area=n.street, by=n.street_staff, title="街道公示")
    draft(n, title="草稿")
    other = published(n, area=n.comm_b, by=n.staff_b, title="德鑫社区的公示")
    response = get(client, n.resident, "/api/notices/")
    assert ids(response) == [above.pk, mine.pk]
    item = response.json()["items"][1]
    assert item["state"] == "in_period" and item["state_label"] == "公示中"
    assert item["area"] == {"code": "CA", "name": "活龙社区", "kind": "community"}
    # Staff of community B read their own community's and the street's, not A's.
    assert ids(get(client, n.staff_b, "/api/notices/")) == [other.pk, above.pk]
    # limit/offset pages, with the total.
    page = get(client, n.resident, "/api/notices/", {"limit": 1}).json()
    assert (page["count"], page["next_offset"], [i["id"] for i in page["items"]]) == (
        2, 1, [above.pk])
    page = get(client, n.resident, "/api/notices/", {"limit": 1, "offset": 1}).json()
    assert ([i["id"] for i in page["items"]], page["next_offset"]) == ([mine.pk], None)
    assert ids(get(client, n.resident, "/api/notices/", {"state": "ended"})) == []
    assert_error(get(client, n.resident, "/api/notices/", {"area": "CB"}), 404, "not_found")
    assert_error(get(client, n.resident, "/api/notices/", {"limit": 0}), 422, "invalid")


def test_list_needs_a_login(client, street):
    response = client.get("/api/notices/")
    assert_error(response, 401, "not_authenticated")


def test_detail_for_readers_only(client, street):
    n = street
    notice = published(n)
    hidden = draft(n, title="草稿")
    outsider = make_user("outsider", resident=n.r4)
    body = assert_error(get(client, outsider, f"/api/notices/{notice.pk}"), 404, "not_found",
                        "未找到该公示")
    assert body["detail_en"] == "notice not found"
    assert_error(get(client, n.resident, f"/api/notices/{hidden.pk}"), 404, "not_found")
    response = get(client, n.resident, f"/api/notices/{notice.pk}")
    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["body"], data["may_object"]) == ("停车位划线方案公示", "详见附件。",
                                                                 True)
    assert data["period_ends_at"] and data["objections"] == []


def test_objection_is_created_once_and_its_author_never_shown(client, street, neighbour):
    n = street
    notice = published(n)
    url = f"/api/notices/{notice.pk}/objections"
    response = post(client, neighbour, url, {"text": "划线占用消防通道"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == OBJECTION_KEYS
    assert (created["text"], created["status"], created["mine"]) == ("划线占用消防通道", "open",
                                                                     True)
    objection = Objection.objects.get()
    assert (objection.pk, objection.author) == (created["id"], neighbour)
    again = post(client, neighbour, url, {"text": "划线占用消防通道"})  # a retried request
    assert again.status_code == 200 and again.json()["id"] == created["id"]
    assert Objection.objects.count() == 1

    actions.answer_objection(objection=objection, answer="已调整", acting_user=n.staff_a)
    detail = get(client, n.resident, f"/api/notices/{notice.pk}")
    [shown] = detail.json()["objections"]
    assert set(shown) == OBJECTION_KEYS and shown["mine"] is False
    assert (shown["text"], shown["answer"], shown["status"]) == ("划线占用消防通道", "已调整",
                                                                 "answered")
    raw = detail.content.decode()
    assert "王秀英" not in raw and "wang" not in raw and "author" not in raw


def test_objection_errors_are_bilingual_and_change_nothing(client, street):
    n = street
    notice = published(n)
    url = f"/api/notices/{notice.pk}/objections"
    # Blank text: 422 naming the field.
    body = assert_error(post(client, n.resident, url, {"text": "  "}), 422, "invalid",
                        "请写明异议内容")
    assert body["errors"][0]["loc"] == ["body", "text"]
    assert_error(post(client, n.resident, url, {}), 422, "invalid")
    # After the period.
    late = published(n, now=timezone.now() - timedelta(days=8), title="期满的公示")
    assert_error(post(client, n.resident, f"/api/notices/{late.pk}/objections",
                      {"text": "反对"}), 422, "not_in_period", "不在公示期内，不能提出异议")
    # Not seen: 404 (a draft, or another community's notice).
    hidden = draft(n, title="草稿")
    assert_error(post(client, n.resident, f"/api/notices/{hidden.pk}/objections",
                      {"text": "反对"}), 404, "not_found")
    # Seen but not theirs to object to: community B's staff read the street's notice.
    street_notice = published(n, area=n.street, by=n.street_staff, title="街道公示")
    assert_error(post(client, n.staff_b, f"/api/notices/{street_notice.pk}/objections",
                      {"text": "反对"}), 403, "forbidden", "只有公示范围内的居民可以提出异议")
    assert not Objection.objects.exists()
