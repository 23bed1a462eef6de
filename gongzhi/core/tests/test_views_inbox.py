"""The inbox: only the user's own notifications, newest first, marked read through the action."""

import pytest
from django.urls import reverse

from gongzhi.core.models import Notification
from gongzhi.core.notifications import notify

URL = reverse("core:inbox")
READ = reverse("core:inbox_read")


@pytest.fixture
def notes(street):
    mine = [notify([street.staff_a], kind="test", title=f"给A的通知{i}")[0] for i in range(3)]
    theirs = notify([street.staff_b], kind="test", title="给B的通知")[0]
    return mine, theirs


@pytest.mark.django_db
def test_inbox_shows_only_own_notifications_newest_first(client, street, notes):
    mine, _theirs = notes
    client.force_login(street.staff_a)
    response = client.get(URL)
    assert [n.pk for n in response.context["page"].object_list] == [n.pk for n in reversed(mine)]
    page = response.content.decode()
    assert "给A的通知0" in page and "给B的通知" not in page
    assert page.count('class="unread"') == 3


@pytest.mark.django_db
def test_header_badge_counts_unread(client, street, notes):
    client.force_login(street.staff_a)
    page = client.get(reverse("core:home")).content.decode()
    assert '<span class="badge">3</span>' in page


@pytest.mark.django_db
def test_mark_one_read(client, street, notes):
    mine, theirs = notes
    client.force_login(street.staff_a)
    response = client.post(READ, {"id": mine[1].pk, "next": URL + "?page=1"})
    assert response.status_code == 302 and response["Location"] == URL + "?page=1"
    read = {n.pk for n in Notification.objects.filter(read_at__isnull=False)}
    assert read == {mine[1].pk}
    page = client.get(URL).content.decode()
    assert page.count('class="unread"') == 2 and page.count('class="read"') == 1


@pytest.mark.django_db
def test_cannot_mark_someone_elses_notification(client, street, notes):
    _mine, theirs = notes
    client.force_login(street.staff_a)
    client.post(READ, {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_mark_all_read_touches_only_own(client, street, notes):
    mine, theirs = notes
    client.force_login(street.staff_a)
    client.post(READ, {"all": "1"})
    assert not Notification.objects.filter(recipient=street.staff_a, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "已将 3 条通知标为已读" in client.get(URL).content.decode()


@pytest.mark.django_db
def test_bad_ids_change_nothing(client, street, notes):
    client.force_login(street.staff_a)
    response = client.post(READ, {"id": "1; drop"}, follow=True)
    assert "请选择要标为已读的通知" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=False).exists()


@pytest.mark.django_db
def test_marking_read_needs_post_and_login(client, street, notes):
    client.force_login(street.staff_a)
    assert client.get(READ, {"all": "1"}).status_code == 405
    client.logout()
    assert client.get(URL).status_code == 302
    assert client.post(READ, {"all": "1"}).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=False).exists()


@pytest.mark.django_db
def test_inbox_is_paginated(client, street):
    for i in range(25):
        notify([street.resident], kind="test", title=f"消息{i:02d}")
    client.force_login(street.resident)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 20
    assert "消息24" in first.content.decode()
    second = client.get(URL, {"page": 2})
    assert [n.title for n in second.context["page"].object_list] == [
        f"消息{i:02d}" for i in range(4, -1, -1)
    ]
    assert client.get(URL, {"page": "zzz"}).status_code == 200


@pytest.mark.django_db
def test_only_internal_links_are_rendered(client, street):
    notify([street.resident], kind="test", title="内部", url="/inbox/")
    notify([street.resident], kind="test", title="外部", url="javascript:alert(1)")
    client.force_login(street.resident)
    page = client.get(URL).content.decode()
    assert '<a href="/inbox/">内部</a>' in page
    assert "javascript:alert" not in page
