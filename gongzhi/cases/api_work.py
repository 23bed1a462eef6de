"""JSON API for working a case beyond the main loop: notes and the five questions (五问),
reclassifying, extensions (延期), merging duplicates and saying "me too" (附议).

Mounted beside ``gongzhi.cases.api`` under /api/cases/; the same rules hold: a case the
caller may not see is 404, an action they may not take is 403, a stale ``expected_version``
is 409 and changes nothing.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from gongzhi.areas.selectors import area_by_code, public_building
from gongzhi.cases import actions, selectors
from gongzhi.cases.actions import CaseConflict
from gongzhi.cases.api import (
    ACT_ERRORS,
    CASE_ID,
    CaseOut,
    VersionIn,
    act_on_case,
    case_not_found,
    category_by_code,
)
from gongzhi.cases.duplicates import neighbourhood
from gongzhi.cases.models import Case, ExtensionStatus

router = Router()


class FiveQuestionsIn(Schema):
    need: str = Field("", max_length=2000, description="问需求")
    cause: str = Field("", max_length=2000, description="问原因")
    plan: str = Field("", max_length=2000, description="问方案")
    progress: str = Field("", max_length=2000, description="问进度")
    outcome: str = Field("", max_length=2000, description="问成效")


class NoteIn(VersionIn):
    note: str = Field("", max_length=2000, description="办理记录 / handling note")
    internal: bool = Field(True, description="仅内部可见（默认）/ hidden from the reporter")
    five_questions: FiveQuestionsIn | None = None


class ReclassifyIn(VersionIn):
    category: str = Field(..., max_length=32, description="分类编码 / category code")


class ExtensionIn(VersionIn):
    workdays: int = Field(..., ge=1, le=actions.MAX_EXTENSION_WORKDAYS,
                          description="延长的工作日 / working days asked for")
    reason: str = Field(..., max_length=300)


class DecisionIn(VersionIn):
    approve: bool
    note: str = Field("", max_length=500)


class MergeIn(VersionIn):
    into: int = Field(..., ge=1, le=2**63 - 1, description="保留的诉求件 ID / surviving case")


class SupportIn(Schema):
    area: str = Field(..., max_length=64,
                      description="附议人所在楼栋或区域编码 / where the supporter is")


@router.post("/{id}/note", response={200: CaseOut, **ACT_ERRORS},
             summary="办理记录与五问 / handling note and the five questions")
def note(request: HttpRequest, body: NoteIn, id: int = CASE_ID):
    answers = body.five_questions.dict() if body.five_questions else None
    return act_on_case(request, id, lambda case: actions.add_note(
        case=case, note=body.note, internal=body.internal, five_questions=answers,
        acting_user=request.auth, expected_version=body.expected_version))


@router.post("/{id}/reclassify", response={200: CaseOut, **ACT_ERRORS},
             summary="调整分类 / reclassify")
def reclassify(request: HttpRequest, body: ReclassifyIn, id: int = CASE_ID):
    def run(case: Case):
        category = category_by_code(body.category)
        if category is None:
            raise ValidationError({"category": _("请选择有效的问题分类")})
        actions.reclassify_case(case=case, category=category, acting_user=request.auth,
                                expected_version=body.expected_version)
    return act_on_case(request, id, run)


@router.post("/{id}/extension", response={200: CaseOut, **ACT_ERRORS},
             summary="申请延期 / request an extension")
def request_extension(request: HttpRequest, body: ExtensionIn, id: int = CASE_ID):
    return act_on_case(request, id, lambda case: actions.request_extension(
        case=case, workdays=body.workdays, reason=body.reason, acting_user=request.auth,
        expected_version=body.expected_version))


@router.post("/{id}/extension/decide", response={200: CaseOut, **ACT_ERRORS},
             summary="审批延期 / approve or refuse the pending extension")
def decide_extension(request: HttpRequest, body: DecisionIn, id: int = CASE_ID):
    def run(case: Case):
        pending = case.extensions.filter(status=ExtensionStatus.PENDING).first()
        if pending is None:
            raise CaseConflict()
        actions.decide_extension(extension=pending, approve=body.approve, note=body.note,
                                 acting_user=request.auth,
                                 expected_version=body.expected_version)
    return act_on_case(request, id, run)


@router.post("/{id}/merge", response={200: CaseOut, **ACT_ERRORS},
             summary="合并重复件 / merge this duplicate into another case")
def merge(request: HttpRequest, body: MergeIn, id: int = CASE_ID):
    def run(case: Case):
        into = selectors.cases_visible_to(request.auth).filter(pk=body.into).first()
        if into is None:
            raise ValidationError({"into": _("未找到要合并到的诉求件")})
        actions.merge_cases(duplicate=case, into=into, acting_user=request.auth,
                            expected_version=body.expected_version)
    return act_on_case(request, id, run)


@router.post("/{id}/support", response={200: CaseOut, **ACT_ERRORS},
             summary="附议（我也遇到了）/ me too")
def support(request: HttpRequest, body: SupportIn, id: int = CASE_ID):
    """Open cases near where the supporter is, as the resident page offers them."""
    user = request.auth
    place = area_by_code(user, body.area) or public_building(body.area)
    case = Case.objects.filter(pk=id).select_related("area").first()
    if place is None or case is None or not case.area_path.startswith(
            neighbourhood(place).path):
        raise case_not_found()
    return act_on_case(request, id,
                       lambda c: actions.support_case(case=c, acting_user=user), case)
