"""门前三包: register the street-front shops, sign their responsibility contracts (门前三包
责任书), inspect them on the phone, hand repeated failures to the case ledger and publish the
month's 红黑榜.

A *problem* (问题) is an inspection that found a duty not kept; it needs a note and a photo,
is told to the shop's members, and stays open until a re-inspection (复查) of it passes. A
re-inspection that fails again is itself recorded with its failures (they count in the
month's score) while the problem stays open. The score and the lists are
``selectors_shops.month_scores`` — the same code for the live page and the board.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.campaigns.actions._common import actor, require_organiser
from gongzhi.campaigns.models import (
    Inspection,
    InspectionPhoto,
    InspectionResult,
    Listing,
    Shop,
    ShopBoard,
    ShopBoardEntry,
    ShopContract,
)
from gongzhi.campaigns.selectors_shops import (
    BLACK_BELOW,
    CASE_AFTER,
    CASE_WINDOW_DAYS,
    RED_FROM,
    case_candidates,
    month_bounds,
    month_scores,
)
from gongzhi.cases import photos as checked_photos
from gongzhi.cases.actions import submit_case
from gongzhi.cases.actions._common import PHONE_RE
from gongzhi.cases.models import Source
from gongzhi.core import audit
from gongzhi.core.checks import required_text
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, can
from gongzhi.core.tree import ancestor_paths
from gongzhi.notices import actions as notices
from gongzhi.notices.models import NoticeKind

__all__ = ["inspect_shop", "open_shop_case", "publish_shop_board",
           "register_shop", "sign_shop_contract"]

SHOP_FIELDS = ["organisation", "area", "address", "business", "responsible_person",
               "responsible_phone"]
CONTRACT_FIELDS = ["shop", "starts_on", "ends_on", "signed_on", "signed_by_shop"]
INSPECTION_FIELDS = ["shop", "inspected_at", "result", "sanitation_ok", "greenery_ok",
                     "order_ok", "note", "reinspection_of", "rectified_at", "case"]
BOARD_FIELDS = ["area", "month", "notice", "published_at"]
MAX_CONTRACT_YEARS = 5
BOARD_KINDS = (AreaKind.COMMUNITY, AreaKind.STREET)
# The clocks of a phone and the server differ a little; more than this ahead is a mistake.
CLOCK_SLACK = timedelta(minutes=10)

DEFAULT_TERMS = "\n".join([
    "为营造整洁、优美、有序的街面环境，根据城市市容和环境卫生管理有关规定，"
    "商户对门前责任区承担以下三项责任：",
    "一、包市容环境卫生：门前责任区内无垃圾、污水、油渍、积雪和乱张贴，"
    "垃圾分类投放、定时清运；不在门前摆摊设点、店外经营。",
    "二、包绿化：爱护门前树木、绿地和花坛，不践踏、不攀折、不堆放杂物，"
    "不在树木上悬挂物品、拴绳晾晒。",
    "三、包秩序：门前车辆、非机动车有序停放，不占道经营、不乱搭乱建、不乱堆乱放，"
    "店招店牌规范安全，发现违法违规行为及时劝阻并报告社区。",
    "社区网格员定期检查，发现问题拍照告知商户限期整改并复查；每月按检查情况评分，"
    "评出红黑榜并公示；多次检查不合格的，转为诉求件交有关部门处理。",
])


def _require_inspector(acting_user, area_path: str) -> None:
    if acting_user is not None and not can(acting_user, Perm.INSPECT, area_path):
        raise PermissionDenied(_("您无权检查该区域的商户"))


def _phone(value, field: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写联系电话")})
    if value and not PHONE_RE.match(value):
        raise ValidationError({field: _("联系电话格式不正确")})
    return value


def _shop_place(area) -> AreaNode:
    """A grid, or a place below a community (the shop's frontage is somebody's patrol)."""
    if not isinstance(area, AreaNode):
        raise ValidationError({"area": _("请选择商户所在网格")})
    communities = AreaNode.objects.filter(path__in=ancestor_paths(area.path)[:-1],
                                          kind=AreaKind.COMMUNITY)
    if not communities.exists():
        raise ValidationError({"area": _("商户须登记在社区的网格内")})
    return area


def _new_code(area: AreaNode) -> str:
    prefix = f"SH-{area.code}"[:56]
    taken = set(Organisation.objects.filter(code__startswith=prefix + "-")
                .values_list("code", flat=True))
    number = len(taken) + 1
    while f"{prefix}-{number:03d}" in taken:
        number += 1
    return f"{prefix}-{number:03d}"


@transaction.atomic
def register_shop(*, name: str, area: AreaNode, address: str, responsible_person: str,
                  responsible_phone: str, acting_user, business: str = "", phone: str = "",
                  shop: Shop | None = None) -> Shop:
    """登记沿街商户 (or correct one given as ``shop``): the merchant organisation (商户),
    serving its grid, and where it is and who answers for it."""
    area = _shop_place(area)
    require_organiser(acting_user, area)
    name = required_text(name, "name", _("请填写商户名称"), 100)
    address = required_text(address, "address", _("请填写门牌地址"), 120)
    person = required_text(responsible_person, "responsible_person", _("请填写责任人"), 30)
    responsible_phone = _phone(responsible_phone, "responsible_phone", True)
    phone = _phone(phone, "phone", False)
    business = (business or "").strip()
    if len(business) > 30:
        raise ValidationError({"business": _("不能超过 %(n)d 个字") % {"n": 30}})
    before = None
    if shop is None:
        org = Organisation.objects.create(kind=OrgKind.MERCHANT, code=_new_code(area),
                                          name=name, phone=phone)
        shop = Shop(organisation=org)
    else:
        shop = Shop.objects.select_for_update().select_related("organisation").get(pk=shop.pk)
        require_organiser(acting_user, shop.area_path)
        before = audit.snapshot(shop, SHOP_FIELDS) | {"shop_name": shop.organisation.name,
                                                      "shop_phone": shop.organisation.phone}
        org = shop.organisation
        org.name, org.phone = name, phone
        org.save(update_fields=["name", "phone"])
    org.areas.set([area])
    shop.area, shop.area_path, shop.address = area, area.path, address
    shop.business, shop.responsible_person = business, person
    shop.responsible_phone = responsible_phone
    shop.save()
    # Contracts and inspections are where the shop is.
    ShopContract.objects.filter(shop=shop).update(area_path=area.path)
    Inspection.objects.filter(shop=shop).update(area_path=area.path)
    audit.record(actor=acting_user, action="campaigns.register_shop", obj=shop, before=before,
                 after=audit.snapshot(shop, SHOP_FIELDS) | {"shop_name": name,
                                                                  "shop_phone": phone})
    return shop


def _a_date(value, field: str, message: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError({field: message})
    return value


@transaction.atomic
def sign_shop_contract(*, shop: Shop, starts_on: date, ends_on: date, signed_on: date,
                       signed_by_shop: str, acting_user,
                       terms: str = DEFAULT_TERMS) -> ShopContract:
    """签订门前三包责任书 for a period that overlaps none of the shop's other contracts."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    require_organiser(acting_user, shop.area_path)
    starts_on = _a_date(starts_on, "starts_on", _("请填写责任期开始日期"))
    ends_on = _a_date(ends_on, "ends_on", _("请填写责任期结束日期"))
    signed_on = _a_date(signed_on, "signed_on", _("请填写签订日期"))
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("责任期结束日期须晚于开始日期")})
    if ends_on > starts_on.replace(year=starts_on.year + MAX_CONTRACT_YEARS, day=1):
        raise ValidationError({"ends_on": _("责任期最长 %(n)d 年") % {"n": MAX_CONTRACT_YEARS}})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天")})
    terms = required_text(terms, "terms", _("请填写责任内容"), 5000)
    signer = required_text(signed_by_shop, "signed_by_shop", _("请填写商户签字人"), 30)
    clash = shop.contracts.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if clash is not None:
        raise ValidationError({"starts_on": _("与已签订的责任书（%(start)s 至 %(end)s）期限重叠")
                               % {"start": clash.starts_on, "end": clash.ends_on}})
    contract = ShopContract.objects.create(
        shop=shop, area_path=shop.area_path, terms=terms, starts_on=starts_on,
        ends_on=ends_on, signed_on=signed_on, signed_by_shop=signer,
        signed_for=actor(acting_user))
    audit.record(actor=acting_user, action="campaigns.sign_shop_contract", obj=contract,
                 after=audit.snapshot(contract, CONTRACT_FIELDS))
    return contract


def _when(inspected_at) -> datetime:
    now = timezone.now()
    if inspected_at is None:
        return now
    if not isinstance(inspected_at, datetime):
        raise ValidationError({"inspected_at": _("请填写检查时间")})
    if timezone.is_naive(inspected_at):
        inspected_at = timezone.make_aware(inspected_at)
    if inspected_at > now + CLOCK_SLACK:
        raise ValidationError({"inspected_at": _("检查时间不能晚于现在")})
    return inspected_at


def _original(shop: Shop, reinspection_of, when: datetime) -> Inspection | None:
    """The open problem a re-inspection looks at again (of the same shop, found earlier)."""
    if reinspection_of is None:
        return None
    problem = (Inspection.objects.select_for_update()
               .filter(pk=getattr(reinspection_of, "pk", reinspection_of), shop=shop,
                       result=InspectionResult.PROBLEM, reinspection_of=None).first())
    if problem is None:
        raise ValidationError({"reinspection_of": _("复查须针对本商户的检查问题")})
    if problem.rectified_at is not None:
        raise ValidationError({"reinspection_of": _("该问题已整改，无需复查")})
    if when <= problem.inspected_at:
        raise ValidationError({"inspected_at": _("复查时间须晚于发现问题的时间")})
    return problem


@transaction.atomic
def inspect_shop(*, shop: Shop, sanitation_ok: bool, greenery_ok: bool, order_ok: bool,
                 acting_user, note: str = "", photos=(), reinspection_of=None,
                 inspected_at: datetime | None = None) -> Inspection:
    """门前三包检查: each duty kept or not. A failure is a problem, with what was seen and at
    least one photo, told to the shop's members; a re-inspection that passes closes the
    problem it looks at (its ``rectified_at``)."""
    shop = Shop.objects.select_related("organisation").get(pk=shop.pk)
    _require_inspector(acting_user, shop.area_path)
    when = _when(inspected_at)
    problem = _original(shop, reinspection_of, when)
    oks = [bool(sanitation_ok), bool(greenery_ok), bool(order_ok)]
    failed = not all(oks)
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("不能超过 %(n)d 个字") % {"n": 300}})
    if failed and not note:
        raise ValidationError({"note": _("请写明发现的问题")})
    checked = checked_photos.check_photos(photos)
    if failed and not checked:
        raise ValidationError({"photos": _("发现问题须拍照留证（至少一张照片）")})
    inspection = Inspection.objects.create(
        shop=shop, area_path=shop.area_path, inspected_by=actor(acting_user), inspected_at=when,
        result=InspectionResult.PROBLEM if failed else InspectionResult.PASS,
        sanitation_ok=oks[0], greenery_ok=oks[1], order_ok=oks[2], note=note,
        reinspection_of=problem)
    for photo in {p.sha256: p for p in checked}.values():
        row = InspectionPhoto(inspection=inspection, content_type=photo.content_type,
                              size=photo.size, sha256=photo.sha256)
        row.image.save(f"{photo.sha256[:16]}.{photo.extension}", ContentFile(photo.data))
    if problem is not None and not failed:
        problem.rectified_at = when
        problem.save(update_fields=["rectified_at"])
    audit.record(actor=acting_user, action="campaigns.inspect_shop", obj=inspection,
                 after=audit.snapshot(inspection, INSPECTION_FIELDS) | {"photos": len(checked)})
    members = shop.organisation.members.filter(is_active=True)
    if failed:
        notify(members, kind="campaigns.shop_problem",
               title=_("门前三包检查发现问题：%(duties)s")
               % {"duties": "、".join(map(str, inspection.failed_duties))},
               body=note, url="/campaigns/shops/mine/")
    elif problem is not None:
        notify(members, kind="campaigns.shop_rectified",
               title=_("门前三包问题已整改，复查合格"), url="/campaigns/shops/mine/")
    return inspection


def _case_text(shop: Shop, rows: list[Inspection]) -> tuple[str, str]:
    title = _("%(shop)s门前三包多次检查不合格") % {"shop": shop.organisation.name}
    lines = [_("%(shop)s（%(address)s，责任人%(person)s）%(days)d 天内 %(n)d 次检查不合格：")
             % {"shop": shop.organisation.name, "address": shop.address,
                "person": shop.responsible_person, "days": CASE_WINDOW_DAYS, "n": len(rows)}]
    for row in rows:
        when = timezone.localtime(row.inspected_at).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{when}：{'、'.join(map(str, row.failed_duties))}。{row.note}")
    return title[:100], "\n".join(lines)


@transaction.atomic
def open_shop_case(*, shop: Shop, acting_user):
    """转诉求件: a shop with at least three problems in the last 30 days not handed over yet
    becomes a case in the ledger (网格巡查), linked on those inspections."""
    shop = Shop.objects.select_for_update().select_related("organisation", "area").get(
        pk=shop.pk)
    require_organiser(acting_user, shop.area_path)
    rows = list(case_candidates(shop).select_for_update().order_by("inspected_at", "id"))
    if len(rows) < CASE_AFTER:
        raise ValidationError(_("近 %(days)d 天内未转办的问题不足 %(n)d 次，不能转为诉求件")
                              % {"days": CASE_WINDOW_DAYS, "n": CASE_AFTER})
    title, description = _case_text(shop, rows)
    case = submit_case(title=title, description=description, area=shop.area,
                       source=Source.PATROL, address=shop.address, acting_user=acting_user)
    Inspection.objects.filter(pk__in=[r.pk for r in rows]).update(case=case)
    audit.record(actor=acting_user, action="campaigns.open_shop_case", obj=shop,
                 after={"case": case.pk, "failures": [r.pk for r in rows]})
    return case


def _board_text(area: AreaNode, month: date, scores) -> tuple[str, str]:
    label = _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}
    red = [s for s in scores if s.listing == Listing.RED]
    black = [s for s in scores if s.listing == Listing.BLACK]
    lines = [_("%(when)s%(area)s门前三包检查共 %(shops)d 户商户，评分办法：每户基础分 100 分，"
               "当月每次检查每项未达标扣 10 分（含复查），月底前未整改的问题每个再扣 10 分，"
               "最低 0 分；%(red)d 分及以上列入红榜，低于 %(black)d 分列入黑榜。")
             % {"when": label, "area": area.name, "shops": len(scores), "red": RED_FROM,
                "black": BLACK_BELOW}, "", _("红榜：")]
    lines += [f"{s.shop.organisation.name}（{s.shop.address}）{s.score}" for s in red] or [
        _("（无）")]
    lines += ["", _("黑榜：")]
    lines += [f"{s.shop.organisation.name}（{s.shop.address}）{s.score}" for s in black] or [
        _("（无）")]
    lines += ["", _("请黑榜商户对照门前三包责任书及时整改。公示期内如有异议，请向社区反映。")]
    title = _("%(area)s%(when)s门前三包红黑榜") % {"area": area.name, "when": label}
    return title[:100], "\n".join(lines)


@transaction.atomic
def publish_shop_board(*, area: AreaNode, month: date, acting_user) -> ShopBoard:
    """发布红黑榜 of a community (or street) for a month that has ended, once: every shop
    inspected that month with its score, published as a notice of the area."""
    if not isinstance(area, AreaNode) or area.kind not in BOARD_KINDS:
        raise ValidationError({"area": _("红黑榜按社区或街道发布")})
    require_organiser(acting_user, area)
    if not isinstance(month, date):
        raise ValidationError({"month": _("请选择月份")})
    month = date(month.year, month.month, 1)
    if month_bounds(month)[1] > timezone.now():
        raise ValidationError({"month": _("只能发布已结束月份的红黑榜")})
    if ShopBoard.objects.filter(area=area, month=month).exists():
        raise ValidationError({"month": _("该月的红黑榜已发布")})
    scores = month_scores(area, month)
    if not scores:
        raise ValidationError({"month": _("该月没有检查记录")})
    title, body = _board_text(area, month, scores)
    try:
        with transaction.atomic():
            board = ShopBoard.objects.create(area=area, area_path=area.path, month=month,
                                             published_by=actor(acting_user),
                                             published_at=timezone.now())
    except IntegrityError:
        raise ValidationError({"month": _("该月的红黑榜已发布")}) from None
    ShopBoardEntry.objects.bulk_create(
        ShopBoardEntry(board=board, shop=s.shop, score=s.score, inspections=s.inspections,
                       problems=s.problems, listing=s.listing) for s in scores)
    notice = notices.draft_notice(title=title, body=body, area=area,
                                  kind=NoticeKind.ANNOUNCEMENT, period_days=7,
                                  subject=f"campaigns.shop_board:{board.pk}",
                                  acting_user=acting_user)
    board.notice = notices.publish_notice(notice=notice, acting_user=acting_user)
    board.save(update_fields=["notice"])
    audit.record(actor=acting_user, action="campaigns.publish_shop_board", obj=board,
                 after=audit.snapshot(board, BOARD_FIELDS) | {
                     "red_shops": sum(s.listing == Listing.RED for s in scores),
                     "black_shops": sum(s.listing == Listing.BLACK for s in scores),
                     "scored_shops": len(scores)})
    return board
