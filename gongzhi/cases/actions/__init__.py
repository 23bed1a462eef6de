"""State changes of the case ledger: the closed loop 受理 → 派单 → 办理 → 办结 → 评价 → 归档.

Every action locks the case row, checks the actor and the transition (``TRANSITIONS``),
bumps ``version``, writes one CaseEvent and one audit event, and notifies through the inbox.
A case that moved on since the caller read it (another status, or a stale
``expected_version``) raises ``CaseConflict`` and changes nothing.

By concern: ``intake`` (a new problem), ``triage`` (accept, dispatch, forward, escalate,
merge), ``handling`` (the handler's work, extensions, the result), ``residents`` (rating and
support), ``configuration`` (categories, routing rules); ``deadlines`` holds the clocks and
``_common`` what every action shares.
"""

from gongzhi.cases.actions._common import (
    FIVE_QUESTIONS,
    MAX_EXTENSION_WORKDAYS,
    SHANGHAI,
    STAFF_SOURCES,
    TRANSITIONS,
    CaseConflict,
    case_url,
    handling_area_for,
    level_staff,
)
from gongzhi.cases.actions.configuration import (
    delete_routing_rule,
    save_category,
    save_routing_rule,
)
from gongzhi.cases.actions.deadlines import (
    end_of_day,
    expected_resolution,
    limits,
    local_day,
    resolution_deadline,
    resolution_workdays,
    response_deadline,
)
from gongzhi.cases.actions.handling import (
    add_note,
    decide_extension,
    record_deliberation,
    request_extension,
    resolve_case,
    start_case,
)
from gongzhi.cases.actions.intake import submit_case
from gongzhi.cases.actions.residents import archive_unrated, rate_case, support_case
from gongzhi.cases.actions.triage import (
    accept_case,
    dispatch_case,
    escalate_case,
    forward_case,
    merge_cases,
    reclassify_case,
    reject_case,
)

__all__ = [
    "FIVE_QUESTIONS", "MAX_EXTENSION_WORKDAYS", "SHANGHAI", "STAFF_SOURCES", "TRANSITIONS",
    "CaseConflict", "accept_case", "add_note", "archive_unrated", "case_url",
    "decide_extension", "delete_routing_rule", "dispatch_case", "end_of_day", "escalate_case",
    "expected_resolution", "forward_case", "handling_area_for", "level_staff", "limits",
    "local_day", "merge_cases", "rate_case", "reclassify_case", "record_deliberation",
    "reject_case", "request_extension", "resolution_deadline", "resolution_workdays",
    "resolve_case", "response_deadline", "save_category", "save_routing_rule", "start_case",
    "submit_case", "support_case",
]
