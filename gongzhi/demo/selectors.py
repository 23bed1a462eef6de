"""The demo's login table, read from the database (so it is right on every run)."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, OrgKind, RoleGrant, User
from gongzhi.areas.models import AreaNode
from gongzhi.core.permissions import Role
from gongzhi.demo.logins import DEMO_PASSWORD, usernames
from gongzhi.renewal.models import MemberRole, ProjectMember

_COMMUNITY_DEPTH = 4  # city 1, district 2, street 3, community 4


@dataclass(frozen=True)
class LoginRow:
    role: str
    username: str
    phone: str
    password: str
    sees: str


def _place(area: AreaNode) -> str:
    """'活龙井社区 › 第一大网格 › 第1-1小网格', '活龙井社区 › 铁路二村 › 1栋'; above: the name."""
    if area.depth <= _COMMUNITY_DEPTH:
        return area.name
    return " › ".join(
        a.name for a in area.ancestors()
        if a.depth >= _COMMUNITY_DEPTH and (not a.is_grid or area.is_grid)
    )


def _sees_grant(grant: RoleGrant) -> str:
    place = {"area": _place(grant.area)}
    texts = {
        Role.ADMIN: _("全部数据；管理后台 /admin/（分类、时限、派单规则、节假日）"),
        Role.DISTRICT_STAFF: _("%(area)s全区：问题台账（受理街道上报件）、挂图作战、指标、住户、"
                               "审计日志（居民电话和身份证号隐藏）"),
        Role.STREET_STAFF: _("%(area)s全街道：问题台账（受理社区上报件）、挂图作战、指标、住户、"
                             "审计日志（居民电话和身份证号隐藏）；老旧小区改造的年度批次、"
                             "改造方案审批和项目总览（/renewal/manage/）；各社区的最美评选，"
                             "街道最美商户评选（/campaigns/manage/）"),
        Role.COMMUNITY_STAFF: _("%(area)s：受理、派单、合并和导出问题台账，住户和居民"
                                "（含联系方式），可导入住户；议事协商、公示、志愿服务派单和活动；"
                                "老旧小区改造的小区档案、项目、需求调查、资金和验收"
                                "（/renewal/manage/）；最美评选的审核、投票和结果公布"
                                "（/campaigns/manage/）"),
        Role.GRID_WORKER: _("%(area)s：本网格诉求（按时限排序）、巡查登记，本网格住户和居民"
                            "（含联系方式）"),
        Role.BUILDING_HEAD: _("%(area)s：本楼栋诉求和住户（含联系方式）"),
        Role.RESIDENT: _("反映问题、我的诉求和评价；自己家庭的住户信息（%(area)s）；"
                         "附议、表决、公示异议；志愿服务点单和微心愿；本小区改造的需求调查、"
                         "方案、进度和资金（/renewal/）；最美评选的推荐和投票、光荣榜"
                         "（/campaigns/）"),
    }
    return texts[grant.role] % place if grant.role in texts else place["area"]


def _sees_membership(membership: Membership) -> str:
    org = membership.organisation
    names = {"org": org.name, "kind": org.get_kind_display(),
             "areas": "、".join(_place(a) for a in org.areas.all())}
    if org.kind == OrgKind.CONTRACTOR:
        return _("%(org)s（%(kind)s）：所承建改造内容的开工、施工进度和完工登记（/renewal/）；"
                 "派给本单位的诉求；服务区域 %(areas)s") % names
    if org.kind == OrgKind.MERCHANT:
        return _("%(org)s（%(kind)s）：核销居民用积分兑换的友邻券（/volunteering/shop/）；"
                 "服务区域 %(areas)s") % names
    text = _("%(org)s（%(kind)s）：派给本单位的诉求（开始办理、转办、延期、办结）；"
             "服务区域 %(areas)s") % names
    if org.kind == OrgKind.VOLUNTEER_TEAM:
        text += _("；志愿服务接单、活动、值守、时长与积分（/volunteering/）")
    return text


def _sees_renewal(member: ProjectMember) -> str:
    names = {"project": member.project.name}
    if member.role == MemberRole.SUPERVISOR:
        return _("%(project)s居民监督员：现场巡查登记，发现问题即转为诉求件（/renewal/）") % names
    return _("%(project)s居民代表：逐项验收签字（/renewal/）") % names


def demo_logins() -> list[LoginRow]:
    """One row per demo login that exists, in the order of the plan."""
    users = User.objects.filter(username__in=usernames()).prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.select_related("area")),
        Prefetch("membership_set",
                 queryset=Membership.objects.select_related("organisation")
                 .prefetch_related("organisation__areas")),
        Prefetch("renewal_roles", queryset=ProjectMember.objects.filter(
            left_at__isnull=True).select_related("project").order_by("project_id", "role")),
    )
    by_name = {user.username: user for user in users}
    rows = []
    for username in usernames():
        user = by_name.get(username)
        if user is None:
            continue
        grants = list(user.role_grants.all())
        memberships = list(user.membership_set.all())
        if grants:
            role = Role(grants[0].role).label
        elif memberships:
            role = f"{Role.ORG_MEMBER.label}·{memberships[0].organisation.get_kind_display()}"
        else:
            role = "—"
        sees = [_sees_grant(g) for g in grants] + [_sees_membership(m) for m in memberships]
        sees += [_sees_renewal(m) for m in user.renewal_roles.all()]
        rows.append(LoginRow(role=str(role), username=username, phone=user.phone or "",
                             password=DEMO_PASSWORD, sees="；".join(sees)))
    return rows
