"""Old-compound renewal (老旧小区改造): compound records, projects in yearly batches moving
储备 → 谋划 → 实施 → 验收 → 长效管理, the needs survey, items of work by category, funding,
residents' supervision and acceptance. Plans go to the residents through ``deliberation``;
problems found on site become cases. Every change goes through ``gongzhi.renewal.actions``.
"""

from gongzhi.renewal.models.compounds import CompoundRecord, Management, built_before
from gongzhi.renewal.models.funding import Allocation, FundingSource, Payment, SourceKind
from gongzhi.renewal.models.projects import (
    STAGE_ORDER,
    Batch,
    Category,
    Inspection,
    ItemStatus,
    MemberRole,
    Party,
    Photo,
    PlanStatus,
    ProgressLog,
    Project,
    ProjectMember,
    Signoff,
    Stage,
    WorkItem,
)
from gongzhi.renewal.models.survey import (
    ResponseSource,
    Survey,
    SurveyOption,
    SurveyResponse,
    SurveyStatus,
)

__all__ = [
    "STAGE_ORDER", "Allocation", "Batch", "Category", "CompoundRecord", "FundingSource",
    "Inspection", "ItemStatus", "Management", "MemberRole", "Party", "Payment", "Photo",
    "PlanStatus", "ProgressLog", "Project", "ProjectMember", "ResponseSource", "Signoff",
    "SourceKind", "Stage", "Survey", "SurveyOption", "SurveyResponse", "SurveyStatus",
    "WorkItem", "built_before",
]
