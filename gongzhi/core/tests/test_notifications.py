"""The inbox and outside channels: once per person, sent only after commit, failures contained."""

import logging

import pytest
from django.db import transaction

from gongzhi.conftest import make_user
from gongzhi.core.actions import mark_notifications_read
from gongzhi.core.models import Notification
from gongzhi.core.notifications import (
    Channel,
    notify,
    register_channel,
    unread_count,
    unregister_channel,
)


class RecordingChannel:
    """What an SMS gateway or a group robot implements: a name and ``send``."""

    def __init__(self, name: str = "recording"):
        self.name = name
        self.sent: list[tuple[int, int, str]] = []

    def send(self, notification: Notification) -> None:
        self.sent.append((notification.pk, notification.recipient_id, notification.title))


class BrokenChannel:
    name = "broken"

    def send(self, notification: Notification) -> None:
        raise ConnectionError("gateway down")


@pytest.fixture
def channel():
    ch = RecordingChannel()
    register_channel(ch)
    yield ch
    unregister_channel(ch)


def test_test_channels_satisfy_the_protocol():
    def takes(channel: Channel) -> str:
        return channel.name

    assert takes(RecordingChannel()) == "recording" and takes(BrokenChannel()) == "broken"


@pytest.mark.django_db
def test_notify_writes_one_inbox_row_per_distinct_recipient(street):
    rows = notify([street.staff_a, street.staff_b, street.staff_a], kind="case.assigned",
                  title="新的派单", body="请处理", url="/cases/1/")
    assert len(rows) == 2
    stored = Notification.objects.order_by("recipient_id")
    assert sorted(n.recipient_id for n in stored) == sorted([street.staff_a.pk, street.staff_b.pk])
    assert {(n.kind, n.title, n.body, n.url) for n in stored} == {
        ("case.assigned", "新的派单", "请处理", "/cases/1/")}
    assert all(n.read_at is None for n in stored)
    assert unread_count(street.staff_a) == 1 and unread_count(street.worker_a1) == 0


@pytest.mark.django_db
def test_notify_nobody_writes_nothing(street):
    assert notify([], kind="x", title="无人") == []
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_channel_gets_the_notification_only_after_commit(street, channel,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            (row,) = notify([street.staff_a], kind="k", title="提交后发送")
            assert channel.sent == []
        assert channel.sent == []  # the test's own transaction has not committed yet
    assert channel.sent == [(row.pk, street.staff_a.pk, "提交后发送")]


@pytest.mark.django_db
def test_rolled_back_notification_is_never_sent(street, channel,
                                                django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        notify([street.staff_a], kind="k", title="回滚")
        raise RuntimeError("the action failed")
    assert callbacks == []
    assert channel.sent == []
    assert not Notification.objects.filter(title="回滚").exists()


@pytest.mark.django_db(transaction=True)
def test_real_commit_and_rollback(channel):
    """The same, with real transactions instead of captured callbacks."""
    user = make_user("someone")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([user], kind="k", title="回滚")
        raise RuntimeError
    assert channel.sent == [] and not Notification.objects.exists()
    with transaction.atomic():
        (row,) = notify([user], kind="k", title="已提交")
        assert channel.sent == []
    assert channel.sent == [(row.pk, user.pk, "已提交")]


@pytest.mark.django_db
def test_a_failing_channel_does_not_stop_the_others(street, caplog,
                                                    django_capture_on_commit_callbacks):
    broken, good = BrokenChannel(), RecordingChannel("good")
    register_channel(broken)
    register_channel(good)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rows = notify([street.staff_a, street.staff_b], kind="k", title="照常送达")
    finally:
        unregister_channel(broken)
        unregister_channel(good)
    assert sorted(pk for pk, _user, _title in good.sent) == sorted(r.pk for r in rows)
    failures = [r for r in caplog.records
                if r.name == "gongzhi.notifications" and r.levelno == logging.ERROR]
    assert len(failures) == 2 and "broken" in failures[0].getMessage()


@pytest.mark.django_db
def test_mark_read_touches_only_the_actors_own(street):
    mine = [notify([street.staff_a], kind="k", title=f"A{i}")[0] for i in range(3)]
    (theirs,) = notify([street.staff_b], kind="k", title="B")
    # Asking for someone else's id changes nothing of theirs.
    assert mark_notifications_read(acting_user=street.staff_a, ids=[mine[0].pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert unread_count(street.staff_a) == 2
    # "All" is all of mine, never theirs.
    assert mark_notifications_read(acting_user=street.staff_a) == 2
    assert unread_count(street.staff_a) == 0 and unread_count(street.staff_b) == 1
    assert mark_notifications_read(acting_user=street.staff_a) == 0
    assert mark_notifications_read(acting_user=street.staff_b, ids=[mine[1].pk]) == 0
    assert unread_count(street.staff_b) == 1
