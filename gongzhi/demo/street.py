"""The demo street: 永州市 › 冷水滩区 › one street with three communities.

Modelled on the seed report about 活龙井社区 (an old railway quarter split into 6 large and
17 small grids); the street's name, the other two communities and every person, number
and compound are invented.
"""

import random
from dataclasses import dataclass, field

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.demo.bulk import Rect, TreeBuilder, inset, tile
from gongzhi.demo.names import words
from gongzhi.demo.people import BuildingPlan, layout_for

SEED = 20260101
REGION = "431103"  # 冷水滩区: the first six digits of local ID numbers
CITY_CODE = "YZ"
STREET_CODE = "YZ-LST-MW"
STREET_RECT: Rect = (111.590, 26.425, 111.635, 26.440)
LARGE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class CommunitySpec:
    code: str
    name: str
    road: str
    small_grids: tuple[int, ...]  # small grids per large grid; () when large grids only
    large_grids: int
    compounds_per_grid: tuple[int, int]
    old_share: float
    old_names: list[str]
    new_names: list[str]


COMMUNITIES = (
    CommunitySpec(
        "HLJ", "活龙井社区", "活龙井路", (3, 3, 3, 3, 3, 2), 6, (1, 2), 0.85,
        words("铁路一村 铁路二村 铁路三村 机务段宿舍 车务段宿舍 工务段宿舍 电务段宿舍 车辆段宿舍 "
              "铁路医院宿舍 粮食局宿舍 纺织厂宿舍 供销社宿舍 百货公司宿舍 五金公司宿舍 物资局宿舍 "
              "运输公司宿舍 邮电局宿舍 食品公司宿舍 活龙井小区 站前小区 新建小区 和平里 "
              "铁路公寓 水塔巷小区"),
        words("活龙井花园 站前华庭 潇湘名苑 锦绣家园 阳光丽景 金水湾"),
    ),
    CommunitySpec(
        "TLXC", "铁路新村社区", "站前路", (), 4, (2, 3), 0.55,
        words("铁路新村 电厂宿舍 农机厂宿舍 建材公司宿舍 车站宿舍 机械厂宿舍 木材公司宿舍 "
              "红星小区"),
        words("新村花园 翠竹苑 金桂园 凤凰新城 和谐家园 紫荆苑"),
    ),
    CommunitySpec(
        "BJ", "滨江社区", "沿江路", (), 4, (2, 3), 0.3,
        words("航运公司宿舍 水电宿舍 沿江小区 造纸厂宿舍 港务站宿舍"),
        words("滨江花园 湘江明珠 滨江一号 江景名都 御景湾 书香门第 怡景苑 碧水蓝湾 "
              "盛世华庭"),
    ),
)


@dataclass
class DemoTree:
    """The nodes the loader hands roles to, and the buildings to fill with households."""

    builder: TreeBuilder
    city: AreaNode
    district: AreaNode
    street: AreaNode
    communities: dict[str, AreaNode] = field(default_factory=dict)
    large_grids: dict[str, list[AreaNode]] = field(default_factory=dict)
    small_grids: dict[str, list[AreaNode]] = field(default_factory=dict)
    compounds: dict[str, list[AreaNode]] = field(default_factory=dict)
    buildings: list[BuildingPlan] = field(default_factory=list)


def plan_tree(rng: random.Random) -> DemoTree:
    b = TreeBuilder()
    city = b.add(None, AreaKind.CITY, CITY_CODE, "永州市")
    district = b.add(city, AreaKind.DISTRICT, "YZ-LST", "冷水滩区")
    street = b.add(district, AreaKind.STREET, STREET_CODE, "梅湾街道", STREET_RECT)
    tree = DemoTree(builder=b, city=city, district=district, street=street)
    for spec, rect in zip(COMMUNITIES, tile(STREET_RECT, len(COMMUNITIES)), strict=True):
        _plan_community(tree, rng, spec, rect)
    return tree


def _plan_community(tree: DemoTree, rng: random.Random, spec: CommunitySpec, rect: Rect) -> None:
    b = tree.builder
    code = f"{STREET_CODE}-{spec.code}"
    community = b.add(tree.street, AreaKind.COMMUNITY, code, spec.name, rect,
                      address=f"{spec.road}1号")
    tree.communities[spec.code] = community
    large, small, leaves = [], [], []
    for g, large_rect in enumerate(tile(rect, spec.large_grids), start=1):
        grid = b.add(community, AreaKind.GRID_LARGE, f"{code}-G{g}",
                     f"第{LARGE_NUMERALS[g - 1]}大网格", large_rect)
        large.append(grid)
        if not spec.small_grids:
            leaves.append((grid, large_rect))
            continue
        count = spec.small_grids[g - 1]
        for s, small_rect in enumerate(tile(large_rect, count), start=1):
            cell = b.add(grid, AreaKind.GRID_SMALL, f"{code}-G{g}-{s}", f"第{g}-{s}小网格",
                         small_rect)
            small.append(cell)
            leaves.append((cell, small_rect))
    tree.large_grids[spec.code], tree.small_grids[spec.code] = large, small
    old_names, new_names = list(spec.old_names), list(spec.new_names)
    rng.shuffle(old_names)
    rng.shuffle(new_names)
    compounds = []
    number = 1
    for grid, grid_rect in leaves:
        count = rng.randint(*spec.compounds_per_grid)
        for compound_rect in tile(grid_rect, count):
            old = rng.random() < spec.old_share
            pool = old_names if old else new_names
            name = pool.pop() if pool else f"{spec.road}{number}号院"
            built_year = rng.randint(1972, 1999) if old else rng.randint(2001, 2019)
            compound = b.add(
                grid, AreaKind.COMPOUND, "", name, inset(compound_rect), built_year=built_year,
                address=f"{spec.road}{number * 2 + rng.randint(0, 1)}号",
            )
            compound.code = f"{grid.code}-X{int(compound.path[-6:])}"
            number += rng.randint(1, 4)
            compounds.append(compound)
            _plan_buildings(tree, rng, compound, built_year, old)
    tree.compounds[spec.code] = compounds


def _plan_buildings(tree: DemoTree, rng: random.Random, compound: AreaNode, built_year: int,
                    old: bool) -> None:
    count = rng.randint(2, 6) if old else rng.randint(3, 7)
    for n in range(1, count + 1):
        households = rng.randint(10, 28) if old else rng.randint(22, 40)
        layout = layout_for(rng, households, built_year)
        node = tree.builder.add(compound, AreaKind.BUILDING, "", f"{n}栋",
                                built_year=built_year, floors=layout.floors)
        node.code = f"{compound.code}-B{int(node.path[-6:])}"
        tree.buildings.append(BuildingPlan(node, built_year, households, layout))
