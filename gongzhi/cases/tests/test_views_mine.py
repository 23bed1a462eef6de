"""My cases, the public tracking link and rating: residents see their own cases only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongzhi.cases import actions
from gongzhi.cases.models import Case, Rating, Source, Status
from gongzhi.conftest import make_user


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path


def track_url(case: Case) -> str:
    return reverse("cases_resident:track", kwargs={"access_token": case.access_token})


def anonymous_case(ledger, status: str = "submitted") -> Case:
    case = actions.submit_case(
        title="路灯不亮", description="3单元门口路灯坏了", area=ledger.b1,
        source=Source.RESIDENT_PAGE, acting_user=None, reporter_phone="13712345678")
    return ledger.advance(case, status)


def test_mine_lists_reported_and_supported_cases_newest_first(client, ledger):
    older = ledger.new_case("in_progress", title="路面坑洼")
    other = ledger.new_case("submitted", reporter=ledger.staff_b, area=ledger.b3,
                            title="垃圾没人清")
    actions.support_case(case=other, acting_user=ledger.resident)
    stranger = ledger.new_case("submitted", reporter=ledger.staff_b, area=ledger.b3,
                               title="别人的事")
    client.force_login(ledger.resident)
    response = client.get(reverse("cases_resident:mine"))
    assert response.status_code == 200
    cases = [row["case"] for row in response.context["rows"]]
    assert cases == [other, older]
    html = response.content.decode()
    assert stranger.title not in html
    assert "我附议的" in html
    assert "已交给城管执法中队办理" in html  # the plain-words next step
    assert "status-on-time" in html


def test_mine_needs_a_login(client, ledger):
    response = client.get(reverse("cases_resident:mine"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_track_hides_internal_notes_and_shows_public_ones(client, ledger):
    case = ledger.new_case("in_progress")
    handler = ledger.dept_member
    actions.add_note(case=case, note="内部：施工队周三进场", acting_user=handler, internal=True)
    actions.add_note(case=case, note="已联系施工队，本周内修好", acting_user=handler,
                     internal=False)
    response = client.get(track_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "已联系施工队，本周内修好" in html
    assert "施工队周三进场" not in html
    assert case.reference in html
    assert response["Cache-Control"] == "private, no-store"
    # Staff opening the same link see their internal notes.
    client.force_login(ledger.staff_a)
    assert "施工队周三进场" in client.get(track_url(case)).content.decode()


def test_a_stranger_without_the_token_gets_404(client, ledger):
    case = anonymous_case(ledger, "resolved")
    wrong = reverse("cases_resident:track", kwargs={"access_token": "x" * 32})
    assert client.get(wrong).status_code == 404
    # Nor may they rate by guessing the case id, with or without a bad token.
    rate = reverse("cases_resident:rate", args=[case.pk])
    assert client.post(rate, {"rating": "satisfied"}).status_code == 404
    assert client.post(rate, {"rating": "satisfied", "token": "x" * 32}).status_code == 404
    client.force_login(make_user("stranger"))
    assert client.post(rate, {"rating": "satisfied"}).status_code == 404
    assert client.get(reverse("cases_resident:case", args=[case.pk])).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.rating == ""


def test_rate_with_the_token_archives_the_case(client, ledger):
    case = anonymous_case(ledger, "resolved")
    page = client.get(track_url(case)).content.decode()
    assert "请您评价" in page and "基本满意" in page
    response = client.post(reverse("cases_resident:rate", args=[case.pk]),
                           {"token": case.access_token, "rating": "satisfied",
                            "comment": "修得很快"})
    assert response["Location"] == track_url(case)
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED
    assert case.rating == Rating.SATISFIED and case.rating_comment == "修得很快"
    page = client.get(track_url(case)).content.decode()
    assert "谢谢您的评价" in page and "请您评价" not in page


def test_unsatisfied_rating_reopens_the_case(client, ledger):
    case = anonymous_case(ledger, "resolved")
    client.post(reverse("cases_resident:rate", args=[case.pk]),
                {"token": case.access_token, "rating": "unsatisfied", "comment": "还是不亮"})
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.reopen_count == 1


def test_rating_needs_a_choice(client, ledger):
    case = anonymous_case(ledger, "resolved")
    response = client.post(reverse("cases_resident:rate", args=[case.pk]),
                           {"token": case.access_token})
    assert response.status_code == 200
    assert "请选择满意、基本满意或不满意" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_rating_twice_is_a_clear_conflict(client, ledger):
    case = anonymous_case(ledger, "resolved")
    url = reverse("cases_resident:rate", args=[case.pk])
    client.post(url, {"token": case.access_token, "rating": "basic"})
    response = client.post(url, {"token": case.access_token, "rating": "unsatisfied"},
                           follow=True)
    assert "该诉求件已被他人处理" in response.content.decode()
    case.refresh_from_db()
    assert case.rating == Rating.BASIC and case.status == Status.ARCHIVED


def test_logged_in_reporter_rates_from_my_cases(client, ledger):
    case = ledger.new_case("resolved")
    client.force_login(ledger.resident)
    page = client.get(reverse("cases_resident:case", args=[case.pk])).content.decode()
    assert "请您评价" in page
    response = client.post(reverse("cases_resident:rate", args=[case.pk]), {"rating": "basic"})
    assert response["Location"] == reverse("cases_resident:case", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED and case.rating == Rating.BASIC


def test_supporter_follows_but_does_not_rate(client, ledger):
    neighbour = make_user("neighbour")
    case = ledger.new_case("in_progress", reporter=ledger.staff_b, area=ledger.b3,
                           title="楼道灯")
    actions.support_case(case=case, acting_user=neighbour)
    ledger.advance(case, "resolved")
    client.force_login(neighbour)
    page = client.get(reverse("cases_resident:case", args=[case.pk])).content.decode()
    assert "等待反映人评价" in page and "请您评价" not in page
    response = client.post(reverse("cases_resident:rate", args=[case.pk]), {"rating": "basic"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buf, "PNG")
    return buf.getvalue()


def test_photos_are_served_only_with_the_token_or_to_who_may_see(client, ledger):
    case = actions.submit_case(
        title="路灯不亮", description="3单元门口路灯坏了", area=ledger.b1,
        source=Source.RESIDENT_PAGE, acting_user=None, reporter_phone="13712345678",
        photos=[SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")])
    photo = case.photos.get()
    url = reverse("cases_resident:photo", args=[photo.pk])
    assert url in client.get(track_url(case)).content.decode()
    assert client.get(url).status_code == 404
    assert client.get(url, {"t": "nope"}).status_code == 404
    response = client.get(url, {"t": case.access_token})
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    client.force_login(ledger.staff_a)
    assert client.get(url).status_code == 200


def test_merged_case_points_to_the_case_it_joined(client, ledger):
    case = anonymous_case(ledger)
    survivor = ledger.new_case("submitted")
    actions.merge_cases(duplicate=case, into=survivor, acting_user=ledger.staff_a)
    html = client.get(track_url(case)).content.decode()
    assert f"受理编号 {survivor.reference}）合并办理" in html
