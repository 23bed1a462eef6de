"""A poll's count, kept as plain numbers with the poll and read back for the result page.

The count is ``tally.decide`` over the frozen electorate and the ballots. A choice among
plans is decided plan by plan: a ballot for the plan is "yes", for another plan "no", an
abstention stays one; the plan that passes with the most approving area (then headcount)
is adopted, and none if none passes.
"""

from dataclasses import asdict
from decimal import Decimal
from fractions import Fraction

from gongzhi.deliberation import tally


def _plain(value):
    """JSON-safe: Fractions as "3/4", Decimals as text, sets as sorted lists."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(str(v) for v in value)
    return value


def outcome_dict(outcome: tally.Outcome) -> dict:
    data = {k: _plain(v) for k, v in asdict(outcome).items()}
    # Kept with the poll as a number: the owners' keys are ID numbers, which the count
    # does not need and nobody reading the result may see.
    data["split_owners"] = len(outcome.split_owners)
    data["steps"] = [{k: _plain(v) for k, v in asdict(step).items()}
                     for step in outcome.steps()]
    return data


def fraction(text: str | None) -> Fraction | None:
    return Fraction(text) if text else None


def electorate_and_ballots(poll) -> tuple[list[tuple], dict, dict]:
    """(units, yes/no/abstain by unit, option by unit) from the database."""
    units = [(u.pk, u.owner_key, u.area) for u in poll.units.all()]
    choices, options = {}, {}
    for unit_id, choice, option_id in poll.ballots.values_list("unit_id", "choice",
                                                               "option_id"):
        choices[unit_id] = choice
        if option_id:
            options[unit_id] = option_id
    return units, choices, options


def count_poll(poll) -> dict:
    units, choices, options = electorate_and_ballots(poll)
    plans = list(poll.options.all())
    if not plans:
        return outcome_dict(tally.decide(poll.rule, units, choices))
    per_plan = []
    for plan in plans:
        ballots = {u: ("abstain" if c == "abstain" else "yes" if options.get(u) == plan.pk
                       else "no") for u, c in choices.items()}
        result = tally.decide(poll.rule, units, ballots)
        per_plan.append((plan, result))
    passing = [(plan, r) for plan, r in per_plan if r.passed]
    winner = max(passing, key=lambda pr: (pr[1].yes_area, pr[1].yes_owners, pr[1].yes_units,
                                          -pr[0].order), default=None)
    first = per_plan[0][1]
    data = outcome_dict(first)
    data.update(passed=winner is not None, adopted=winner[0].pk if winner else None,
                plans=[{"id": plan.pk, "label": plan.label, **outcome_dict(r)}
                       for plan, r in per_plan])
    return data
