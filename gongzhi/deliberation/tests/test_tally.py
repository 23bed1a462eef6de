"""Counting owners' votes: thresholds at and around each boundary, headcount, input errors.

Every expected number here is worked out by hand in the comments; none comes from ``decide``.
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gongzhi.deliberation.tally import ART278_MATTERS, RULES, Step, decide, matter_rule

D = Decimal
F = Fraction


def flats(*areas: str) -> list[tuple[str, str, Decimal]]:
    """One owner per flat: (u1, o1, area1), (u2, o2, area2), ..."""
    return [(f"u{i}", f"o{i}", D(area)) for i, area in enumerate(areas, start=1)]


def votes(yes=(), no=(), abstain=()) -> dict[str, str]:
    """Ballots by flat number: votes(yes=[1, 2], no=[3]) -> {"u1": "yes", ...}."""
    ballots = {f"u{i}": "yes" for i in yes}
    ballots |= {f"u{i}": "no" for i in no}
    ballots |= {f"u{i}": "abstain" for i in abstain}
    return ballots


# 9 flats, 900 m²; flats 1–6 hold 88.50 + 111.50 + 4 × 100 = 600 m², exactly 2/3.
NINE = flats("88.50", "111.50", "100", "100", "100", "100", "100", "100", "100")
# The same 900 m², but flats 1–6 hold 88.50 + 110.50 + 400 = 599 m², one m² short of 2/3.
NINE_SHORT = flats("88.50", "110.50", "100", "100", "100", "100", "100", "100", "101")
# 9 flats, 900 m²: one of 300 m², eight of 75 m². Flats 1–5 hold 600 m² (2/3) but 5/9 owners.
ONE_BIG = flats("300.00", *["75.00"] * 8)
# 8 flats, 1000 m²; flats 1–5 hold 59.50 + 60.50 + 60 + 60 + 260 = 500 m², exactly half.
EIGHT = flats("59.50", "60.50", "60.00", "60.00", "260.00", "150.00", "150.00", "200.00")
# The same 1000 m², but flats 1–5 hold 501 m², one m² over half.
EIGHT_OVER = flats("59.50", "60.50", "60.00", "60.00", "261.00", "150.00", "150.00", "199.00")
# 8 flats, 800 m²; flats 1–6 hold 88.50 + 111.50 + 400 = 600 m², exactly 3/4.
QUARTERS = flats("88.50", "111.50", "100", "100", "100", "100", "100", "100")
# The same 800 m², but flats 1–6 hold 87.50 + 111.50 + 400 = 599 m², one m² short of 3/4.
QUARTERS_SHORT = flats("87.50", "111.50", "100", "100", "100", "100", "100", "101")
# 10 flats for the headcount-of-ballots rules; areas do not matter there.
TEN = flats(*["88.50"] * 10)

CASES = [
    # id, rule, units, ballots, passed, quorum_met, the share the rule hinges on (name, value)
    # --- art. 278 quorum by area: 600/900 = 2/3 is enough, 599/900 is not. 6/9 owners = 2/3.
    ("area-quorum-exactly-2/3", "art278_half", NINE, votes(yes=range(1, 7)),
     True, True, ("turnout_area", F(2, 3))),
    ("area-quorum-1m2-short-all-yes", "art278_half", NINE_SHORT, votes(yes=range(1, 7)),
     False, False, ("turnout_area", F(599, 900))),
    ("area-quorum-1m2-short-3/4-rule", "art278_three_quarters", NINE_SHORT,
     votes(yes=range(1, 7)), False, False, ("turnout_area", F(599, 900))),
    # --- art. 278 quorum by headcount: 600 m² (2/3) but only 5 of 9 owners; 6 of 9 is enough.
    ("owner-quorum-5/9-all-yes", "art278_half", ONE_BIG, votes(yes=range(1, 6)),
     False, False, ("turnout_owners", F(5, 9))),
    ("owner-quorum-exactly-6/9", "art278_half", ONE_BIG, votes(yes=range(1, 7)),
     True, True, ("turnout_owners", F(2, 3))),
    # --- "过半数" by area: 500/1000 is not more than half, 501/1000 is. 5/8 owners either way.
    ("area-approval-exactly-1/2", "art278_half", EIGHT, votes(yes=range(1, 6), no=range(6, 9)),
     False, True, ("approval_area", F(1, 2))),
    ("area-approval-1m2-over-1/2", "art278_half", EIGHT_OVER,
     votes(yes=range(1, 6), no=range(6, 9)), True, True, ("approval_area", F(501, 1000))),
    # --- "过半数" by headcount: 760/1000 m² says yes, but only 4 of 8 owners.
    ("owner-approval-exactly-1/2", "art278_half", EIGHT, votes(yes=range(5, 9), no=range(1, 5)),
     False, True, ("approval_owners", F(1, 2))),
    # --- "四分之三以上": 600/800 m² and 6/8 owners reach 3/4 and pass; 599/800 does not.
    ("3/4-exactly", "art278_three_quarters", QUARTERS, votes(yes=range(1, 7), no=[7, 8]),
     True, True, ("approval_area", F(3, 4))),
    ("3/4-1m2-short", "art278_three_quarters", QUARTERS_SHORT, votes(yes=range(1, 7), no=[7, 8]),
     False, True, ("approval_area", F(599, 800))),
    # 59.50 + 260 + 150 + 150 + 200 = 819.50 m² (>= 3/4) but 5/8 owners (< 3/4) ...
    ("3/4-owners-short", "art278_three_quarters", EIGHT, votes(yes=[1, 5, 6, 7, 8], no=[2, 3, 4]),
     False, True, ("approval_owners", F(5, 8))),
    # ... which is plenty for "more than half".
    ("same-votes-half-rule", "art278_half", EIGHT, votes(yes=[1, 5, 6, 7, 8], no=[2, 3, 4]),
     True, True, ("approval_area", F(1639, 2000))),
    # --- abstentions take part: yes 400/600 m², 4/6 owners passes; abstaining 7, 8 -> 1/2.
    ("abstain-absent", "art278_half", QUARTERS, votes(yes=range(1, 5), abstain=[5, 6]),
     True, True, ("approval_owners", F(2, 3))),
    ("abstain-counts-as-participation", "art278_half", QUARTERS,
     votes(yes=range(1, 5), abstain=range(5, 9)), False, True, ("approval_area", F(1, 2))),
    # --- more than half of the participants, counted by ballots.
    ("half-participants-exactly-1/2", "half_participants", TEN, votes(yes=[1, 2, 3], no=[4, 5, 6]),
     False, True, ("approval_units", F(1, 2))),
    ("half-participants-4/6", "half_participants", TEN, votes(yes=[1, 2, 3, 4], no=[5, 6]),
     True, True, ("approval_units", F(2, 3))),
    ("half-participants-abstain", "half_participants", TEN,
     votes(yes=[1, 2, 3], no=[4], abstain=[5, 6]), False, True, ("approval_units", F(1, 2))),
    ("half-participants-no-quorum", "half_participants", TEN, votes(yes=[1]),
     True, True, ("approval_units", F(1))),
    # --- two thirds of the participants: 4/6 reaches it, 4/7 does not, 5/7 does.
    ("two-thirds-exactly", "two_thirds_participants", TEN, votes(yes=range(1, 5), no=[5, 6]),
     True, True, ("approval_units", F(2, 3))),
    ("two-thirds-4/7", "two_thirds_participants", TEN, votes(yes=range(1, 5), no=[5, 6, 7]),
     False, True, ("approval_units", F(4, 7))),
    ("two-thirds-5/7", "two_thirds_participants", TEN, votes(yes=range(1, 6), no=[6, 7]),
     True, True, ("approval_units", F(5, 7))),
    # --- three quarters of the participants: 6/8 reaches it, 6/9 and 5/8 do not.
    ("three-quarters-exactly", "three_quarters_participants", TEN,
     votes(yes=range(1, 7), no=[7, 8]), True, True, ("approval_units", F(3, 4))),
    ("three-quarters-6/9", "three_quarters_participants", TEN,
     votes(yes=range(1, 7), no=[7, 8, 9]), False, True, ("approval_units", F(2, 3))),
    ("three-quarters-abstain-5/8", "three_quarters_participants", TEN,
     votes(yes=range(1, 6), abstain=[6, 7, 8]), False, True, ("approval_units", F(5, 8))),
    # --- simple majority of the votes cast; abstentions are not votes cast.
    ("simple-tie", "simple", TEN, votes(yes=[1, 2], no=[3, 4], abstain=range(5, 10)),
     False, True, ("approval_cast", F(1, 2))),
    ("simple-2-to-1-among-many-abstentions", "simple", TEN,
     votes(yes=[1, 2], no=[3], abstain=range(4, 10)), True, True, ("approval_cast", F(2, 3))),
    ("simple-3-to-1-with-abstentions", "simple", TEN,
     votes(yes=[1, 2, 3], no=[4], abstain=[5, 6]), True, True, ("approval_cast", F(3, 4))),
    ("simple-all-abstain", "simple", TEN, votes(abstain=[1, 2, 3]),
     False, True, ("approval_cast", None)),
    ("simple-no-ballots", "simple", TEN, {}, False, False, ("approval_cast", None)),
]


@pytest.mark.parametrize(
    ("rule", "units", "ballots", "passed", "quorum_met", "share"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_table(rule, units, ballots, passed, quorum_met, share):
    outcome = decide(rule, units, ballots)
    name, value = share
    assert getattr(outcome, name) == value
    assert outcome.quorum_met is quorum_met
    assert outcome.passed is passed


def test_exact_two_thirds_quorum_in_full():
    outcome = decide("art278_half", NINE, votes(yes=range(1, 7)))
    assert (outcome.units, outcome.owners, outcome.area) == (9, 9, D("900"))
    assert (outcome.voted_units, outcome.voted_owners, outcome.voted_area) == (6, 6, D("600"))
    assert (outcome.quorum, outcome.threshold, outcome.strict) == (F(2, 3), F(1, 2), True)
    assert outcome.turnout_area == outcome.turnout_owners == F(2, 3)
    assert outcome.approval_area == outcome.approval_owners == outcome.approval_units == F(1)


def test_turnout_failure_although_everyone_said_yes():
    outcome = decide("art278_three_quarters", NINE_SHORT, votes(yes=range(1, 7)))
    assert outcome.no_units == outcome.abstain_units == 0
    assert outcome.approval_area == outcome.approval_owners == F(1)
    assert [step.met for step in outcome.steps()] == [False, True, True, True]
    assert not outcome.passed


# Owner A holds three flats (88.50 + 88.50 + 123.00 = 300 m²); B–F one flat of 100 m² each.
# 8 flats, 6 owners, 800 m².
MULTI = [
    ("u1", "A", D("88.50")),
    ("u2", "A", D("88.50")),
    ("u3", "A", D("123.00")),
    ("u4", "B", D("100.00")),
    ("u5", "C", D("100.00")),
    ("u6", "D", D("100.00")),
    ("u7", "E", D("100.00")),
    ("u8", "F", D("100.00")),
]


def test_multi_unit_owner_is_one_person_with_all_the_area():
    # A (3 flats) and B say yes, C and D say no; E and F stay away.
    outcome = decide("art278_half", MULTI, votes(yes=[1, 2, 3, 4], no=[5, 6]))
    assert (outcome.units, outcome.owners, outcome.area) == (8, 6, D("800"))
    assert (outcome.voted_units, outcome.voted_owners, outcome.voted_area) == (6, 4, D("600"))
    assert (outcome.yes_units, outcome.yes_owners, outcome.yes_area) == (4, 2, D("400"))
    assert (outcome.no_units, outcome.no_owners, outcome.no_area) == (2, 2, D("200"))
    assert outcome.turnout_area == F(3, 4)  # 600 / 800
    assert outcome.turnout_owners == F(2, 3)  # 4 / 6
    assert outcome.approval_area == F(2, 3)  # 400 / 600
    # By flats it would be 4/6 and pass; A is one person, so it is 2/4: not more than half.
    assert outcome.approval_units == F(2, 3)
    assert outcome.approval_owners == F(1, 2)
    assert outcome.split_owners == frozenset()
    assert outcome.quorum_met
    assert not outcome.passed


def test_multi_unit_owner_passing():
    # C now says yes too: 3 of 4 owners, 500/600 m².
    half = decide("art278_half", MULTI, votes(yes=[1, 2, 3, 4, 5], no=[6]))
    assert (half.approval_owners, half.approval_area) == (F(3, 4), F(5, 6))
    assert half.passed
    assert decide("art278_three_quarters", MULTI, votes(yes=[1, 2, 3, 4, 5], no=[6])).passed


def test_owner_takes_part_through_any_of_their_units():
    # Only one of A's flats votes: A takes part (4 of 6 owners) with 88.50 m².
    outcome = decide("art278_half", MULTI, votes(yes=[1, 4, 5, 6]))
    assert (outcome.voted_owners, outcome.yes_owners) == (4, 4)
    assert outcome.voted_area == D("388.50")
    assert outcome.turnout_owners == F(2, 3)
    assert outcome.turnout_area == F(777, 1600)  # 388.50 / 800
    assert not outcome.quorum_met


def test_split_owner_counts_as_abstention_by_headcount():
    # A's flats say yes, no, yes; B and C yes; D no; E and F stay away.
    outcome = decide("art278_half", MULTI, votes(yes=[1, 3, 4, 5], no=[2, 6]))
    assert outcome.split_owners == frozenset({"A"})
    assert outcome.voted_owners == 4
    assert (outcome.yes_owners, outcome.no_owners, outcome.abstain_owners) == (2, 1, 1)
    # Area still counts flat by flat: 88.50 + 123 + 100 + 100 yes, 88.50 + 100 no.
    assert (outcome.yes_area, outcome.no_area, outcome.abstain_area) == (
        D("411.50"), D("188.50"), D("0"),
    )
    assert (outcome.yes_units, outcome.no_units) == (4, 2)
    assert outcome.approval_area == F(823, 1200)  # 411.50 / 600
    assert outcome.approval_owners == F(1, 2)  # 2 / 4: not more than half
    assert outcome.quorum_met
    assert not outcome.passed


def test_split_owner_in_a_passing_vote():
    # As above, and E says yes: 3 of 5 owners, 511.50 of 700 m².
    outcome = decide("art278_half", MULTI, votes(yes=[1, 3, 4, 5, 7], no=[2, 6]))
    assert outcome.split_owners == frozenset({"A"})
    assert outcome.approval_owners == F(3, 5)
    assert outcome.approval_area == F(1023, 1400)  # 511.50 / 700
    assert outcome.passed


def test_yes_and_abstain_from_one_owner_is_a_split():
    outcome = decide("art278_half", MULTI, votes(yes=[1], abstain=[2]))
    assert outcome.split_owners == frozenset({"A"})
    assert (outcome.yes_owners, outcome.abstain_owners, outcome.voted_owners) == (0, 1, 1)
    assert (outcome.yes_units, outcome.abstain_units) == (1, 1)


def test_participant_rules_count_ballots_not_owners():
    # A's three flats say yes, B and C say no: 3 of 5 ballots, though only 1 of 3 owners.
    outcome = decide("half_participants", MULTI, votes(yes=[1, 2, 3], no=[4, 5]))
    assert outcome.approval_units == F(3, 5)
    assert outcome.approval_owners == F(1, 3)
    assert outcome.passed


def test_simple_ignores_abstentions_where_half_participants_does_not():
    ballots = votes(yes=[1, 2, 3], no=[4], abstain=[5, 6])
    simple = decide("simple", TEN, ballots)
    half = decide("half_participants", TEN, ballots)
    assert simple.approval_cast == F(3, 4)  # 3 yes of 4 votes cast
    assert half.approval_units == F(1, 2)  # 3 yes of 6 participants
    assert simple.passed
    assert not half.passed
    assert simple.quorum is None and half.quorum is None


def test_steps_for_art278():
    outcome = decide("art278_half", MULTI, votes(yes=[1, 2, 3, 4], no=[5, 6]))
    assert outcome.steps() == [
        Step("参与表决的专有部分面积占比", F(3, 4), F(2, 3), False, True),
        Step("参与表决的人数占比", F(2, 3), F(2, 3), False, True),
        Step("同意的面积占参与表决面积的比例", F(2, 3), F(1, 2), True, True),
        Step("同意的人数占参与表决人数的比例", F(1, 2), F(1, 2), True, False),
    ]


def test_steps_for_art278_three_quarters_are_not_strict():
    outcome = decide("art278_three_quarters", QUARTERS, votes(yes=range(1, 7), no=[7, 8]))
    assert [(s.value, s.needed, s.strict, s.met) for s in outcome.steps()] == [
        (F(1), F(2, 3), False, True),
        (F(1), F(2, 3), False, True),
        (F(3, 4), F(3, 4), False, True),
        (F(3, 4), F(3, 4), False, True),
    ]


def test_steps_for_simple_and_participants():
    ballots = votes(yes=[1, 2], no=[3], abstain=[4])
    assert decide("simple", TEN, ballots).steps() == [
        Step("同意票多于反对票", F(2, 3), F(1, 2), True, True),
    ]
    assert decide("two_thirds_participants", TEN, ballots).steps() == [
        Step("同意票占参与表决票数的比例", F(1, 2), F(2, 3), False, False),
    ]


@pytest.mark.parametrize("rule", RULES)
def test_empty_electorate(rule):
    outcome = decide(rule, [], {})
    assert not outcome.passed
    assert not outcome.quorum_met
    assert (outcome.units, outcome.owners, outcome.area) == (0, 0, D("0"))
    assert (outcome.voted_units, outcome.voted_owners, outcome.voted_area) == (0, 0, D("0"))
    for share in ("turnout_area", "turnout_owners", "approval_area", "approval_owners",
                  "approval_units", "approval_cast"):
        assert getattr(outcome, share) is None
    assert outcome.split_owners == frozenset()
    assert all(step.value is None and not step.met for step in outcome.steps())


@pytest.mark.parametrize("rule", RULES)
def test_no_ballots(rule):
    outcome = decide(rule, NINE, {})
    assert not outcome.passed
    assert not outcome.quorum_met
    assert outcome.turnout_area == outcome.turnout_owners == F(0)
    assert outcome.approval_area is outcome.approval_owners is outcome.approval_units is None


def test_zero_area_electorate_cannot_meet_the_area_quorum():
    units = flats("0", "0", "0")
    ballots = votes(yes=[1, 2, 3])
    art278 = decide("art278_half", units, ballots)
    assert art278.turnout_area is None and art278.approval_area is None
    assert art278.turnout_owners == F(1)
    assert not art278.quorum_met and not art278.passed
    assert decide("half_participants", units, ballots).passed


def test_units_may_be_a_one_shot_iterator():
    outcome = decide("art278_half", iter(NINE), votes(yes=range(1, 7)))
    assert outcome.units == 9 and outcome.passed


def test_thresholds_per_rule():
    expected = {
        "simple": (None, F(1, 2), True),
        "half_participants": (None, F(1, 2), True),
        "two_thirds_participants": (None, F(2, 3), False),
        "three_quarters_participants": (None, F(3, 4), False),
        "art278_half": (F(2, 3), F(1, 2), True),
        "art278_three_quarters": (F(2, 3), F(3, 4), False),
    }
    assert set(RULES) == set(expected) and len(RULES) == 6
    for rule, terms in expected.items():
        outcome = decide(rule, TEN, votes(yes=[1]))
        assert (outcome.quorum, outcome.threshold, outcome.strict) == terms
        assert outcome.rule == rule


@pytest.mark.parametrize(
    ("rule", "units", "ballots", "message"),
    [
        pytest.param("majority", TEN, {}, "unknown rule", id="unknown-rule"),
        pytest.param("simple", TEN, {"u99": "yes"}, "not in the electorate", id="stray-ballot"),
        pytest.param("simple", [*TEN, ("u1", "o9", D("50"))], {}, "duplicate", id="duplicate"),
        pytest.param("simple", TEN, {"u1": "Yes"}, "unknown choice", id="capital-yes"),
        pytest.param("simple", TEN, {"u1": "approve"}, "unknown choice", id="other-word"),
        pytest.param("simple", TEN, {"u1": None}, "unknown choice", id="none-choice"),
        pytest.param("simple", TEN, {"u1": ""}, "unknown choice", id="empty-choice"),
        pytest.param("simple", [("u1", "o1", D("-0.01"))], {}, "negative", id="negative"),
        pytest.param("simple", [("u1", "o1", 88.5)], {}, "Decimal", id="float-area"),
        pytest.param("simple", [("u1", "o1", 88)], {}, "Decimal", id="int-area"),
        pytest.param("simple", [("u1", "o1", "88.50")], {}, "Decimal", id="str-area"),
        pytest.param("simple", [("u1", "o1", D("NaN"))], {}, "finite", id="nan-area"),
        pytest.param("simple", [("u1", "o1", D("Infinity"))], {}, "finite", id="inf-area"),
        pytest.param("simple", [("u1", "o1")], {}, "must be", id="short-tuple"),
    ],
)
def test_bad_input_raises(rule, units, ballots, message):
    with pytest.raises(ValueError, match=message):
        decide(rule, units, ballots)


def test_art278_matters():
    assert [code for code, _name, _rule in ART278_MATTERS] == [
        "assembly_rules", "covenant", "committee", "property_manager", "use_fund",
        "raise_fund", "rebuild", "common_use", "other",
    ]
    by_code = {code: (name, rule) for code, name, rule in ART278_MATTERS}
    assert by_code["raise_fund"] == ("筹集建筑物及其附属设施的维修资金", "art278_three_quarters")
    assert by_code["rebuild"] == ("改建、重建建筑物及其附属设施", "art278_three_quarters")
    assert by_code["common_use"] == (
        "改变共有部分的用途或者利用共有部分从事经营活动", "art278_three_quarters",
    )
    assert by_code["use_fund"] == ("使用建筑物及其附属设施的维修资金", "art278_half")
    assert by_code["committee"][1] == by_code["other"][1] == "art278_half"
    three_quarters = {code for code, _name, rule in ART278_MATTERS if rule != "art278_half"}
    assert three_quarters == {"raise_fund", "rebuild", "common_use"}


def test_lift_retrofit_needs_three_quarters():
    # 加装电梯 is 改建 (matter 7).
    assert matter_rule("rebuild") == "art278_three_quarters"
    assert matter_rule("use_fund") == "art278_half"
    with pytest.raises(ValueError, match="unknown"):
        matter_rule("lift")


# --- Properties over small random electorates ---------------------------------------------

AREAS = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)
BALLOT = st.sampled_from([None, "yes", "no", "abstain"])  # None: did not take part


@st.composite
def polls(draw, owner_pool: int = 4):
    n = draw(st.integers(min_value=0, max_value=10))
    owners = draw(st.lists(st.integers(0, owner_pool), min_size=n, max_size=n))
    areas = draw(st.lists(AREAS, min_size=n, max_size=n))
    choices = draw(st.lists(BALLOT, min_size=n, max_size=n))
    units = [(f"u{i}", f"o{o}", a) for i, (o, a) in enumerate(zip(owners, areas, strict=True))]
    ballots = {
        unit_id: choice
        for (unit_id, _, _), choice in zip(units, choices, strict=True)
        if choice is not None
    }
    return units, ballots


SHARES = ("turnout_area", "turnout_owners", "approval_area", "approval_owners",
          "approval_units", "approval_cast")
common = settings(deadline=None, max_examples=150)


@common
@given(st.sampled_from(RULES), polls())
def test_passed_implies_quorum_and_every_step(rule, poll):
    outcome = decide(rule, *poll)
    if outcome.passed:
        assert outcome.quorum_met
    assert outcome.passed == (outcome.quorum_met and all(s.met for s in outcome.steps()))


@common
@given(st.sampled_from(RULES), polls())
def test_shares_are_fractions_between_0_and_1(rule, poll):
    outcome = decide(rule, *poll)
    for name in SHARES:
        share = getattr(outcome, name)
        assert share is None or (type(share) is Fraction and 0 <= share <= 1)


@common
@given(st.sampled_from(RULES), polls())
def test_counts_add_up(rule, poll):
    units, ballots = poll
    o = decide(rule, units, ballots)
    assert o.yes_units + o.no_units + o.abstain_units == o.voted_units == len(ballots)
    assert o.yes_owners + o.no_owners + o.abstain_owners == o.voted_owners <= o.owners
    assert o.yes_area + o.no_area + o.abstain_area == o.voted_area <= o.area
    assert o.area == sum((a for _, _, a in units), D(0))
    assert len(o.split_owners) <= o.abstain_owners
    # Exact: the share times its denominator gives back the Decimal sum.
    if o.approval_area is not None:
        assert o.approval_area * Fraction(o.voted_area) == Fraction(o.yes_area)


@common
@given(st.sampled_from(RULES), polls())
def test_one_more_yes_never_hurts(rule, poll):
    units, ballots = poll
    noes = [unit_id for unit_id, choice in ballots.items() if choice == "no"]
    assume(noes)
    before = decide(rule, units, ballots)
    for unit_id in noes:
        after = decide(rule, units, ballots | {unit_id: "yes"})
        assert after.passed or not before.passed


@common
@given(st.sampled_from(RULES), polls(owner_pool=1000))
def test_one_flat_each_owners_count_like_units(rule, poll):
    units, ballots = poll
    assume(len({owner for _, owner, _ in units}) == len(units))
    o = decide(rule, units, ballots)
    assert (o.yes_owners, o.no_owners, o.abstain_owners) == (
        o.yes_units, o.no_units, o.abstain_units,
    )
    assert o.split_owners == frozenset()


@common
@given(st.sampled_from(RULES), polls())
def test_order_does_not_matter(rule, poll):
    units, ballots = poll
    reordered = dict(reversed(list(ballots.items())))
    assert decide(rule, list(reversed(units)), reordered) == decide(rule, units, ballots)
