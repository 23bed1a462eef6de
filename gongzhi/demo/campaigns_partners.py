"""The demo's 网格合伙人: 活龙井社区 (the first community) recruits partners in each of its
smallest grids. In the grid served by 永州铁路物业 five partners are accepted — the demo
``resident`` and two retired residents, the owner of 活龙井便民超市 (``shop``) and a
property manager (``property_rail``) — and one more resident waits for review in the next
grid. The grid's worker has given patrols: three are done (one found a problem, filed as a
case with the partner as its reporter) and two wait, one of them the demo ``resident``'s.
All through the campaigns actions, once.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Organisation, RoleGrant, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import PartnerKind, PartnerPost
from gongzhi.core.permissions import Role
from gongzhi.core.tree import subtree_q

DUTIES = ("每周巡查网格内楼道、沿街和小区角落一次，发现乱堆乱放、设施损坏、安全隐患及时上报；"
          "协助网格员走访独居老人，宣传垃圾分类和文明公约。")
ROUTES = ["铁路一村前门至菜市场沿街", "机务段宿舍楼道和车棚", "小区东侧消防通道",
          "活龙井路沿街商铺门前", "小区垃圾分类投放点"]


def load_demo_partners(street: AreaNode, now: datetime) -> int:
    """Load once; returns the number of partners accepted (0 when posts are there)."""
    with transaction.atomic():
        if PartnerPost.objects.filter(subtree_q(street.path, "area_path")).exists():
            return 0
        community = (AreaNode.objects.filter(subtree_q(street.path), kind=AreaKind.COMMUNITY)
                     .order_by("path").first())
        if community is None:
            return 0
        return _load(community, now)


def _grids(community: AreaNode) -> list[AreaNode]:
    """The smallest grids of the community (where its grid workers patrol)."""
    within = AreaNode.objects.filter(subtree_q(community.path))
    return list(within.filter(kind=AreaKind.GRID_SMALL).order_by("path")
                or within.filter(kind=AreaKind.GRID_LARGE).order_by("path"))


def _load(community: AreaNode, now: datetime) -> int:
    users = {u.username: u for u in User.objects.filter(
        username__in=["staff_hlj", "resident", "shop", "property_rail"])}
    staff = users["staff_hlj"]
    grids = _grids(community)
    property_co = users["property_rail"].organisations.filter(kind="property").first()
    served = property_co.areas.order_by("path").first() if property_co else None
    main = next((g for g in grids if served and served.path.startswith(g.path)), grids[0])
    closes = timezone.localdate(now) + timedelta(days=30)
    posts = {}
    for grid in grids:
        posts[grid.pk] = ca.recruit_partners(
            area=grid, title=f"{grid.name}网格合伙人招募", duties=DUTIES,
            places=6 if grid == main else 3, closes_on=closes, acting_user=staff)
    post = posts[main.pk]
    retired = list(User.objects.filter(
        username__startswith="vol_", is_active=True,
        resident__household__area_path__startswith=community.path).order_by("pk")[:3])
    accepted = []
    for user, kind, org, motivation in [
        (users["resident"], PartnerKind.RESIDENT, None, "在小区住了三十年，熟悉每栋楼的情况"),
        *[(u, PartnerKind.RESIDENT, None, "退休职工，每天在小区散步，愿意多看多管")
          for u in retired[:2]],
        (users["shop"], PartnerKind.SHOP, Organisation.objects.filter(
            members=users["shop"], kind="merchant").first(), "店在路口，门前情况看得最清楚"),
        (users["property_rail"], PartnerKind.PROPERTY, property_co,
         "物业项目经理，设施报修可以直接安排"),
    ]:
        application = ca.apply_as_partner(post=post, kind=kind, organisation=org,
                                          motivation=motivation, acting_user=user)
        accepted.append(ca.decide_partner_application(application=application, accept=True,
                                                      note="欢迎加入", acting_user=staff))
    if len(retired) > 2 and len(grids) > 1:
        ca.apply_as_partner(post=posts[grids[1].pk] if grids[1] != main else posts[grids[0].pk],
                            kind=PartnerKind.RESIDENT, motivation="退休教师，想为邻里出份力",
                            acting_user=retired[2])
    worker = (User.objects.filter(role_grants__in=RoleGrant.objects.filter(
        area=main, role=Role.GRID_WORKER)).order_by("pk").first() or staff)
    today = timezone.localdate(now)
    tasks = [ca.assign_patrol(partner=partner, route=ROUTES[i], due_on=today + timedelta(days=i),
                              acting_user=worker) for i, partner in enumerate(accepted)]
    # The demo ``resident`` (first) and the property manager (last) still have theirs.
    ca.report_patrol(task=tasks[1], report="楼道整洁，车棚电动车停放有序",
                     acting_user=accepted[1].applicant)
    ca.report_patrol(task=tasks[2], report="消防通道被两辆私家车占用",
                     problem_title="小区东侧消防通道被占用",
                     problem_description="两辆私家车长期停在消防通道上，消防车无法通行。",
                     acting_user=accepted[2].applicant)
    ca.report_patrol(task=tasks[3], report="门前三包落实良好", acting_user=accepted[3].applicant)
    return len(accepted)
