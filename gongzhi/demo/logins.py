"""Who logs in to the demo: one account per role, scoped to the right node of the tree."""

import random
from dataclasses import dataclass, field

from gongzhi.accounts.models import OrgKind
from gongzhi.areas.models import AreaNode
from gongzhi.core.permissions import Role
from gongzhi.demo import names
from gongzhi.demo.street import COMMUNITIES, SEED, DemoTree

DEMO_PASSWORD = "gongzhi2026"
PHONE_PREFIX = "1390746"  # 0746 is Yongzhou's area code; every demo login is 1390746xxxx
ORG_PREFIX = "YZ-LST-ORG"


@dataclass
class OrgPlan:
    kind: str
    code: str
    name: str
    areas: list[AreaNode]
    title: str


@dataclass
class UserPlan:
    username: str
    role: str | None  # the role granted on ``area``; None for an organisation member
    area: AreaNode | None = None
    superuser: bool = False
    home: AreaNode | None = None  # a building: the user is the n-th household head there
    home_rank: int = 0
    org: OrgPlan | None = None
    full_name: str = ""
    phone: str = field(default="")


def usernames() -> list[str]:
    """Every demo login, in the order of the printed table (derived from the spec alone)."""
    out = ["admin", "district", "street"]
    out += [f"staff_{spec.code.lower()}" for spec in COMMUNITIES]
    for spec in COMMUNITIES:
        if spec.small_grids:
            out += [f"grid_{spec.code.lower()}_{g}_{s}"
                    for g, count in enumerate(spec.small_grids, start=1)
                    for s in range(1, count + 1)]
        else:
            out += [f"grid_{spec.code.lower()}_{g}" for g in range(1, spec.large_grids + 1)]
    out += [f"head_{n}" for n in range(1, 5)]
    out += ["resident", "dept_cg", "property_rail", "property_river", "owners_bj", "cobuild",
            "social", "volunteer", "shop", "contractor"]
    return out


def plan_users(tree: DemoTree) -> list[UserPlan]:
    plans = [
        UserPlan("admin", Role.ADMIN, tree.city, superuser=True),
        UserPlan("district", Role.DISTRICT_STAFF, tree.district),
        UserPlan("street", Role.STREET_STAFF, tree.street),
    ]
    plans += [UserPlan(f"staff_{key.lower()}", Role.COMMUNITY_STAFF, node)
              for key, node in tree.communities.items()]
    for key in tree.communities:
        # Grid workers patrol the smallest grids the community has.
        grids = tree.small_grids[key] or tree.large_grids[key]
        for grid in grids:
            suffix = grid.code.removeprefix(tree.communities[key].code + "-G").replace("-", "_")
            plans.append(UserPlan(f"grid_{key.lower()}_{suffix}", Role.GRID_WORKER, grid))
    hlj, tlxc, bj = (tree.compounds[key] for key in ("HLJ", "TLXC", "BJ"))
    first_building: dict[int, AreaNode] = {}
    for plan in tree.buildings:
        first_building.setdefault(id(plan.node.parent), plan.node)
    head_buildings = [first_building[id(c)] for c in (hlj[0], hlj[1], tlxc[0], bj[0])]
    plans += [UserPlan(f"head_{n}", Role.BUILDING_HEAD, building, home=building)
              for n, building in enumerate(head_buildings, start=1)]
    home = head_buildings[0]
    plans.append(UserPlan("resident", Role.RESIDENT, home, home=home, home_rank=1))
    new_bj = [c for c in bj if c.built_year >= 2000] or bj
    orgs = [
        ("dept_cg", OrgKind.DEPARTMENT, "CGJ", "冷水滩区城市管理和综合执法局", [tree.district],
         "执法队员"),
        ("property_rail", OrgKind.PROPERTY, "WY-TL", "永州铁路物业服务有限公司", hlj[:4],
         "项目经理"),
        ("property_river", OrgKind.PROPERTY, "WY-XJ", "湘江物业服务有限公司", new_bj[:3],
         "客服主管"),
        ("owners_bj", OrgKind.OWNERS_COMMITTEE, "YWH-BJ", f"{new_bj[0].name}业主委员会",
         [new_bj[0]], "主任"),
        ("cobuild", OrgKind.CO_BUILDING, "GJ-CWD", "永州车务段", [tree.communities["HLJ"]],
         "联络员"),
        ("social", OrgKind.SOCIAL, "SG-LL", "冷水滩区乐龄社会工作服务中心", [tree.street],
         "社工"),
        ("volunteer", OrgKind.VOLUNTEER_TEAM, "ZY-HLJ", "活龙井志愿服务队",
         [tree.communities["HLJ"]], "队长"),
        # A shop that takes neighbour coupons (友邻券) bought with volunteers' points.
        ("shop", OrgKind.MERCHANT, "SH-HLJ", "活龙井便民超市", [tree.communities["HLJ"]],
         "店长"),
        # The builder of the street's old-compound renovation (老旧小区改造) works.
        ("contractor", OrgKind.CONTRACTOR, "SG-XJ", "永州湘建建设工程有限公司", [tree.street],
         "项目经理"),
    ]
    plans += [UserPlan(username, None, org=OrgPlan(kind, f"{ORG_PREFIX}-{code}", name, areas,
                                                   title))
              for username, kind, code, name, areas, title in orgs]
    rng = random.Random(f"{SEED}-staff")
    for number, plan in enumerate(plans, start=1):
        plan.phone = f"{PHONE_PREFIX}{number:04d}"
        sex = rng.choice("mf")
        plan.full_name = names.person_name(rng, sex, rng.randint(1970, 1998))
    return plans
