"""Consultations (征询): each household of a building, unit or compound agrees, agrees with
conditions, or disagrees; the lift retrofit (加装电梯) is the model."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode, Household, Tenure
from gongzhi.core import audit
from gongzhi.deliberation.actions._common import actor, require_runner, text
from gongzhi.deliberation.electorate import households_of
from gongzhi.deliberation.models import (
    Answer,
    Consultation,
    ConsultationAnswer,
    ConsultationStatus,
)
from gongzhi.deliberation.tally import ART278_MATTERS

FIELDS = ["title", "area", "unit", "matter", "opens_at", "closes_at", "status"]


@transaction.atomic
def create_consultation(*, title: str, area: AreaNode, opens_at: datetime, closes_at: datetime,
                        acting_user, description: str = "", unit: str = "",
                        matter: str = "rebuild") -> Consultation:
    require_runner(acting_user, area)
    title = text(title, "title", _("请填写征询事项"), 100)
    if matter not in {code for code, _name, _rule in ART278_MATTERS}:
        raise ValidationError({"matter": _("未知的共同决定事项")})
    if opens_at >= closes_at:
        raise ValidationError({"closes_at": _("截止时间须晚于开始时间")})
    consultation = Consultation(title=title, description=(description or "").strip(),
                                area=area, area_path=area.path, unit=(unit or "").strip(),
                                matter=matter, opens_at=opens_at, closes_at=closes_at,
                                created_by=actor(acting_user))
    if not households_of(consultation).exists():
        raise ValidationError({"unit": _("征询范围内没有住户")})
    consultation.save()
    audit.record(actor=acting_user, action="deliberation.create_consultation",
                 obj=consultation, after=audit.snapshot(consultation, FIELDS))
    return consultation


def may_answer_for(user, household: Household) -> bool:
    """The head (户主) of an owner-occupied household answers for it online."""
    resident = getattr(user, "resident", None)
    return bool(getattr(user, "is_authenticated", False) and resident is not None
                and resident.is_head and resident.household_id == household.pk
                and household.tenure == Tenure.OWNER)


def _save_answer(consultation: Consultation, household: Household, answer: str,
                 condition: str, **fields) -> ConsultationAnswer:
    if answer not in Answer.values:
        raise ValidationError({"answer": _("请选择同意、有条件同意或不同意")})
    condition = (condition or "").strip()
    if answer == Answer.CONDITIONAL and not condition:
        raise ValidationError({"condition": _("请写明同意的条件")})
    try:
        with transaction.atomic():
            return ConsultationAnswer.objects.create(
                consultation=consultation, household=household, answer=answer,
                condition=condition[:300] if answer == Answer.CONDITIONAL else "",
                floor=household.floor, answered_at=timezone.now(), **fields)
    except IntegrityError:
        raise ValidationError(_("%(h)s 已经回复过") % {"h": str(household)}) from None


def _check_open(consultation: Consultation, household: Household) -> None:
    if consultation.status != ConsultationStatus.OPEN:
        raise ValidationError(_("征询已结束"))
    if not households_of(consultation).filter(pk=household.pk).exists():
        raise ValidationError({"household": _("该户不在征询范围内")})


@transaction.atomic
def answer_consultation(*, consultation: Consultation, household: Household, answer: str,
                        acting_user, condition: str = "") -> ConsultationAnswer:
    """The household answers online, between the opening and the closing time."""
    consultation = Consultation.objects.get(pk=consultation.pk)
    if not may_answer_for(acting_user, household):
        raise PermissionDenied(_("只有本户户主可以回复"))
    _check_open(consultation, household)
    now = timezone.now()
    if not consultation.opens_at <= now <= consultation.closes_at:
        raise ValidationError(_("征询未开始或已截止"))
    row = _save_answer(consultation, household, answer, condition, answered_by=acting_user)
    audit.record(actor=acting_user, action="deliberation.answer_consultation",
                 obj=consultation, area_path=household.area_path,
                 after={"household": household.pk, "answer": row.answer})
    return row


@transaction.atomic
def enter_answer(*, consultation: Consultation, household: Household, answer: str,
                 record: str, acting_user, condition: str = "") -> ConsultationAnswer:
    """Staff or volunteers going door to door enter a signed answer (and what it rests on)."""
    consultation = Consultation.objects.get(pk=consultation.pk)
    require_runner(acting_user, consultation.area_path)
    _check_open(consultation, household)
    record = text(record, "record", _("请写明依据，如“入户签字意见书”"), 200)
    row = _save_answer(consultation, household, answer, condition,
                       entered_by=actor(acting_user), record=record)
    audit.record(actor=acting_user, action="deliberation.enter_answer", obj=consultation,
                 area_path=household.area_path,
                 after={"household": household.pk, "answer": row.answer, "record": record})
    return row


@transaction.atomic
def close_consultation(*, consultation: Consultation, acting_user) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    require_runner(acting_user, consultation.area_path)
    if consultation.status != ConsultationStatus.OPEN:
        raise ValidationError(_("征询已结束"))
    before = audit.snapshot(consultation, FIELDS)
    consultation.status = ConsultationStatus.CLOSED
    consultation.save(update_fields=["status"])
    audit.record(actor=acting_user, action="deliberation.close_consultation",
                 obj=consultation, before=before, after=audit.snapshot(consultation, FIELDS))
    return consultation
