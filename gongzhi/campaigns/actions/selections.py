"""The "最美" selections: 筹备 → 推荐报名 → 群众投票 → 审定名单 → 结果公布.

Residents nominate (themselves or others) and staff review each nomination; the area's
residents vote for what passed, at most ``votes_per_category`` each per category and once a
nominee; after the close staff confirm the final list (the top places by votes unless
they say why not) and the winners are published as a notice. Each step is one action.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode, Household
from gongzhi.campaigns.actions._common import actor, is_organiser, lives_in, require_organiser
from gongzhi.campaigns.models import (
    MAX_VOTES_PER_CATEGORY,
    Nomination,
    NominationPhoto,
    NominationSource,
    NominationStatus,
    Selection,
    SelectionCategory,
    Stage,
    Vote,
)
from gongzhi.campaigns.selectors import standings
from gongzhi.cases import photos as checked_photos
from gongzhi.core import audit
from gongzhi.core.checks import required_text
from gongzhi.core.notifications import notify
from gongzhi.notices import actions as notices
from gongzhi.notices.models import NoticeKind

FIELDS = ["area", "title", "year", "stage", "nominations_close", "voting_closes",
          "votes_per_category", "notice"]
NOMINATION_FIELDS = ["category", "area", "household", "nominee", "source", "status",
                     "refusal_reason"]
MAX_CATEGORIES = 10
MAX_PLACES = 50
# A resident may put forward this many in one category (themselves included): enough for
# a building's good neighbours, not a flood.
NOMINATIONS_PER_PERSON = 3
NS = NominationStatus


def _locked(selection: Selection) -> Selection:
    return Selection.objects.select_for_update().get(pk=selection.pk)


def _record(selection: Selection, acting_user, action: str, before: dict | None,
            **extra) -> None:
    audit.record(actor=acting_user, action=f"campaigns.{action}", obj=selection,
                 before=before, after=audit.snapshot(selection, FIELDS) | extra)


def _move(selection: Selection, stage: str) -> dict:
    """One step along the stages; returns the snapshot before it, for the audit event."""
    before = audit.snapshot(selection, FIELDS)
    selection.stage = stage
    selection.save(update_fields=["stage"])
    return before


def _check_dates(nominations_close: datetime, voting_closes: datetime) -> None:
    if not isinstance(nominations_close, datetime) or not isinstance(voting_closes, datetime):
        raise ValidationError(_("请填写推荐截止时间和投票截止时间"))
    if voting_closes <= nominations_close:
        raise ValidationError({"voting_closes": _("投票截止时间须晚于推荐截止时间")})


def _whole(value) -> int:
    """A whole number from a form or JSON; 0 (refused by the range checks) for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _check_categories(categories) -> list[tuple[str, int]]:
    """(name, places) pairs: one to ten categories, distinct names, 1–50 places each."""
    checked, seen = [], set()
    for name, places in categories:
        name = required_text(name, "categories", _("请填写评选类别名称"), 30)
        if name in seen:
            raise ValidationError({"categories": _("评选类别“%(name)s”重复") % {"name": name}})
        places = _whole(places)
        if not 1 <= places <= MAX_PLACES:
            raise ValidationError({"categories": _("每类评选名额须为 1 至 %(n)d 个")
                                   % {"n": MAX_PLACES}})
        seen.add(name)
        checked.append((name, places))
    if not 1 <= len(checked) <= MAX_CATEGORIES:
        raise ValidationError({"categories": _("请设置 1 至 %(n)d 个评选类别")
                               % {"n": MAX_CATEGORIES}})
    return checked


@transaction.atomic
def create_selection(*, area: AreaNode, title: str, rules: str, year: int,
                     nominations_close: datetime, voting_closes: datetime, categories,
                     acting_user, votes_per_category: int = 1) -> Selection:
    """筹备: a selection of ``area`` with its categories; nothing is public yet."""
    require_organiser(acting_user, area)
    title = required_text(title, "title", _("请填写评选名称"), 100)
    rules = required_text(rules, "rules", _("请写明评选条件和办法"), 5000)
    _check_dates(nominations_close, voting_closes)
    checked = _check_categories(categories)
    votes_per_category, year = _whole(votes_per_category), _whole(year)
    if not 1 <= votes_per_category <= MAX_VOTES_PER_CATEGORY:
        raise ValidationError({"votes_per_category": _("每类每人可投 1 至 %(n)d 票")
                               % {"n": MAX_VOTES_PER_CATEGORY}})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("请填写年度")})
    selection = Selection.objects.create(
        area=area, area_path=area.path, title=title, rules=rules, year=year,
        nominations_close=nominations_close, voting_closes=voting_closes,
        votes_per_category=votes_per_category, created_by=actor(acting_user))
    SelectionCategory.objects.bulk_create(
        SelectionCategory(selection=selection, name=name, places=places, order=i)
        for i, (name, places) in enumerate(checked))
    _record(selection, acting_user, "create_selection", None,
            categories=[name for name, _places in checked])
    return selection


@transaction.atomic
def open_nominations(*, selection: Selection, acting_user) -> Selection:
    """筹备 → 推荐报名: residents may put forward nominees until the nominations close."""
    selection = _locked(selection)
    require_organiser(acting_user, selection.area_path)
    if selection.stage != Stage.DRAFT:
        raise ValidationError(_("只有筹备中的评选可以开始推荐"))
    if timezone.now() >= selection.nominations_close:
        raise ValidationError(_("推荐截止时间已过，请先修改时间"))
    _record(selection, acting_user, "open_nominations", _move(selection, Stage.NOMINATING))
    return selection


def _nominee_place(category: SelectionCategory, area: AreaNode | None,
                   household: Household | None) -> AreaNode:
    """Where the nominee lives or is (a household's building, or a place in the area)."""
    if household is not None:
        area = household.building
    if not isinstance(area, AreaNode):
        raise ValidationError({"area": _("请选择推荐对象所在位置")})
    if not area.path.startswith(category.selection.area_path):
        raise ValidationError({"area": _("推荐对象须在本次评选的区域内")})
    return area


@transaction.atomic
def nominate(*, category: SelectionCategory, nominee: str, story: str, acting_user,
             area: AreaNode | None = None, household: Household | None = None,
             photos=()) -> Nomination:
    """推荐: a resident of the area (or its staff, whose nominations need no review) puts a
    family, a volunteer, a stairwell … forward, with its story and photos."""
    category = SelectionCategory.objects.select_related("selection").get(pk=category.pk)
    selection = _locked(category.selection)
    staff = is_organiser(acting_user, selection.area_path)
    if not staff and not lives_in(acting_user, selection.area_path):
        raise PermissionDenied(_("只有本区域居民可以推荐"))
    if selection.stage != Stage.NOMINATING or timezone.now() >= selection.nominations_close:
        raise ValidationError(_("该评选不在推荐报名阶段"))
    nominee = required_text(nominee, "nominee", _("请填写推荐对象"), 50)
    story = required_text(story, "story", _("请写下推荐理由和事迹"), 2000)
    # 自荐 is putting forward one's own household, whatever the form said.
    own = getattr(getattr(acting_user, "resident", None), "household_id", None)
    self_nomination = household is not None and own == household.pk
    place = _nominee_place(category, area, household)
    # One entry a nominee: whoever put them forward first (a refusal may be put right).
    if category.nominations.filter(nominee=nominee).exclude(status=NS.REFUSED).exists():
        raise ValidationError({"nominee": _("“%(name)s”已被推荐过") % {"name": nominee}})
    if not staff:
        # Refused nominations do not use up a resident's chances.
        mine = Nomination.objects.filter(category=category, nominated_by=acting_user).exclude(
            status=NS.REFUSED)
        if mine.count() >= NOMINATIONS_PER_PERSON:
            raise ValidationError(_("每个类别每人最多推荐 %(n)d 个")
                                  % {"n": NOMINATIONS_PER_PERSON})
    checked = checked_photos.check_photos(photos)
    source = (NominationSource.STAFF if staff else
              NominationSource.SELF if self_nomination else NominationSource.RESIDENT)
    now = timezone.now()
    nomination = Nomination.objects.create(
        category=category, area=place, area_path=place.path, household=household,
        nominee=nominee, story=story, source=source, nominated_by=actor(acting_user),
        status=NS.PASSED if staff else NS.PENDING,
        reviewed_by=actor(acting_user) if staff else None, reviewed_at=now if staff else None)
    for photo in {p.sha256: p for p in checked}.values():  # the same picture twice: once
        row = NominationPhoto(nomination=nomination, content_type=photo.content_type,
                              size=photo.size, sha256=photo.sha256)
        row.image.save(f"{photo.sha256[:16]}.{photo.extension}", ContentFile(photo.data))
    audit.record(actor=acting_user, action="campaigns.nominate", obj=nomination,
                 after=audit.snapshot(nomination, NOMINATION_FIELDS) | {"photos": len(checked)})
    return nomination


@transaction.atomic
def review_nomination(*, nomination: Nomination, passed: bool, acting_user,
                      reason: str = "") -> Nomination:
    """审核: pass a nomination onto the ballot, or refuse it with the reason (told to the
    nominator). Reviews may go on while the vote is open."""
    nomination = Nomination.objects.select_for_update().select_related(
        "category__selection").get(pk=nomination.pk)
    selection = nomination.category.selection
    require_organiser(acting_user, selection.area_path)
    if selection.stage not in (Stage.NOMINATING, Stage.VOTING):
        raise ValidationError(_("评选已结束投票，不能再审核推荐"))
    if nomination.status != NS.PENDING:
        raise ValidationError(_("该推荐已审核"))
    before = audit.snapshot(nomination, NOMINATION_FIELDS)
    if passed:
        nomination.status, nomination.refusal_reason = NS.PASSED, ""
    else:
        nomination.status = NS.REFUSED
        nomination.refusal_reason = required_text(reason, "reason", _("请说明未通过的原因"), 200)
    nomination.reviewed_by, nomination.reviewed_at = actor(acting_user), timezone.now()
    nomination.save()
    audit.record(actor=acting_user, action="campaigns.review_nomination", obj=nomination,
                 before=before, after=audit.snapshot(nomination, NOMINATION_FIELDS))
    if nomination.nominated_by_id:
        title = (_("您的推荐已通过审核：%(name)s") if passed
                 else _("您的推荐未通过审核：%(name)s")) % {"name": nomination.nominee}
        notify([nomination.nominated_by], kind="campaigns.reviewed", title=title,
               body=nomination.refusal_reason, url=f"/campaigns/{selection.pk}/")
    return nomination


@transaction.atomic
def open_voting(*, selection: Selection, acting_user) -> Selection:
    """推荐报名 → 群众投票, once every nomination is reviewed and something passed."""
    selection = _locked(selection)
    require_organiser(acting_user, selection.area_path)
    if selection.stage != Stage.NOMINATING:
        raise ValidationError(_("只有推荐报名阶段的评选可以开始投票"))
    if timezone.now() >= selection.voting_closes:
        raise ValidationError(_("投票截止时间已过，请先修改时间"))
    nominations = Nomination.objects.filter(category__selection=selection)
    pending = nominations.filter(status=NS.PENDING).count()
    if pending:
        raise ValidationError(_("还有 %(n)d 条推荐待审核") % {"n": pending})
    if not nominations.filter(status=NS.PASSED).exists():
        raise ValidationError(_("还没有通过审核的推荐"))
    _record(selection, acting_user, "open_voting", _move(selection, Stage.VOTING))
    return selection


def cast_vote(*, nomination: Nomination, acting_user) -> Vote:
    """投票: a resident of the area votes for a nominee that passed review, once a nominee
    and at most the selection's limit per category — also when two votes arrive at once
    (the database keeps one of two votes that take the same slot)."""
    try:
        with transaction.atomic():
            return _cast(nomination, acting_user)
    except IntegrityError:
        raise ValidationError(_("您已投过这一票，或本类票数已用完")) from None


def _cast(nomination: Nomination, acting_user) -> Vote:
    nomination = Nomination.objects.select_related("category__selection").get(pk=nomination.pk)
    category, selection = nomination.category, nomination.category.selection
    if not lives_in(acting_user, selection.area_path):
        raise PermissionDenied(_("只有本区域居民可以投票"))
    if selection.stage != Stage.VOTING or timezone.now() >= selection.voting_closes:
        raise ValidationError(_("投票已截止或尚未开始"))
    if nomination.status != NS.PASSED:
        raise ValidationError(_("该推荐不在投票名单上"))
    mine = Vote.objects.filter(category=category, voter=acting_user)
    if mine.filter(nomination=nomination).exists():
        raise ValidationError(_("您已为“%(name)s”投过票") % {"name": nomination.nominee})
    taken = set(mine.values_list("slot", flat=True))
    free = [s for s in range(1, selection.votes_per_category + 1) if s not in taken]
    if not free:
        raise ValidationError(_("“%(category)s”每人最多投 %(n)d 票，您的票已用完")
                              % {"category": category.name, "n": selection.votes_per_category})
    vote = Vote.objects.create(category=category, nomination=nomination, voter=acting_user,
                               slot=free[0])
    audit.record(actor=acting_user, action="campaigns.cast_vote", obj=nomination,
                 after={"category": category.pk, "slot": vote.slot})
    return vote


@transaction.atomic
def close_voting(*, selection: Selection, acting_user) -> Selection:
    """群众投票 → 审定名单, after the voting closes: the votes are final."""
    selection = _locked(selection)
    require_organiser(acting_user, selection.area_path)
    if selection.stage != Stage.VOTING:
        raise ValidationError(_("该评选不在投票阶段"))
    if timezone.now() < selection.voting_closes:
        raise ValidationError(_("投票截止时间未到"))
    votes = Vote.objects.filter(category__selection=selection).count()
    _record(selection, acting_user, "close_voting", _move(selection, Stage.REVIEWING),
            votes=votes)
    return selection


@transaction.atomic
def confirm_winners(*, selection: Selection, winners: dict[int, list[int]], acting_user,
                    note: str = "") -> Selection:
    """审定: the final list, category by category (category id → nomination ids). The top
    places by votes need no reason; any other choice (a tie broken, a nominee found not to
    qualify) needs the note that says why, which the audit log keeps."""
    selection = _locked(selection)
    require_organiser(acting_user, selection.area_path)
    if selection.stage != Stage.REVIEWING:
        raise ValidationError(_("只有投票结束后才能审定名单"))
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("说明不能超过 %(n)d 个字") % {"n": 500}})
    categories = list(selection.categories.all())
    chosen = {_whole(k): [_whole(pk) for pk in v] for k, v in (winners or {}).items()}
    if not set(chosen) <= {c.pk for c in categories}:
        raise ValidationError(_("名单中有不属于本次评选的类别"))
    chosen_all: dict[str, list[int]] = {}
    departs = False
    for category in categories:
        ranked = list(standings(category))
        ids = chosen.get(category.pk, [])
        on_ballot = {n.pk for n in ranked}
        if len(set(ids)) != len(ids) or not set(ids) <= on_ballot:
            raise ValidationError(_("“%(category)s”的名单须从投票名单中选出")
                                  % {"category": category.name})
        if len(ids) > category.places:
            raise ValidationError(_("“%(category)s”最多评出 %(n)d 个")
                                  % {"category": category.name, "n": category.places})
        top = {n.pk for n in ranked[:category.places]}
        departs = departs or set(ids) != top
        for n in ranked:
            n.status = NS.WINNER if n.pk in ids else NS.NOT_CHOSEN
        Nomination.objects.bulk_update(ranked, ["status"])
        chosen_all[category.name] = ids
    if departs and not note:
        raise ValidationError({"note": _("名单与得票排名不一致，请说明理由")})
    # The selection itself does not change here: the event holds the list and the reason.
    _record(selection, acting_user, "confirm_winners", None, winners=chosen_all, note=note)
    return selection


@transaction.atomic
def announce_winners(*, selection: Selection, acting_user, period_days: int = 7) -> Selection:
    """结果公布: the winners published as a notice of the area (open to objections for its
    period); the nominators are told."""
    selection = _locked(selection)
    require_organiser(acting_user, selection.area_path)
    if selection.stage != Stage.REVIEWING:
        raise ValidationError(_("请先审定名单"))
    won = (Nomination.objects.filter(category__selection=selection, status=NS.WINNER)
           .select_related("category", "area__parent", "nominated_by")
           .order_by("category__order", "category_id", "id"))
    if not won:
        confirmed = Nomination.objects.filter(category__selection=selection,
                                              status=NS.NOT_CHOSEN).exists()
        raise ValidationError(_("名单中没有当选者") if confirmed else _("请先审定名单"))
    lines = [_("经居民推荐、社区审核和群众投票，%(title)s结果如下：")
             % {"title": selection.title}]
    for category in selection.categories.all():
        names = [f"{n.nominee}（{n.place}）" for n in won if n.category_id == category.pk]
        if names:
            lines.append(f"{category.name}：" + "、".join(names))
    lines.append(_("公示期内如有异议，请向社区反映。"))
    notice = notices.draft_notice(
        title=_("%(title)s结果公示") % {"title": selection.title}, body="\n".join(lines),
        area=selection.area, kind=NoticeKind.ANNOUNCEMENT, period_days=period_days,
        subject=f"campaigns.selection:{selection.pk}", acting_user=acting_user)
    notices.publish_notice(notice=notice, acting_user=acting_user)
    before = audit.snapshot(selection, FIELDS)
    selection.stage, selection.notice = Stage.ANNOUNCED, notice
    selection.announced_at = timezone.now()
    selection.save(update_fields=["stage", "notice", "announced_at"])
    _record(selection, acting_user, "announce_winners", before, winners=len(won))
    for n in won:
        if n.nominated_by_id:
            notify([n.nominated_by], kind="campaigns.announced",
                   title=_("您推荐的“%(name)s”当选%(category)s")
                   % {"name": n.nominee, "category": n.category.name},
                   url=f"/notices/{notice.pk}/")
    return selection
