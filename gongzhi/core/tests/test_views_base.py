"""The base layout: header, console navigation, language switch, large-text mode, error pages."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from gongzhi.core.context_processors import LARGE_TEXT_COOKIE

HOME = reverse("core:home")


@pytest.mark.django_db
def test_anonymous_home_is_a_welcome_with_login(client, street):
    response = client.get(HOME)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "欢迎使用共治" in page
    assert f'href="{reverse("accounts:login")}"' in page
    assert "console-nav" not in page


@pytest.mark.django_db
def test_header_shows_name_roles_and_a_post_logout(client, street):
    street.staff_a.full_name = "赵敏"
    street.staff_a.save()
    client.force_login(street.staff_a)
    page = client.get(HOME).content.decode()
    assert "赵敏" in page
    assert "社区工作者 · 活龙社区" in page
    logout_form = page.split(f'action="{reverse("accounts:logout")}"')
    assert len(logout_form) == 2 and 'method="post"' in logout_form[0][-40:]
    assert "csrfmiddlewaretoken" in logout_form[1].split("</form>")[0]


@pytest.mark.django_db
def test_console_nav_by_role(client, street):
    client.force_login(street.staff_a)
    response = client.get(HOME)
    labels = [str(item["label"]) for item in response.context["console_nav"]]
    assert "审计日志" in labels and "通知" in labels and "管理后台" not in labels
    assert 'class="console-nav"' in response.content.decode()

    client.force_login(street.worker_a1)
    labels = [str(i["label"]) for i in client.get(HOME).context["console_nav"]]
    assert "通知" in labels and "审计日志" not in labels

    street.admin.is_staff = True
    street.admin.save()
    client.force_login(street.admin)
    labels = [str(i["label"]) for i in client.get(HOME).context["console_nav"]]
    assert "管理后台" in labels

    client.force_login(street.resident)
    page = client.get(HOME).content.decode()
    assert "console-nav" not in page


@pytest.mark.django_db
def test_current_console_entry_is_marked(client, street):
    client.force_login(street.staff_a)
    page = client.get(reverse("core:audit")).content.decode()
    assert f'<a href="{reverse("core:audit")}" aria-current="page">' in page


@pytest.mark.django_db
def test_language_switch_renders_english(client, street):
    client.force_login(street.staff_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    page = client.get(HOME).content.decode()
    assert '<html lang="en">' in page
    assert 'value="zh-hans"' in page  # the way back
    client.post(reverse("set_language"), {"language": "zh-hans"})
    assert '<html lang="zh-hans">' in client.get(HOME).content.decode()


@pytest.mark.django_db
def test_large_text_cookie_adds_the_body_class(client, street):
    assert "large-text" not in client.get(HOME).content.decode().split("<body")[1][:60]
    response = client.post(reverse("core:text_size"), {"large": "1", "next": "/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert response.cookies[LARGE_TEXT_COOKIE].value == "1"
    page = client.get(HOME).content.decode()
    assert '<body class="large-text' in page
    assert 'name="large" value="0"' in page  # the way back

    response = client.post(reverse("core:text_size"), {"large": "0", "next": "https://evil.example/"})
    assert response["Location"] == HOME
    assert "large-text" not in client.get(HOME).content.decode().split("<body")[1][:60]


@pytest.mark.django_db
def test_text_size_needs_post(client, street):
    assert client.get(reverse("core:text_size"), {"large": "1"}).status_code == 405


@pytest.mark.django_db
def test_messages_are_shown(client, street):
    client.force_login(street.staff_a)
    client.post(reverse("core:inbox_read"), {"id": "x"})
    page = client.get(HOME).content.decode()
    assert '<ul class="messages"' in page and "请选择要标为已读的通知" in page


@pytest.mark.django_db
def test_404_page_in_chinese(client, street, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "找不到这个页面" in page and "does not exist" not in page  # one language a page
    assert "Traceback" not in page and "urlpatterns" not in page


@pytest.mark.django_db
def test_500_page_needs_no_context_and_leaks_nothing(street):
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统暂时出了点问题" in page and "Something went wrong" not in page
    assert "Traceback" not in page


def test_stylesheet_is_found_and_defines_the_colour_language():
    from django.contrib.staticfiles import finders

    path = finders.find("gongzhi/gongzhi.css")
    assert path, "gongzhi/static/ must be in STATICFILES_DIRS"
    with open(path, encoding="utf-8") as f:
        css = f.read()
    for var in ("--overdue:", "--due-soon:", "--on-time:", "--closed:"):
        assert var in css
    assert "body.large-text {\n  font-size: 1.25rem;" in css


@pytest.mark.django_db
def test_header_login_link_returns_to_the_page(client, street):
    page = client.get(reverse("accounts:login") + "?next=/inbox/").content.decode()
    assert f'href="{reverse("accounts:login")}"' in page  # no next back to the login page itself
    page = client.get("/no-such-page/?a=1").content.decode()
    assert f'href="{reverse("accounts:login")}?next=/no-such-page/%3Fa%3D1"' in page


@pytest.mark.django_db
def test_failed_csrf_check_explains_itself(street):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("core:text_size"), {"large": "1"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and "has expired" not in page
    assert LARGE_TEXT_COOKIE not in response.cookies
