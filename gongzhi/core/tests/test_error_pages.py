"""Error pages and form errors in one language a page; the JSON API in both; the favicon.

Chinese pages hold no Latin word but a few names (formats, units, the language switch);
English pages no Chinese but the switch back (中文) and what users typed (names of places).
"""

import re
import uuid
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.defaults import server_error

from gongzhi.cases.photos import check_photos
from gongzhi.core.api import forbidden, validation_body
from gongzhi.core.permissions import Perm, require, require_administrator

# Latin words a Chinese page may hold: image formats and units in messages, the browser's
# "Cookie", and the language switch, which names English in English.
LATIN_ALLOWED = {"English", "JPEG", "PNG", "WebP", "MB", "Cookie"}
# The one Chinese word an English page holds: the switch back to Chinese.
CJK_ALLOWED = ("中文",)
LATIN_WORD = re.compile(r"[A-Za-z]+")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
SHOWN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}


class _Shown(HTMLParser):
    """What a reader sees: text outside script and style, and the attributes read aloud."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def shown_text(content: str | bytes, data: tuple[str, ...] = ()) -> str:
    """The page's words, less ``data`` (what users entered: names, file names)."""
    parser = _Shown()
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    text = " ".join(" ".join(parser.parts).split())
    for value in data:
        text = text.replace(value, " ")
    return text


def assert_chinese_only(content, data: tuple[str, ...] = ()) -> None:
    text = shown_text(content, data)
    assert CJK.search(text), text
    latin = [w for w in LATIN_WORD.findall(text) if w not in LATIN_ALLOWED]
    assert not latin, (latin, text)


def assert_english_only(content, data: tuple[str, ...] = ()) -> None:
    text = shown_text(content, data + CJK_ALLOWED)
    assert LATIN_WORD.search(text), text
    assert not CJK.search(text), text


def test_the_checker_catches_a_second_language():
    with pytest.raises(AssertionError):
        assert_chinese_only("<p>请写下您遇到的问题 / please describe the problem</p>")
    with pytest.raises(AssertionError):
        assert_english_only("<p>Please describe the problem（请写下您遇到的问题）</p>")
    assert_chinese_only("<p>第 1 张照片超过 10 MB</p><button>English</button>")
    assert_english_only("<p>Photo 1 is larger than 10 MB</p><button>中文</button>")


# --- 403, 404 and 500 ---------------------------------------------------------------------


def _refuse_with_a_code(request):
    raise PermissionDenied("areas.view_area denied")


def _break(request):
    raise RuntimeError("boom: a stack trace nobody should see")


urlpatterns = [
    path("test-403/", _refuse_with_a_code),
    path("test-500/", _break),
    path("", include("gongzhi.urls")),
]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def worker(street):
    """A grid worker (no audit permission), named in Chinese: their name is data."""
    street.worker_a1.full_name = "王网格"
    street.worker_a1.save()
    return street.worker_a1


WORKER_DATA = ("王网格", "第一网格")  # the header shows the name and the area of the role


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_404_page_in_one_language(client, settings, language):
    settings.DEBUG = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    if language == "en":
        assert_english_only(response.content)
        assert "This page cannot be found" in response.content.decode()
    else:
        assert_chinese_only(response.content)
        assert "找不到这个页面" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_unknown_building_404_in_one_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("cases_resident:report", kwargs={"building_code": "NOPE"}))
    assert response.status_code == 404
    check = assert_english_only if language == "en" else assert_chinese_only
    check(response.content, ("12345",))


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_403_page_in_one_language_and_never_the_refusals_code(client, worker, settings,
                                                              language):
    settings.DEBUG = False
    client.force_login(worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in ("/test-403/", reverse("core:audit")):
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert "areas.view_area" not in page and "core.view_audit" not in page
        if language == "en":
            assert_english_only(page, WORKER_DATA)
            assert "You do not have permission to view this page" in page
        else:
            assert_chinese_only(page, WORKER_DATA)
            assert "您没有权限查看此页面" in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_500_page_of_a_failing_view_in_one_language(client, settings, language):
    settings.DEBUG = False
    client.raise_request_exception = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/test-500/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "boom" not in page and "Traceback" not in page
    assert f'<html lang="{language}">' in page
    if language == "en":
        assert_english_only(page)
        assert "Something went wrong on our side" in page
    else:
        assert_chinese_only(page)
        assert "系统暂时出了点问题" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_500_page_renders_without_database_or_context(language):
    # No django_db mark: any query would fail the test. Django gives the page no context.
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    check = assert_english_only if language == "en" else assert_chinese_only
    check(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_csrf_failure_page_in_one_language(settings, language):
    checking = Client(enforce_csrf_checks=True)
    checking.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = checking.post(reverse("core:text_size"), {"large": "1"})
    assert response.status_code == 403
    check = assert_english_only if language == "en" else assert_chinese_only
    check(response.content)


def test_a_refusal_of_the_permission_helper_is_a_sentence_not_a_code(street):
    for refuse in (lambda: require(street.resident, Perm.MANAGE_AREAS, street.b1),
                   lambda: require_administrator(street.resident)):
        with pytest.raises(PermissionDenied) as refused:
            refuse()
        with translation.override("zh-hans"):
            assert CJK.search(str(refused.value)) and "." not in str(refused.value)
        with translation.override("en"):
            assert str(refused.value) and not CJK.search(str(refused.value))
        assert "denied" not in str(refused.value) and "only" not in str(refused.value)


# --- form errors: one language on a page, both in the API ---------------------------------


def _report_url(building) -> str:
    return reverse("cases_resident:report", kwargs={"building_code": building.code})


PLACE = ("活龙社区", "铁路小区", "1栋")  # the building's names: data


@pytest.fixture
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path


def test_report_form_errors_in_chinese_only(client, street, _files):
    response = client.post(_report_url(street.b1), {
        "description": "", "reporter_phone": "", "idempotency_key": uuid.uuid4().hex})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请写下您遇到的问题" in page and "请留下手机号码，方便工作人员联系您" in page
    assert "please describe" not in page and "is required" not in page
    assert_chinese_only(page, PLACE + ("12345",))


def test_report_form_errors_in_english_only(english, street, _files):
    response = english.post(_report_url(street.b1), {
        "description": "", "reporter_phone": "138", "idempotency_key": uuid.uuid4().hex})
    page = response.content.decode()
    assert "Please describe the problem" in page
    assert "Enter an 11-digit mobile number, e.g. 13812345678" in page
    assert_english_only(page, PLACE)


def test_a_bad_photo_is_explained_in_the_pages_language(client, street, _files):
    def post(who):
        photo = SimpleUploadedFile("IMG_0001.jpg", b"not an image", "image/jpeg")
        return who.post(_report_url(street.b1), {
            "description": "路灯坏了", "reporter_phone": "13812345678", "photos": photo,
            "idempotency_key": uuid.uuid4().hex})

    page = post(client).content.decode()
    assert "第 1 张照片（IMG_0001.jpg）不是 JPEG、PNG 或 WebP 图片" in page
    assert_chinese_only(page, PLACE + ("IMG_0001.jpg", "12345"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = post(client).content.decode()
    assert "Photo 1 (IMG_0001.jpg) is not a JPEG, PNG or WebP image" in page
    assert_english_only(page, PLACE + ("路灯坏了",))


def test_api_answers_the_same_missing_description_in_both_languages(client, street):
    client.force_login(street.resident)
    for language in ("zh-hans", "en"):  # whatever language the caller's browser chose
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.post("/api/cases/", {"title": "路灯坏了", "description": " ",
                                               "area": street.b1.code},
                               content_type="application/json")
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "invalid"
        if language == "zh-hans":
            assert body["detail"] == "请描述问题"
            assert body["errors"] == [{"loc": ["body", "description"], "msg": "请描述问题",
                                       "type": "invalid"}]
        assert body["detail_en"] == "Please describe the problem"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_api_body_of_a_bad_photo_has_both_languages(language):
    with pytest.raises(ValidationError) as refused:
        check_photos([SimpleUploadedFile("IMG_0001.jpg", b"not an image", "image/jpeg")])
    with translation.override(language):  # the language of the request does not matter
        body = validation_body(refused.value)
    assert body["detail"] == "第 1 张照片（IMG_0001.jpg）不是 JPEG、PNG 或 WebP 图片"
    assert body["detail_en"] == "Photo 1 (IMG_0001.jpg) is not a JPEG, PNG or WebP image"
    assert body["errors"][0]["msg"] == body["detail"]


def test_api_body_keeps_a_generic_english_for_a_message_the_catalogue_lacks():
    body = validation_body(ValidationError({"title": "某个未翻译的句子 42"}))
    assert body["detail"] == "某个未翻译的句子 42" and body["detail_en"] == "invalid input"


def test_api_refusal_gives_its_reason_in_both_languages_but_never_a_code():
    refusal = forbidden(PermissionDenied(gettext_lazy("您无权进行此操作")))
    assert (refusal.detail, refusal.detail_en) == ("您无权进行此操作",
                                                   "You are not allowed to do this")
    with translation.override("en"):
        coded = forbidden(PermissionDenied("areas.view_area denied"))
    assert (coded.detail, coded.detail_en) == ("无权执行此操作", "permission denied")


# --- favicon --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_favicon_is_linked_and_answers(settings):
    settings.WHITENOISE_USE_FINDERS = True  # as after collectstatic: whitenoise serves it
    client = Client()
    assert finders.find("gongzhi/favicon.svg")
    page = client.get(reverse("accounts:login")).content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert href == "/static/gongzhi/favicon.svg"
    icon = client.get(href)
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 302 and legacy["Location"] == href
    for name in ("403_csrf.html", "500.html"):  # the pages drawn without base.html
        assert f'<link rel="icon" href="{href}"' in get_template(name).render()
