"""Households (户) and the people living in them, as plain rows for bulk inserts.

A building gets its rooms from a layout (units × floors × doors per floor); each occupied
household gets a family whose shape depends on the age of the compound: old compounds
(built before 2000) house more elderly people living alone, newer ones more young families.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from gongzhi.areas.models import AreaNode, Household, Resident
from gongzhi.demo import names
from gongzhi.demo.bulk import IdPool, RowWriter
from gongzhi.demo.names import between, pick, weighted

REFERENCE_YEAR = 2025  # ages are computed against a fixed year: same data every run

HOUSEHOLD_COLUMNS = ("id", "building_id", "area_path", "unit", "room", "floor", "floor_area",
                     "tenure", "member_count")
RESIDENT_COLUMNS = ("household_id", "name", "phone", "id_number", "is_head", "tags")

# (family shape, weight in old compounds, weight in newer ones)
_SHAPES = (
    ("elderly_alone", 14, 4),
    ("elderly_couple", 20, 8),
    ("grandparent_child", 3, 1),
    ("single", 10, 10),
    ("couple", 13, 20),
    ("family3", 24, 34),
    ("family4", 16, 23),
)
_SHAPE_NAMES = [s[0] for s in _SHAPES]
_SHAPE_CUM = {True: list(accumulate(s[1] for s in _SHAPES)),
              False: list(accumulate(s[2] for s in _SHAPES))}
_TENURES = ("owner", "tenant", "public", "vacant")
_TENURE_CUM = {True: list(accumulate((62, 18, 12, 8))), False: list(accumulate((78, 15, 0, 7)))}


@dataclass(frozen=True)
class Layout:
    units: int
    floors: int
    doors: int  # households per floor per unit

    @property
    def capacity(self) -> int:
        return self.units * self.floors * self.doors


def layout_for(rng: random.Random, households: int, built_year: int) -> Layout:
    """A plausible building shape holding at least ``households`` rooms."""
    if built_year < 2000:
        max_floors, doors = 7, 2
    elif built_year < 2010:
        max_floors, doors = 11, 2
    else:
        max_floors, doors = rng.choice((18, 26, 33)), rng.choice((2, 2, 3, 4))
    units = max(1, -(-households // (max_floors * doors)))
    floors = max(2, -(-households // (units * doors)))
    return Layout(units=units, floors=floors, doors=doors)


def floor_area(rng: random.Random, built_year: int) -> Decimal:
    """Floor area in m² with two decimals, by the era the building went up in."""
    if built_year < 1990:
        low, high = 42, 78
    elif built_year < 2000:
        low, high = 55, 96
    elif built_year < 2010:
        low, high = 70, 125
    else:
        low, high = 85, 145
    cents = between(rng, low * 100, high * 100)
    return Decimal(cents).scaleb(-2)


class PeopleFactory:
    """Makes the households of one building after another from one seeded RNG."""

    def __init__(self, rng: random.Random, region: str):
        self.rng = rng
        self.region = region  # first six digits of generated ID numbers

    def building(
        self, *, building_id: int, path: str, built_year: int, layout: Layout,
        household_ids: list[int],
    ) -> tuple[list[tuple], list[tuple]]:
        """One household per id, in the layout's first rooms (unit, then floor, then door)."""
        old = built_year < 2000
        rows: list[tuple] = []
        people: list[tuple] = []
        rooms = ((u, f, d) for u in range(1, layout.units + 1)
                 for f in range(1, layout.floors + 1) for d in range(1, layout.doors + 1))
        for household_id, (unit, floor, door) in zip(household_ids, rooms, strict=False):
            tenure = weighted(self.rng, _TENURES, _TENURE_CUM[old])
            family = [] if tenure == "vacant" else self.family(household_id, old)
            rows.append((household_id, building_id, path, str(unit), f"{floor}{door:02d}", floor,
                         floor_area(self.rng, built_year), tenure, len(family)))
            people += family
        return rows, people

    def family(self, household_id: int, old: bool) -> list[tuple]:
        rng = self.rng
        shape = weighted(rng, _SHAPE_NAMES, _SHAPE_CUM[old])
        head_sex = pick(rng, "mf") if shape in ("elderly_alone", "single") else "m"
        members: list[tuple[str, int]] = []  # (sex, age); the head first
        if shape in ("elderly_alone", "elderly_couple", "grandparent_child"):
            members.append((head_sex, between(rng, 62, 92)))
        else:
            members.append((head_sex, between(rng, 24, 58)))
        if shape in ("elderly_couple", "couple", "family3", "family4"):
            members.append(("f", max(20, members[0][1] + between(rng, -5, 2))))
        if shape in ("family3", "family4", "grandparent_child"):
            parent_age = members[-1][1] if shape != "grandparent_child" else 48
            members.append((pick(rng, "mf"), between(rng, 0, min(17, parent_age - 20))))
        if shape == "family4":
            if rng.random() < 0.5:  # a grandparent lives with them
                members.append((pick(rng, "mf"), members[0][1] + between(rng, 24, 32)))
            else:
                members.append((pick(rng, "mf"), between(rng, 0, 17)))
        family_name = names.surname(rng)
        alone = len(members) == 1
        with_parents = shape != "grandparent_child"
        rows = []
        for index, (sex, age) in enumerate(members):
            birth_year = REFERENCE_YEAR - age
            is_child = age < 18
            own_family = family_name if index == 0 or is_child else None
            name = names.person_name(rng, sex, birth_year, own_family)
            phone = names.mobile(rng) if not is_child and rng.random() < (
                0.75 if age >= 60 else 0.95) else ""
            id_number = names.id_number(rng, self.region, birth_year, sex) if rng.random() < (
                0.5 if is_child else 0.6) else ""
            tags = self.tags(age, sex, alone, is_child and not with_parents, index == 0, old)
            rows.append((household_id, name, phone, id_number, index == 0, tags))
        return rows

    def tags(self, age: int, sex: str, alone: bool, left_behind: bool, head: bool,
             old: bool) -> list[str]:
        rng = self.rng
        tags = []
        if age >= 60:
            tags.append("elderly")
            if alone:
                tags.append("elderly_alone")
        if age >= 18 and rng.random() < (0.15 if age >= 60 else 0.07):
            tags.append("party_member")
        if sex == "m" and age >= 40 and rng.random() < 0.04:
            tags.append("veteran")
        if rng.random() < 0.02:
            tags.append("disability")
        if head and rng.random() < (0.03 if old else 0.01):
            tags.append("low_income")
        if left_behind:
            tags.append("child_left_behind")
        if 18 <= age <= 75 and rng.random() < 0.06:
            tags.append("volunteer")
        return tags


@dataclass
class BuildingPlan:
    node: AreaNode
    built_year: int
    households: int
    layout: Layout


def write_households(
    plans: list[BuildingPlan], factory: PeopleFactory, ids: IdPool, writer: RowWriter,
    *, batch: int = 20000, progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Households and residents of every planned building, ``batch`` households at a time.

    Returns (households, residents) written; ``progress(done, total)`` after each batch.
    """
    total = sum(p.households for p in plans)
    done = residents = 0
    start = 0
    while start < len(plans):
        chunk, size = [], 0
        while start < len(plans) and (not chunk or size + plans[start].households <= batch):
            chunk.append(plans[start])
            size += plans[start].households
            start += 1
        pool = iter(ids.take(Household, size))
        rows: list[tuple] = []
        people: list[tuple] = []
        for plan in chunk:
            household_ids = [next(pool) for _ in range(plan.households)]
            r, p = factory.building(
                building_id=plan.node.pk, path=plan.node.path, built_year=plan.built_year,
                layout=plan.layout, household_ids=household_ids,
            )
            rows += r
            people += p
        writer.write(Household, HOUSEHOLD_COLUMNS, rows)
        writer.write(Resident, RESIDENT_COLUMNS, people)
        done += size
        residents += len(people)
        if progress:
            progress(done, total)
    return done, residents
