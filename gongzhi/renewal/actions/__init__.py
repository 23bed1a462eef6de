"""Every change in renewal goes through one of these functions (atomic, keyword-only
``acting_user``, one audit event, notifications on commit)."""

from gongzhi.renewal.actions.compounds import save_compound_record
from gongzhi.renewal.actions.funding import commit_funds, record_payment, set_source
from gongzhi.renewal.actions.items import (
    add_item,
    finish_item,
    log_progress,
    start_item,
    update_item,
)
from gongzhi.renewal.actions.projects import (
    complete_acceptance,
    create_batch,
    create_project,
    decide_plan,
    put_plan_to_vote,
    record_management,
    start_acceptance,
    start_planning,
    start_works,
    submit_plan,
)
from gongzhi.renewal.actions.records_import import import_compound_records
from gongzhi.renewal.actions.supervision import (
    appoint_member,
    log_inspection,
    release_member,
    sign_off_item,
)
from gongzhi.renewal.actions.survey import (
    answer_survey,
    close_survey,
    create_survey,
    enter_survey_answer,
    open_survey,
)

__all__ = [
    "add_item", "answer_survey", "appoint_member", "close_survey", "commit_funds",
    "complete_acceptance", "create_batch", "create_project", "create_survey", "decide_plan",
    "enter_survey_answer", "finish_item", "import_compound_records", "log_inspection",
    "log_progress", "open_survey",
    "put_plan_to_vote", "record_management", "record_payment", "release_member",
    "save_compound_record", "set_source", "sign_off_item", "start_acceptance", "start_item",
    "start_planning", "start_works", "submit_plan", "update_item",
]
