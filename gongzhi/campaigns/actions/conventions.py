"""居民公约: 草拟 → 征求意见 → 已公布, then each household signs (acknowledges) it.

Staff of a community (or of the street above it) draft a convention for the community or
one compound; they put it to the area's households as a deliberation consultation
(征询, matter 制定和修改管理规约); once the consultation has closed they publish the text as
a notice of the area (the notices app tells the area's residents); then residents sign for
their household on the phone, or a building head / grid worker records a signature given
on paper. One signature a household, also when two arrive at once.

Revising: the text may be revised while in draft and while the consultation runs (the
residents' opinions are what a revision answers); the audit event then says
``in_consultation``. The area is fixed once the consultation has started, and a published
convention is not revised (draft a new one).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.campaigns.actions._common import actor, lives_in, require_organiser
from gongzhi.campaigns.models import Convention, ConventionSignature, ConventionStage
from gongzhi.campaigns.selectors_conventions import articles, consultation_counts
from gongzhi.core import audit
from gongzhi.core.checks import required_text
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, can
from gongzhi.deliberation.actions import consultations as deliberation
from gongzhi.deliberation.models import ConsultationStatus
from gongzhi.notices import actions as notices
from gongzhi.notices.models import NoticeKind

__all__ = ["draft_convention", "consult_on_convention", "publish_convention",
           "sign_convention"]

FIELDS = ["area", "title", "stage", "consultation", "notice", "published_at"]
AREA_KINDS = (AreaKind.COMMUNITY, AreaKind.COMPOUND)
MAX_TEXT = 10000
MAX_ARTICLES = 60
MATTER = "covenant"  # 制定和修改管理规约 (ART278_MATTERS)
NOTICE_DAYS = 30
S = ConventionStage


def _locked(convention: Convention) -> Convention:
    # of=self: PostgreSQL cannot lock the nullable side of the join to the consultation.
    return (Convention.objects.select_for_update(of=("self",))
            .select_related("area", "consultation").get(pk=convention.pk))


def _checked_text(title: str, text: str) -> tuple[str, str]:
    title = required_text(title, "title", _("请填写公约名称"), 100)
    text = required_text(text, "text", _("请填写公约条文"), MAX_TEXT)
    if len(articles(text)) > MAX_ARTICLES:
        raise ValidationError({"text": _("公约条文最多 %(n)d 条（每行一条）")
                               % {"n": MAX_ARTICLES}})
    # Stored one article a line, without the blank lines in between.
    return title, "\n".join(articles(text))


@transaction.atomic
def draft_convention(*, area: AreaNode, title: str, text: str, acting_user,
                     convention: Convention | None = None) -> Convention:
    """草拟 a convention of a community or a compound (articles one a line), or revise one
    still in draft or in consultation (the area stays once the consultation started)."""
    if not isinstance(area, AreaNode) or area.kind not in AREA_KINDS:
        raise ValidationError({"area": _("居民公约的区域须为社区或小区")})
    require_organiser(acting_user, area)
    title, text = _checked_text(title, text)
    if convention is None:
        convention = Convention.objects.create(area=area, area_path=area.path, title=title,
                                               text=text, drafted_by=actor(acting_user))
        audit.record(actor=acting_user, action="campaigns.draft_convention", obj=convention,
                     after=audit.snapshot(convention, FIELDS) | {"articles": len(articles(text))})
        return convention
    convention = _locked(convention)
    require_organiser(acting_user, convention.area_path)
    if convention.stage == S.PUBLISHED:
        raise ValidationError(_("已公布的公约不能修改，请起草新的公约"))
    if convention.stage == S.CONSULTING and area.pk != convention.area_id:
        raise ValidationError({"area": _("征求意见已开始，不能更改公约的区域")})
    before = audit.snapshot(convention, FIELDS) | {"articles": len(articles(convention.text))}
    convention.area, convention.area_path = area, area.path
    convention.title, convention.text = title, text
    convention.save(update_fields=["area", "area_path", "title", "text"])
    audit.record(actor=acting_user, action="campaigns.draft_convention", obj=convention,
                 before=before,
                 after=audit.snapshot(convention, FIELDS) | {
                     "articles": len(articles(text)),
                     "in_consultation": convention.stage == S.CONSULTING})
    return convention


@transaction.atomic
def consult_on_convention(*, convention: Convention, closes_at: datetime,
                          acting_user) -> Convention:
    """草拟 → 征求意见: every household of the area is asked (a deliberation consultation
    open from now until ``closes_at``); the area's residents are told."""
    convention = _locked(convention)
    require_organiser(acting_user, convention.area_path)
    if convention.stage != S.DRAFT:
        raise ValidationError(_("只有草拟中的公约可以征求意见"))
    now = timezone.now()
    if not isinstance(closes_at, datetime):
        raise ValidationError({"closes_at": _("请填写征求意见截止时间")})
    if closes_at <= now:
        raise ValidationError({"closes_at": _("征求意见截止时间须晚于现在")})
    numbered = "\n".join(f"{i}. {a}" for i, a in enumerate(articles(convention.text), 1))
    consultation = deliberation.create_consultation(
        title=(_("%(title)s征求意见") % {"title": convention.title})[:100],
        area=convention.area, opens_at=now, closes_at=closes_at, matter=MATTER,
        description=numbered, acting_user=acting_user)
    before = audit.snapshot(convention, FIELDS)
    convention.stage, convention.consultation = S.CONSULTING, consultation
    convention.save(update_fields=["stage", "consultation"])
    audit.record(actor=acting_user, action="campaigns.consult_on_convention", obj=convention,
                 before=before, after=audit.snapshot(convention, FIELDS)
                 | {"closes_at": closes_at.isoformat()})
    from gongzhi.accounts.models import User

    readers = User.objects.filter(resident__household__area_path__startswith=convention.area_path,
                                  is_active=True)
    notify(readers, kind="campaigns.convention_consulting",
           title=_("征求意见：%(title)s") % {"title": convention.title},
           body=_("请在 %(when)s 前回复您家的意见")
           % {"when": timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M")},
           url=f"/deliberation/consultations/{consultation.pk}/")
    return convention


@transaction.atomic
def publish_convention(*, convention: Convention, acting_user) -> Convention:
    """征求意见 → 已公布, after the consultation has closed (one whose closing time has
    passed is closed here): the text is published as a notice of the area, whose residents
    the notices app tells; the consultation's counts go into the audit event."""
    convention = _locked(convention)
    require_organiser(acting_user, convention.area_path)
    if convention.stage != S.CONSULTING or convention.consultation_id is None:
        raise ValidationError(_("只有征求意见结束后的公约可以公布"))
    consultation = convention.consultation
    if consultation.status == ConsultationStatus.OPEN:
        if timezone.now() < consultation.closes_at:
            raise ValidationError(_("征求意见尚未结束（截止时间 %(when)s），不能公布")
                                  % {"when": timezone.localtime(consultation.closes_at)
                                     .strftime("%Y-%m-%d %H:%M")})
        deliberation.close_consultation(consultation=consultation, acting_user=acting_user)
        convention.consultation.refresh_from_db()
    counts = consultation_counts(convention)
    lines = [f"{i}. {a}" for i, a in enumerate(articles(convention.text), 1)]
    lines.append("")
    lines.append(_("本公约经征求全体住户意见（%(households)d 户，回复 %(answered)d 户：同意 "
                   "%(agree)d 户、有条件同意 %(conditional)d 户、不同意 %(disagree)d 户）后公布，"
                   "请各户签署。") % counts)
    notice = notices.draft_notice(
        title=convention.title, body="\n".join(lines), area=convention.area,
        kind=NoticeKind.ANNOUNCEMENT, period_days=NOTICE_DAYS,
        subject=f"campaigns.convention:{convention.pk}", acting_user=acting_user)
    notices.publish_notice(notice=notice, acting_user=acting_user)
    before = audit.snapshot(convention, FIELDS)
    convention.stage, convention.notice = S.PUBLISHED, notice
    convention.published_at = timezone.now()
    convention.save(update_fields=["stage", "notice", "published_at"])
    audit.record(actor=acting_user, action="campaigns.publish_convention", obj=convention,
                 before=before, after=audit.snapshot(convention, FIELDS) | counts)
    return convention


def sign_convention(*, convention: Convention, acting_user,
                    household: Household | None = None) -> ConventionSignature:
    """签署: a resident signs for their own household (no ``household``, or their own);
    a building head, grid worker or staff member (INSPECT on the household) records a
    household's signature given on paper. Once a household, also when two arrive at once
    (the database keeps one)."""
    try:
        with transaction.atomic():
            return _sign(convention, acting_user, household)
    except IntegrityError:
        raise ValidationError(_("该户已经签署过本公约")) from None


def _own_household(user) -> Household | None:
    resident = getattr(user, "resident", None) if getattr(user, "is_authenticated", False) \
        else None
    return resident.household if resident is not None and user.is_active else None


def _sign(convention: Convention, acting_user, household: Household | None
          ) -> ConventionSignature:
    convention = Convention.objects.get(pk=convention.pk)
    if household is not None and not isinstance(household, Household):
        raise ValidationError({"household": _("请选择住户")})
    own = _own_household(acting_user)
    paper = household is not None and (own is None or household.pk != own.pk)
    if paper:
        if acting_user is not None and not can(acting_user, Perm.INSPECT, household.area_path):
            raise PermissionDenied(_("您无权为该户登记签署"))
    else:
        household = own
        if household is None or not lives_in(acting_user, convention.area_path):
            raise PermissionDenied(_("只有本区域居民可以为自己家签署"))
    if convention.stage != S.PUBLISHED:
        raise ValidationError(_("只有已公布的公约可以签署"))
    if not household.area_path.startswith(convention.area_path):
        raise ValidationError({"household": _("该户不在本公约的区域内")})
    if ConventionSignature.objects.filter(convention=convention, household=household).exists():
        raise ValidationError(_("该户已经签署过本公约"))
    signature = ConventionSignature.objects.create(
        convention=convention, household=household, area_path=household.area_path,
        signed_by=actor(acting_user), signed_at=timezone.now())
    audit.record(actor=acting_user, action="campaigns.sign_convention", obj=convention,
                 area_path=household.area_path,
                 after={"household": household.pk, "paper": paper})
    return signature
