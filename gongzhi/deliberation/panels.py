"""Deliberation's section of the resident home page, and the "may I vote?" read it shares
with the deliberation home."""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from gongzhi.deliberation import selectors
from gongzhi.deliberation.actions.polls import units_of
from gongzhi.deliberation.models import Poll, PollUnit, TopicStatus


@dataclass
class PollRow:
    """An open poll near the user, with the units they may vote for and those done."""

    poll: Poll
    units: list[PollUnit] = field(default_factory=list)
    voted: int = 0

    @property
    def awaiting(self) -> int:
        return len(self.units) - self.voted


def open_poll_rows(user) -> list[PollRow]:
    """Open polls of the user's neighbourhood and of their council seats, newest first."""
    now = timezone.now()
    polls = selectors.open_polls_for(user).filter(opens_at__lte=now, closes_at__gte=now)
    rows = []
    for poll in polls[:50]:
        units = list(units_of(user, poll).select_related("ballot"))
        voted = sum(1 for u in units if hasattr(u, "ballot"))
        rows.append(PollRow(poll, units, voted))
    return rows


def resident_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Polls awaiting my vote and topics gathering support near me."""
    user = request.user
    if getattr(user, "resident", None) is None:
        return None
    awaiting = sum(1 for row in open_poll_rows(user) if row.awaiting)
    topics = selectors.resident_topics(user).filter(status=TopicStatus.PROPOSED).count()
    return {"awaiting": awaiting, "topics": topics}
