"""Every change in campaigns goes through one of these functions (atomic, keyword-only
``acting_user``, one audit event, notifications on commit)."""

from gongzhi.campaigns.actions import conventions, partners, shops, stars
from gongzhi.campaigns.actions.conventions import *  # noqa: F403
from gongzhi.campaigns.actions.partners import *  # noqa: F403
from gongzhi.campaigns.actions.selections import (
    announce_winners,
    cast_vote,
    close_voting,
    confirm_winners,
    create_selection,
    nominate,
    open_nominations,
    open_voting,
    review_nomination,
)
from gongzhi.campaigns.actions.shops import *  # noqa: F403
from gongzhi.campaigns.actions.stars import *  # noqa: F403

__all__ = [
    "announce_winners", "cast_vote", "close_voting", "confirm_winners", "create_selection",
    "nominate", "open_nominations", "open_voting", "review_nomination",
    *conventions.__all__, *partners.__all__, *shops.__all__, *stars.__all__,
]
