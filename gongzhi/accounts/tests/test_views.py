"""Logout, the login page for logged-in users, and the home sections this app supplies."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_logout_requires_post(client, street):
    client.force_login(street.staff_a)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert client.session.get("_auth_user_id") == str(street.staff_a.pk)

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("core:home")).content.decode()
    assert "您已安全退出" in page


@pytest.mark.django_db
def test_logout_without_csrf_token_is_refused(street):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(street.staff_a)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.session.get("_auth_user_id") == str(street.staff_a.pk)


@pytest.mark.django_db
def test_logged_in_user_skips_the_login_page(client, street):
    client.force_login(street.resident)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_login_page_labels_and_touch_sized_submit(client, street):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "手机号或用户名" in page
    assert 'type="password"' in page
    assert 'autocomplete="username"' in page
    assert "csrfmiddlewaretoken" in page


@pytest.mark.django_db
def test_staff_home_links_to_the_top_of_their_reach(client, street):
    client.force_login(street.staff_a)
    response = client.get(reverse("core:home"))
    roots = [p["roots"] for p in response.context["panels"] if "roots" in p]
    assert roots == [[street.comm_a]]
    page = response.content.decode()
    assert "我的辖区" in page and "活龙社区" in page
    assert "德鑫社区" not in page.split("我的辖区")[1].split("</section>")[0]


@pytest.mark.django_db
def test_street_staff_home_starts_at_the_street(client, street):
    client.force_login(street.street_staff)
    response = client.get(reverse("core:home"))
    roots = [p["roots"] for p in response.context["panels"] if "roots" in p]
    assert roots == [[street.street]]


@pytest.mark.django_db
def test_resident_home_shows_their_household_only(client, street):
    client.force_login(street.resident)
    response = client.get(reverse("core:home"))
    assert response.templates[0].name == "core/resident_home.html"
    page = response.content.decode()
    assert "我的住户" in page
    assert "活龙社区" in page and "铁路小区" in page and "201" in page
    assert "李建国" in page  # their own household's head
    assert "王秀英" not in page  # a neighbour
    assert "我的辖区" not in page
