"""Notifications: the in-app inbox now; outside channels plug in behind ``Channel``.

Actions call ``notify`` inside their transaction; the inbox row commits with the change,
and outside channels are sent only after the commit, so a rolled-back action sends nothing.
"""

import logging
from collections.abc import Iterable
from typing import Protocol

from django.db import transaction

from gongzhi.core.models import Notification

logger = logging.getLogger("gongzhi.notifications")


class Channel(Protocol):
    """An outside channel (SMS, enterprise WeChat robot, e-mail …)."""

    name: str

    def send(self, notification: Notification) -> None: ...


_channels: list[Channel] = []


def register_channel(channel: Channel) -> None:
    _channels.append(channel)


def unregister_channel(channel: Channel) -> None:
    _channels.remove(channel)


def _deliver(notification_ids: list[int]) -> None:
    if not _channels:
        return
    for notification in Notification.objects.filter(pk__in=notification_ids):
        for channel in _channels:
            try:
                channel.send(notification)
            except Exception:  # one failing channel must not stop the others
                logger.exception(
                    "channel %s failed for notification %s", channel.name, notification.pk
                )


def notify(
    recipients: Iterable, *, kind: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Put a message in each recipient's inbox; outside channels follow on commit."""
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, title=title, body=body, url=url)
        # Once per person, however often they appear; nobody without an account.
        for user in {u.pk: u for u in recipients if getattr(u, "pk", None)}.values()
    )
    ids = [n.pk for n in rows]
    if ids:
        transaction.on_commit(lambda: _deliver(ids))
    return rows


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
