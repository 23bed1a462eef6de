"""Every change in deliberation goes through one of these functions (atomic, keyword-only
``acting_user``, one audit event, notifications on commit)."""

from gongzhi.deliberation.actions.consultations import (
    answer_consultation,
    close_consultation,
    create_consultation,
    enter_answer,
)
from gongzhi.deliberation.actions.contests import (
    close_round,
    create_contest,
    enter_contest,
    score_entry,
    start_judging,
)
from gongzhi.deliberation.actions.councils import (
    add_member,
    create_council,
    remove_member,
    update_council,
)
from gongzhi.deliberation.actions.meetings import (
    add_to_agenda,
    cancel_meeting,
    check_in,
    record_attendance,
    record_minutes,
    schedule_meeting,
)
from gongzhi.deliberation.actions.polls import (
    cast_ballot,
    close_poll,
    create_poll,
    enter_ballot,
    open_poll,
)
from gongzhi.deliberation.actions.resolutions import (
    carry_out_resolution,
    decide_resolution,
    draft_resolution,
    publish_resolution,
    submit_resolution,
)
from gongzhi.deliberation.actions.topics import (
    decide_topic,
    propose_topic,
    raise_topic,
    raise_topic_from_case,
    support_topic,
)

__all__ = [
    "add_member", "add_to_agenda", "answer_consultation", "cancel_meeting",
    "carry_out_resolution", "cast_ballot", "check_in", "close_consultation", "close_poll",
    "close_round", "create_consultation", "create_contest", "create_council", "create_poll",
    "decide_resolution", "decide_topic", "draft_resolution", "enter_answer", "enter_ballot",
    "enter_contest", "open_poll", "propose_topic", "publish_resolution", "raise_topic",
    "raise_topic_from_case", "record_attendance", "record_minutes", "remove_member",
    "schedule_meeting", "score_entry", "start_judging", "submit_resolution", "support_topic",
    "update_council",
]
