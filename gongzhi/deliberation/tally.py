"""Counting an owners' vote (业主共同决定) and simpler meeting votes, exactly.

Pure arithmetic: no database, no I/O, standard library only. Every share is a ``Fraction``
so that "exactly two thirds" is exactly two thirds; floats never enter.

Civil Code art. 278: a joint decision needs owners holding at least 2/3 of the exclusive area
(专有部分面积) and at least 2/3 of the owners (人数) to take part; it then passes with more than
half (过半数) of the participating area and owners, or for matters (6)–(8) with at least 3/4
(四分之三以上) of them. Headcount counts owners, not flats: one owner of several exclusive
parts is one person (最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释, art. 9),
while area sums every flat.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, localcontext
from fractions import Fraction

RULES = (
    "simple",
    "half_participants",
    "two_thirds_participants",
    "three_quarters_participants",
    "art278_half",
    "art278_three_quarters",
)
CHOICES = ("yes", "no", "abstain")

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)

# rule -> (quorum, threshold, strict). "过半数" must exceed its threshold; "以上" may reach it.
_TERMS: dict[str, tuple[Fraction | None, Fraction, bool]] = {
    "simple": (None, HALF, True),
    "half_participants": (None, HALF, True),
    "two_thirds_participants": (None, TWO_THIRDS, False),
    "three_quarters_participants": (None, THREE_QUARTERS, False),
    "art278_half": (TWO_THIRDS, HALF, True),
    "art278_three_quarters": (TWO_THIRDS, THREE_QUARTERS, False),
}

# The nine matters of Civil Code art. 278 (民法典第二百七十八条), in the article's order.
ART278_MATTERS: tuple[tuple[str, str, str], ...] = (
    ("assembly_rules", "制定和修改业主大会议事规则", "art278_half"),
    ("covenant", "制定和修改管理规约", "art278_half"),
    ("committee", "选举业主委员会或者更换业主委员会成员", "art278_half"),
    ("property_manager", "选聘和解聘物业服务企业或者其他管理人", "art278_half"),
    ("use_fund", "使用建筑物及其附属设施的维修资金", "art278_half"),
    ("raise_fund", "筹集建筑物及其附属设施的维修资金", "art278_three_quarters"),
    # A lift retrofit (加装电梯) is a 改建 of the building: this matter.
    ("rebuild", "改建、重建建筑物及其附属设施", "art278_three_quarters"),
    ("common_use", "改变共有部分的用途或者利用共有部分从事经营活动", "art278_three_quarters"),
    ("other", "有关共有和共同管理权利的其他重大事项", "art278_half"),
)

# Area sums must never round (the default context keeps only 28 digits); Inexact would raise.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact])


@dataclass(frozen=True)
class Step:
    """One check of the count as the result page prints it (计票步骤)."""

    label: str
    value: Fraction | None
    needed: Fraction | None
    strict: bool
    met: bool


@dataclass(frozen=True)
class Outcome:
    """The result of one vote (表决结果) with every number it was decided on."""

    rule: str
    passed: bool
    quorum_met: bool
    # The electorate.
    units: int
    owners: int
    area: Decimal
    # Participation: an abstention takes part.
    voted_units: int
    voted_owners: int
    voted_area: Decimal
    yes_units: int
    no_units: int
    abstain_units: int
    yes_owners: int
    no_owners: int
    abstain_owners: int  # includes split owners
    yes_area: Decimal
    no_area: Decimal
    abstain_area: Decimal
    # Shares; None where the denominator is zero.
    turnout_area: Fraction | None
    turnout_owners: Fraction | None
    approval_area: Fraction | None
    approval_owners: Fraction | None
    approval_units: Fraction | None
    approval_cast: Fraction | None  # yes / (yes + no): what the simple rule decides on
    quorum: Fraction | None
    threshold: Fraction
    strict: bool
    split_owners: frozenset

    def steps(self) -> list[Step]:
        """The checks made, in order; the vote passes when every one is met."""
        need, strict = self.threshold, self.strict
        if self.quorum is not None:
            checks = [
                ("参与表决的专有部分面积占比", self.turnout_area, self.quorum, False),
                ("参与表决的人数占比", self.turnout_owners, self.quorum, False),
                ("同意的面积占参与表决面积的比例", self.approval_area, need, strict),
                ("同意的人数占参与表决人数的比例", self.approval_owners, need, strict),
            ]
        elif self.rule == "simple":
            # yes > no is the same as yes / (yes + no) > 1/2 whenever anyone said yes or no.
            checks = [("同意票多于反对票", self.approval_cast, need, strict)]
        else:
            checks = [("同意票占参与表决票数的比例", self.approval_units, need, strict)]
        return [
            Step(label, value, needed, is_strict, _meets(value, needed, is_strict))
            for label, value, needed, is_strict in checks
        ]


def decide(
    rule: str,
    units: Iterable[tuple[Hashable, Hashable, Decimal]],
    ballots: Mapping[Hashable, str],
) -> Outcome:
    """Count ``ballots`` (unit_id -> "yes"/"no"/"abstain") over ``units`` under ``rule``.

    ``units`` holds one ``(unit_id, owner_id, area)`` per exclusive part (专有部分); units
    missing from ``ballots`` did not take part. An owner whose units voted differently takes
    part but counts as an abstention by headcount and is listed in ``split_owners``; their
    area still counts unit by unit. Raises ``ValueError`` for malformed input.
    """
    if rule not in _TERMS:
        raise ValueError(f"unknown rule {rule!r}; expected one of: {', '.join(RULES)}")
    quorum, threshold, strict = _TERMS[rule]
    electorate = _electorate(units)
    _check_ballots(ballots, electorate)

    unit_count: Counter[str] = Counter()
    areas: dict[str, list[Decimal]] = {choice: [] for choice in CHOICES}
    owner_choices: dict[Hashable, set[str]] = {}
    for unit_id, choice in ballots.items():
        owner_id, area = electorate[unit_id]
        unit_count[choice] += 1
        areas[choice].append(area)
        owner_choices.setdefault(owner_id, set()).add(choice)
    split = frozenset(owner for owner, cast in owner_choices.items() if len(cast) > 1)
    owner_count = Counter(_position(cast) for cast in owner_choices.values())

    total_area = _sum(area for _, area in electorate.values())
    yes_area, no_area, abstain_area = (_sum(areas[choice]) for choice in CHOICES)
    voted_area = _sum([yes_area, no_area, abstain_area])
    owners = len({owner for owner, _ in electorate.values()})
    voted_units = len(ballots)
    voted_owners = len(owner_choices)

    turnout_area = _share(voted_area, total_area)
    turnout_owners = _share(voted_owners, owners)
    if quorum is None:
        quorum_met = voted_units > 0
    else:
        quorum_met = _meets(turnout_area, quorum, False) and _meets(turnout_owners, quorum, False)

    draft = Outcome(
        rule=rule,
        passed=False,
        quorum_met=quorum_met,
        units=len(electorate),
        owners=owners,
        area=total_area,
        voted_units=voted_units,
        voted_owners=voted_owners,
        voted_area=voted_area,
        yes_units=unit_count["yes"],
        no_units=unit_count["no"],
        abstain_units=unit_count["abstain"],
        yes_owners=owner_count["yes"],
        no_owners=owner_count["no"],
        abstain_owners=owner_count["abstain"],
        yes_area=yes_area,
        no_area=no_area,
        abstain_area=abstain_area,
        turnout_area=turnout_area,
        turnout_owners=turnout_owners,
        approval_area=_share(yes_area, voted_area),
        approval_owners=_share(owner_count["yes"], voted_owners),
        approval_units=_share(unit_count["yes"], voted_units),
        approval_cast=_share(unit_count["yes"], unit_count["yes"] + unit_count["no"]),
        quorum=quorum,
        threshold=threshold,
        strict=strict,
        split_owners=split,
    )
    # One source of truth: the vote passes exactly when the printed steps say so.
    passed = quorum_met and all(step.met for step in draft.steps())
    return replace(draft, passed=passed)


def matter_rule(code: str) -> str:
    """The rule for an art. 278 matter code, e.g. ``"rebuild"`` -> ``"art278_three_quarters"``."""
    for matter, _name, rule in ART278_MATTERS:
        if matter == code:
            return rule
    raise ValueError(f"unknown art. 278 matter {code!r}")


def _electorate(units: Iterable[tuple[Hashable, Hashable, Decimal]]) -> dict:
    """unit_id -> (owner_id, area), validated."""
    electorate: dict[Hashable, tuple[Hashable, Decimal]] = {}
    for unit in units:
        try:
            unit_id, owner_id, area = unit
        except (TypeError, ValueError):
            raise ValueError(f"a unit must be (unit_id, owner_id, area), got {unit!r}") from None
        if unit_id in electorate:
            raise ValueError(f"duplicate unit {unit_id!r}")
        # bool and float are not areas: a float would smuggle rounding into an exact count.
        if not isinstance(area, Decimal) or not area.is_finite():
            raise ValueError(f"area of unit {unit_id!r} must be a finite Decimal, got {area!r}")
        if area < 0:
            raise ValueError(f"area of unit {unit_id!r} is negative: {area}")
        electorate[unit_id] = (owner_id, area)
    return electorate


def _check_ballots(ballots: Mapping[Hashable, str], electorate: dict) -> None:
    for unit_id, choice in ballots.items():
        if unit_id not in electorate:
            raise ValueError(f"ballot for unit {unit_id!r}, which is not in the electorate")
        if choice not in CHOICES:
            raise ValueError(
                f"unknown choice {choice!r} for unit {unit_id!r}; expected one of: "
                f"{', '.join(CHOICES)}"
            )


def _position(cast: set[str]) -> str:
    """An owner's headcount position: their choice if all their units agree, else abstain."""
    return next(iter(cast)) if len(cast) == 1 else "abstain"


def _sum(areas: Iterable[Decimal]) -> Decimal:
    with localcontext(_EXACT):
        return sum(areas, Decimal(0))


def _share(part: Decimal | int, whole: Decimal | int) -> Fraction | None:
    return None if whole == 0 else Fraction(part) / Fraction(whole)


def _meets(value: Fraction | None, needed: Fraction, strict: bool) -> bool:
    if value is None:
        return False
    return value > needed if strict else value >= needed
