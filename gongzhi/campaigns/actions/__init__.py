"""Every change in campaigns goes through one of these functions (atomic, keyword-only
``acting_user``, one audit event, notifications on commit)."""

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

__all__ = [
    "announce_winners", "cast_vote", "close_voting", "confirm_winners", "create_selection",
    "nominate", "open_nominations", "open_voting", "review_nomination",
]
