"""The resident report page: a building's QR link, no login, one case per submission."""

import io
import uuid
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from PIL import Image

from gongzhi.cases import actions
from gongzhi.cases.models import Case, Priority, Source, Status, Supporter
from gongzhi.conftest import make_user

TEXT = "1栋3单元门口路灯坏了，晚上一片漆黑，老人出门看不清台阶"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path


def png(color: str = "red") -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "PNG")
    buf.seek(0)
    buf.name = f"{color}.png"
    return buf


def report_url(building) -> str:
    return reverse("cases_resident:report", kwargs={"building_code": building.code})


def form_data(**extra) -> dict:
    data = {"description": TEXT, "reporter_phone": "138 1234 5678",
            "idempotency_key": uuid.uuid4().hex}
    data.update(extra)
    return data


def test_page_names_the_building_in_full_and_asks_no_login(client, street):
    response = client.get(report_url(street.b1))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["place"] == "活龙社区 · 铁路小区 · 1栋"
    assert "活龙社区 · 铁路小区 · 1栋" in html
    assert "遇到了什么问题" in html
    assert 'accept="image/*"' in html and "multiple" in html and "capture" in html
    key = response.context["form"]["idempotency_key"].value()
    assert uuid.UUID(str(key))
    assert f'name="idempotency_key" value="{key}"' in html


def test_qr_short_link_opens_the_report_page(client, street):
    from gongzhi.areas.qr import landing_path

    response = client.get(landing_path(street.b1))
    assert response.status_code == 200
    assert "遇到了什么问题" in response.content.decode()
    assert response.context["building"] == street.b1


def test_unknown_building_is_a_friendly_404(client, street):
    response = client.get(reverse("cases_resident:report", kwargs={"building_code": "NOPE"}))
    assert response.status_code == 404
    assert "没有找到这栋楼" in response.content.decode()
    # A grid code is not a building: the public page does not reveal it either.
    assert client.get(report_url(street.grid_a1)).status_code == 404


def test_anonymous_report_creates_one_case_even_when_posted_twice(client, street):
    data = form_data(urgent="on")
    first = client.post(report_url(street.b1), data)
    second = client.post(report_url(street.b1), data)
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.source == Source.RESIDENT_PAGE
    assert case.area == street.b1
    assert case.handling_area == street.comm_a
    assert case.reporter is None and case.is_anonymous
    assert case.reporter_phone == "13812345678"
    assert case.priority == Priority.URGENT
    assert case.description == TEXT
    assert case.title == "1栋3单元门口路灯坏了"  # derived from the text
    track = reverse("cases_resident:track", kwargs={"access_token": case.access_token})
    assert first["Location"] == second["Location"] == track + "?new=1"

    page = client.get(first["Location"]).content.decode()
    assert case.reference in page
    assert "已收到您反映的问题" in page
    assert "http://testserver" + track in page  # the link to keep


def test_logged_in_resident_reports_as_themselves_without_a_phone(client, street):
    client.force_login(street.resident)
    response = client.post(report_url(street.b1), form_data(reporter_phone="", title="路灯不亮"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter == street.resident and not case.is_anonymous
    assert case.title == "路灯不亮"
    assert "我反映过的问题" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("field", "data", "message"), [
    ("reporter_phone", {"reporter_phone": "12345"}, "请填写 11 位手机号码"),
    ("reporter_phone", {"reporter_phone": "23812345678"}, "请填写 11 位手机号码"),
    ("reporter_phone", {"reporter_phone": ""}, "请留下手机号码"),
    ("description", {"description": "   "}, "请写下您遇到的问题"),
])
def test_bad_input_is_explained_next_to_the_field(client, street, field, data, message):
    response = client.post(report_url(street.b1), form_data(**data))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(client, street):
    fake = io.BytesIO(b"MZ\x90\x00 this is not a picture")
    fake.name = "photo.jpg"
    response = client.post(report_url(street.b1), form_data(photos=[png(), fake]))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photos"])
    assert "第 2 张照片" in errors and "不是 JPEG、PNG 或 WebP 图片" in errors
    assert not Case.objects.exists()


def test_ten_photos_are_too_many(client, street):
    photos = [png(c) for c in ["red", "blue", "green", "white", "black", "gray", "pink",
                               "navy", "teal", "olive"]]
    response = client.post(report_url(street.b1), form_data(photos=photos))
    assert "最多上传 9 张照片" in " ".join(response.context["form"].errors["photos"])
    assert not Case.objects.exists()


def test_photos_are_stored_with_the_case(client, street):
    client.post(report_url(street.b1), form_data(photos=[png("red"), png("blue")]))
    case = Case.objects.get()
    assert [p.content_type for p in case.photos.all()] == ["image/png", "image/png"]


class _FormInputs(HTMLParser):
    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif tag == "input" and self.inside and attrs.get("name") != "csrfmiddlewaretoken":
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def hidden_fields(html: str, action: str) -> dict:
    """The inputs of the form posting to ``action``, as a browser would send them."""
    parser = _FormInputs(action)
    parser.feed(html)
    return parser.fields


def existing_case(client, street, text: str = TEXT) -> Case:
    client.post(report_url(street.b1), form_data(description=text,
                                                 reporter_phone="13900001111"))
    return Case.objects.get()


def test_similar_open_case_is_offered_then_confirm_submits(client, street, settings):
    first = existing_case(client, street)
    data = form_data(description="3单元门口的路灯坏了好几天，晚上很黑", photos=[png("green")])
    response = client.post(report_url(street.b1), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "是不是这件事" in html and "我也遇到了" in html and "不是，继续提交" in html
    assert first in response.context["candidates"]
    assert Case.objects.count() == 1

    # The confirm form carries the text (and the photo is kept on the server) without JS.
    confirm = hidden_fields(html, report_url(street.b1))
    assert confirm["confirm"] == "1" and confirm["description"] == data["description"]
    response = client.post(report_url(street.b1), confirm)
    assert response.status_code == 302
    assert Case.objects.count() == 2
    second = Case.objects.exclude(pk=first.pk).get()
    assert second.description == data["description"]
    assert second.photos.count() == 1
    assert not (settings.DATA_DIR / "staging" / "reports" / confirm["idempotency_key"]).exists()
    # Tapping "continue" twice still makes one case.
    client.post(report_url(street.b1), confirm)
    assert Case.objects.count() == 2


def test_me_too_adds_a_supporter_instead_of_a_case(client, street):
    first = existing_case(client, street)
    response = client.post(report_url(street.b1), form_data(
        description="3单元门口路灯坏了，晚上看不清", reporter_phone="13700002222"))
    assert first in response.context["candidates"]
    support_url = reverse("cases_resident:support", args=[first.pk])
    assert support_url in response.content.decode()

    response = client.post(support_url, {"phone": "13700002222", "building": street.b1.code})
    assert response.status_code == 200
    assert "已记下" in response.content.decode()
    assert Case.objects.count() == 1
    supporter = Supporter.objects.get(case=first)
    assert supporter.phone == "13700002222" and supporter.user is None
    # Saying it twice does not count twice.
    client.post(support_url, {"phone": "13700002222", "building": street.b1.code})
    assert Supporter.objects.filter(case=first).count() == 1


def test_logged_in_support_is_by_user_and_needs_no_phone(client, street):
    first = existing_case(client, street)
    neighbour = make_user("neighbour")
    client.force_login(neighbour)
    client.post(reverse("cases_resident:support", args=[first.pk]),
                {"phone": "", "building": street.b1.code})
    assert Supporter.objects.get(case=first).user == neighbour


def test_support_without_a_phone_is_refused_for_visitors(client, street):
    first = existing_case(client, street)
    response = client.post(reverse("cases_resident:support", args=[first.pk]),
                           {"phone": "", "building": street.b1.code})
    assert "请留下手机号码" in response.content.decode()
    assert not Supporter.objects.exists()


def test_support_only_from_a_building_near_the_case(client, street):
    first = existing_case(client, street)
    url = reverse("cases_resident:support", args=[first.pk])
    for building in ["", "NOPE", street.b3.code, street.b2.code]:  # B2: the other grid
        response = client.post(url, {"phone": "13700002222", "building": building})
        assert response.status_code == 404, building
        assert first.title not in response.content.decode()
    assert not Supporter.objects.exists()


def test_closed_cases_take_no_support(client, street):
    first = existing_case(client, street)
    actions.reject_case(case=first, reason="不属于受理范围", acting_user=street.staff_a)
    assert first.status == Status.REJECTED
    response = client.post(reverse("cases_resident:support", args=[first.pk]),
                           {"phone": "13700002222", "building": street.b1.code})
    assert response.status_code == 404
    assert not Supporter.objects.exists()
