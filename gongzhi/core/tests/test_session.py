"""Idle sessions time out; a working session is renewed at most once a minute."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext


def session_writes(client, url="/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(1 for q in queries.captured_queries
               if "django_session" in q["sql"] and q["sql"].lstrip().startswith(
                   ("UPDATE", "INSERT")))


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.mark.django_db
def test_pages_within_a_minute_write_the_session_once(client, street, settings):
    settings.GONGZHI_SESSION_TOUCH_SECONDS = 60
    client.force_login(street.staff_a)
    start = 1_900_000_000
    with mock.patch("gongzhi.core.middleware.time.time", return_value=start):
        assert session_writes(client) == 1  # the first page starts the idle clock
        assert session_writes(client) == 0
        assert session_writes(client, "/inbox/") == 0
    with mock.patch("gongzhi.core.middleware.time.time", return_value=start + 61):
        before = expiry(client)
        assert session_writes(client) == 1
        assert expiry(client) > before


@pytest.mark.django_db
def test_an_idle_session_ends_after_the_session_age(client, street, settings):
    settings.SESSION_COOKIE_AGE = 2
    client.force_login(street.staff_a)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date="2000-01-01T00:00:00Z")  # nobody came back
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
def test_visitors_without_a_session_get_none(client, street):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/login/").status_code == 200
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)
