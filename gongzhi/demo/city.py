"""A synthetic city for benchmarks, in the proportions of a real one.

About 10 streets a district, 8 communities a street, 2,000–4,000 households a community,
10–20 buildings a compound and 30–60 households a building; compounds sit in small grids
(1–2 each), small grids in large grids (2–4 each). Everything follows from the seed.
"""

import random
from dataclasses import dataclass, field

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.demo.bulk import Rect, TreeBuilder, inset, tile
from gongzhi.demo.names import words
from gongzhi.demo.people import BuildingPlan, layout_for

REGION = "430102"  # first six digits of the generated ID numbers
_DISTRICTS = words("城东 城西 城南 城北 江南 江北 高新 滨湖 新城 河西 湖东 经开 望城 北湖 "
                   "南岭 东山")
_WORDS = words("阳光 锦绣 翠竹 金桂 滨江 和平 幸福 康乐 紫荆 明珠 东方 南湖 银杏 梧桐 凤凰 "
               "龙湾 桃源 书香 新华 建设 人民 胜利 朝阳 文化 育才 丽景 碧水 怡景 盛世 润泽 "
               "春晖 长青 兴隆 永安 福星 白沙 青山 月湖 枫林 荷塘")
_PLACES = ("", "东", "西", "南", "北", "新", "中")
_COMPOUND_SUFFIXES = words("小区 花园 苑 家园 新村 公寓 华庭 雅居 名城 宿舍")
_DIGITS = "零一二三四五六七八九"


@dataclass
class CityPlan:
    builder: TreeBuilder
    city: AreaNode
    buildings: list[BuildingPlan] = field(default_factory=list)


def split(rng: random.Random, total: int, parts: int, spread: float = 0.3) -> list[int]:
    """``total`` cut into ``parts`` positive-ish shares that add up exactly."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % parts] += 1
    return shares


def even(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def origin(seed: int) -> Rect:
    """A 0.8° square of its own per seed, inside China and away from the demo street."""
    cell = seed % 480
    lng, lat = 98 + cell % 24, 22 + cell // 24
    if (lng, lat) == (111, 26):
        lng += 1
    return (lng + 0.1, lat + 0.1, lng + 0.9, lat + 0.9)


class _Names:
    """Place names, unique within the city."""

    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def pick(self, suffix: str) -> str:
        for _ in range(20):
            name = self.rng.choice(_WORDS) + self.rng.choice(_PLACES) + suffix
            if name not in self.used:
                self.used.add(name)
                return name
        name = f"{self.rng.choice(_WORDS)}{len(self.used) + 1}{suffix}"
        self.used.add(name)
        return name


def plan_city(rng: random.Random, *, households: int, seed: int, code: str, name: str) -> CityPlan:
    communities = max(1, round(households / 3000))
    streets = max(1, round(communities / 8))
    districts = max(1, round(streets / 10))
    budgets = iter(split(rng, households, communities))
    streets_of = even(streets, districts)
    communities_of = iter(even(communities, streets))
    b = TreeBuilder()
    rect = origin(seed)
    city = b.add(None, AreaKind.CITY, code, name, rect)
    plan = CityPlan(builder=b, city=city)
    places = _Names(rng)
    for d, (d_rect, n_streets) in enumerate(zip(tile(rect, districts), streets_of, strict=True), 1):
        district_name = (_DISTRICTS[d - 1] if d <= len(_DISTRICTS) else f"第{d}") + "区"
        district = b.add(city, AreaKind.DISTRICT, f"{code}-D{d:02d}", district_name, d_rect)
        for s, s_rect in enumerate(tile(d_rect, n_streets), 1):
            street = b.add(district, AreaKind.STREET, f"{district.code}-S{s:02d}",
                           places.pick("街道"), s_rect)
            n_communities = next(communities_of)
            for c, c_rect in enumerate(tile(s_rect, n_communities), 1):
                community = b.add(street, AreaKind.COMMUNITY, f"{street.code}-C{c:02d}",
                                  places.pick("社区"), c_rect)
                _plan_community(plan, rng, community, c_rect, next(budgets))
    return plan


def _compound_name(rng: random.Random, used: set[str]) -> str:
    for attempt in range(20):
        name = rng.choice(_WORDS) + rng.choice(_COMPOUND_SUFFIXES)
        if attempt >= 10:
            name += f"{_DIGITS[rng.randint(2, 9)]}期"
        if name not in used:
            used.add(name)
            return name
    name = f"第{len(used) + 1}小区"
    used.add(name)
    return name


def _plan_community(plan: CityPlan, rng: random.Random, community: AreaNode, rect: Rect,
                    budget: int) -> None:
    # Compounds first (their buildings use up the budget), then grids around them.
    compounds: list[tuple[int, list[int]]] = []
    left = budget
    while left > 0:
        built_year = rng.randint(1975, 1999) if rng.random() < 0.4 else rng.randint(2000, 2022)
        sizes = []
        for _ in range(rng.randint(10, 20)):
            if left == 0:
                break
            size = min(rng.randint(30, 60), left)
            sizes.append(size)
            left -= size
        compounds.append((built_year, sizes))
    per_small = []
    while sum(per_small) < len(compounds):
        per_small.append(min(rng.randint(1, 2), len(compounds) - sum(per_small)))
    per_large = []
    while sum(per_large) < len(per_small):
        per_large.append(min(rng.randint(2, 4), len(per_small) - sum(per_large)))
    b = plan.builder
    queue = iter(compounds)
    small_counts = iter(per_small)
    used: set[str] = set()
    for g, (l_rect, n_small) in enumerate(zip(tile(rect, len(per_large)), per_large,
                                              strict=True), 1):
        large = b.add(community, AreaKind.GRID_LARGE, f"{community.code}-G{g}",
                      f"第{g}网格", l_rect)
        for s, s_rect in enumerate(tile(l_rect, n_small), 1):
            small = b.add(large, AreaKind.GRID_SMALL, f"{large.code}-{s}", f"第{g}-{s}网格",
                          s_rect)
            n_compounds = next(small_counts)
            for x_rect in tile(s_rect, n_compounds):
                built_year, sizes = next(queue)
                compound = b.add(small, AreaKind.COMPOUND, "", _compound_name(rng, used),
                                 inset(x_rect), built_year=built_year)
                compound.code = f"{small.code}-X{int(compound.path[-6:])}"
                for n, size in enumerate(sizes, 1):
                    layout = layout_for(rng, size, built_year)
                    node = b.add(compound, AreaKind.BUILDING, "", f"{n}栋",
                                 built_year=built_year, floors=layout.floors)
                    node.code = f"{compound.code}-B{int(node.path[-6:])}"
                    plan.buildings.append(BuildingPlan(node, built_year, size, layout))
