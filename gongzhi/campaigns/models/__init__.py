"""Civilisation campaigns (文明创建), one module each: the "最美" selections, 十星级文明户,
门前三包, 网格合伙人 and 居民公约. Every change goes through ``gongzhi.campaigns.actions``."""

from gongzhi.campaigns.models.conventions import (
    Convention,
    ConventionSignature,
    ConventionStage,
)
from gongzhi.campaigns.models.partners import (
    ApplicationStatus,
    PartnerApplication,
    PartnerKind,
    PartnerPost,
    PatrolStatus,
    PatrolTask,
)
from gongzhi.campaigns.models.selections import (
    MAX_VOTES_PER_CATEGORY,
    Nomination,
    NominationPhoto,
    NominationSource,
    NominationStatus,
    Selection,
    SelectionCategory,
    Stage,
    Vote,
    photo_path,
)
from gongzhi.campaigns.models.shops import (
    Duty,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    Listing,
    Shop,
    ShopBoard,
    ShopBoardEntry,
    ShopContract,
    inspection_photo_path,
)
from gongzhi.campaigns.models.stars import (
    DEFAULT_CRITERIA,
    AssessmentStatus,
    StarAssessment,
    StarAward,
    StarCriterion,
)

__all__ = [
    "DEFAULT_CRITERIA", "MAX_VOTES_PER_CATEGORY", "ApplicationStatus", "AssessmentStatus",
    "Convention", "ConventionSignature", "ConventionStage", "Duty", "Inspection",
    "InspectionPhoto", "InspectionResult", "Listing", "Nomination", "NominationPhoto",
    "NominationSource", "NominationStatus", "PartnerApplication", "PartnerKind", "PartnerPost",
    "PatrolStatus", "PatrolTask", "Selection", "SelectionCategory", "Shop", "ShopBoard",
    "ShopBoardEntry", "ShopContract", "Stage", "StarAssessment", "StarAward", "StarCriterion",
    "Vote", "inspection_photo_path", "photo_path",
]
