"""Reads of renewal: who sees which projects, and the sums every page shows.

Money is added up here from the rows (never stored), so the project page, the street's
board, the Excel ledger and the funding notice always agree.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.renewal.models import (
    Allocation,
    Category,
    CompoundRecord,
    FundingSource,
    ItemStatus,
    Payment,
    Project,
    SourceKind,
    Stage,
    Survey,
    SurveyOption,
    SurveyResponse,
    WorkItem,
)

ZERO = Decimal("0")


def staff_projects(user) -> QuerySet[Project]:
    """Projects in the areas this user manages renovation for."""
    return Project.objects.filter(scope_q(user, Perm.MANAGE_RENEWAL, "area_path"))


def staff_records(user) -> QuerySet[CompoundRecord]:
    return CompoundRecord.objects.filter(scope_q(user, Perm.MANAGE_RENEWAL, "area_path"))


def resident_projects(user) -> QuerySet[Project]:
    """The projects of the resident's own compound (what residents follow on the phone)."""
    resident = getattr(user, "resident", None)
    if resident is None:
        return Project.objects.none()
    path = resident.household.area_path
    return Project.objects.filter(
        compounds__path__in=ancestor_paths(path)).distinct()


def visible_projects(user) -> QuerySet[Project]:
    """Staff's projects, the resident's own, and those they serve on (supervisor, …)."""
    if getattr(user, "is_superuser", False):
        return Project.objects.all()
    mine = Q(pk__in=resident_projects(user).values("pk"))
    if getattr(user, "is_authenticated", False):
        mine |= Q(members__user=user, members__left_at__isnull=True)
        mine |= Q(items__contractor__in=user.organisations.filter(is_active=True))
    return Project.objects.filter(scope_q(user, Perm.MANAGE_RENEWAL, "area_path") | mine
                                  ).distinct()


def projects_of_year(user, year: int) -> QuerySet[Project]:
    """The street's board: the year's projects (by batch year, else by planned start)."""
    return staff_projects(user).filter(Q(batch__year=year)
                                       | Q(batch__isnull=True, planned_start__year=year))


# --- the plan -------------------------------------------------------------------------------


def plan_by_category(project: Project) -> list[tuple[str, list[WorkItem], Decimal]]:
    """(category label, items, budget) for every category that has items, in plan order."""
    items = list(project.items.select_related("contractor", "need"))
    out = []
    for value, label in Category.choices:
        mine = [i for i in items if i.category == value]
        if mine:
            out.append((str(label), mine, sum((i.budget for i in mine), ZERO)))
    return out


def progress_of(rows) -> int:
    """Progress over (budget, progress, status) rows, weighted by budget (an item without a
    budget counts as one yuan); finished and accepted items count in full."""
    rows = list(rows)
    if not rows:
        return 0
    weight = sum((max(b, Decimal("1")) for b, _p, _s in rows), ZERO)
    done = sum((max(b, Decimal("1")) * (100 if s in (ItemStatus.FINISHED, ItemStatus.ACCEPTED)
                                        else p) for b, p, s in rows), ZERO)
    return int(done / weight)


def progress_percent(project: Project) -> int:
    return progress_of(project.items.values_list("budget", "progress", "status"))


def progress_percents(project_ids: list[int]) -> dict[int, int]:
    """Every project's progress in one query (lists and the board)."""
    rows: dict[int, list] = defaultdict(list)
    for pk, *row in WorkItem.objects.filter(project_id__in=project_ids).values_list(
            "project_id", "budget", "progress", "status"):
        rows[pk].append(row)
    return {pk: progress_of(rows[pk]) for pk in project_ids}


# --- money ----------------------------------------------------------------------------------


@dataclass
class SourceRow:
    kind: str
    label: str
    amount: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO


@dataclass
class CategoryRow:
    category: str
    label: str
    budget: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO


@dataclass
class FundingSummary:
    by_source: list[SourceRow] = field(default_factory=list)
    by_category: list[CategoryRow] = field(default_factory=list)

    @property
    def budget(self) -> Decimal:
        return sum((r.budget for r in self.by_category), ZERO)

    @property
    def raised(self) -> Decimal:
        return sum((r.amount for r in self.by_source), ZERO)

    @property
    def committed(self) -> Decimal:
        return sum((r.committed for r in self.by_source), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((r.spent for r in self.by_source), ZERO)

    def source(self, kind: str) -> SourceRow:
        return next((r for r in self.by_source if r.kind == kind),
                    SourceRow(kind, str(SourceKind(kind).label)))

    @property
    def residents_spent(self) -> Decimal:
        return self.source(SourceKind.RESIDENTS).spent

    @property
    def residents_share(self) -> Decimal | None:
        """Residents' part of the money raised for the project (自筹比例)."""
        if not self.raised:
            return None
        return self.source(SourceKind.RESIDENTS).amount / self.raised

    @property
    def residents_spent_share(self) -> Decimal | None:
        """Residents' part of what has been paid out so far (what they actually paid)."""
        if not self.spent:
            return None
        return self.residents_spent / self.spent

    @staticmethod
    def percent(share: Decimal | None) -> str:
        return "—" if share is None else f"{share * 100:.1f}%"

    @property
    def residents_share_text(self) -> str:
        return self.percent(self.residents_share)

    @property
    def residents_spent_share_text(self) -> str:
        return self.percent(self.residents_spent_share)


def _sums(model, project: Project, key: str) -> dict:
    rows = (model.objects.filter(item__project=project).values(key)
            .annotate(total=Sum("amount")))
    return {row[key]: row["total"] or ZERO for row in rows}


def _summary(amounts: dict, budgets: dict, committed: dict, spent: dict) -> FundingSummary:
    """``committed`` and ``spent`` are keyed (source kind, category)."""

    def by(sums: dict, index: int, value: str) -> Decimal:
        return sum((v for k, v in sums.items() if k[index] == value), ZERO)

    summary = FundingSummary()
    for kind, label in SourceKind.choices:
        c, s = by(committed, 0, kind), by(spent, 0, kind)
        if kind in amounts or c or s:
            summary.by_source.append(SourceRow(kind, str(label), amounts.get(kind, ZERO), c, s))
    for value, label in Category.choices:
        if value in budgets:
            summary.by_category.append(CategoryRow(value, str(label), budgets[value] or ZERO,
                                                   by(committed, 1, value),
                                                   by(spent, 1, value)))
    return summary


def funding_summaries(project_ids: list[int]) -> dict[int, FundingSummary]:
    """Every project's summary in four grouped queries, however many projects (the board)."""
    amounts: dict[int, dict] = defaultdict(dict)
    for pk, kind, amount in FundingSource.objects.filter(project_id__in=project_ids
                                                         ).values_list("project_id", "kind",
                                                                       "amount"):
        amounts[pk][kind] = amount
    budgets: dict[int, dict] = defaultdict(dict)
    for pk, category, total in (WorkItem.objects.filter(project_id__in=project_ids)
                                .values_list("project_id", "category")
                                .annotate(total=Sum("budget"))):
        budgets[pk][category] = total
    moved: dict[str, dict[int, dict]] = {"committed": defaultdict(dict),
                                         "spent": defaultdict(dict)}
    for model, key in ((Allocation, "committed"), (Payment, "spent")):
        for pk, kind, category, total in (model.objects.filter(item__project_id__in=project_ids)
                                          .values_list("item__project_id", "source__kind",
                                                       "item__category")
                                          .annotate(total=Sum("amount"))):
            moved[key][pk][kind, category] = total or ZERO
    return {pk: _summary(amounts[pk], budgets[pk], moved["committed"][pk], moved["spent"][pk])
            for pk in project_ids}


def funding_summary(project: Project) -> FundingSummary:
    """Raised, committed and spent by source; budget, committed and spent by category."""
    return funding_summaries([project.pk])[project.pk]


def item_money(project: Project) -> dict[int, tuple[Decimal, Decimal]]:
    """item id → (committed, spent)."""
    committed = _sums(Allocation, project, "item_id")
    spent = _sums(Payment, project, "item_id")
    return {pk: (committed.get(pk, ZERO), spent.get(pk, ZERO))
            for pk in project.items.values_list("pk", flat=True)}


# --- the survey -----------------------------------------------------------------------------


@dataclass
class OptionResult:
    option: SurveyOption
    households: int
    by_building: dict[int, int]


@dataclass
class SurveyResults:
    households: int  # households in the compounds
    answered: int
    online: int
    door: int
    options: list[OptionResult]
    buildings: list[tuple[int, str, int, int]]  # (id, name, households, answered)

    @property
    def rate(self) -> float:
        return self.answered / self.households if self.households else 0.0


def survey_results(survey: Survey) -> SurveyResults:
    """How many households asked for each work, overall and by building."""
    from gongzhi.areas.models import AreaNode
    from gongzhi.renewal.actions.survey import project_households

    households = project_households(survey.project)
    per_building = dict(households.values("building_id").annotate(n=Count("pk"))
                        .values_list("building_id", "n"))
    responses = SurveyResponse.objects.filter(survey=survey)
    answered = dict(responses.values("building_id_copy").annotate(n=Count("pk"))
                    .values_list("building_id_copy", "n"))
    by_source = dict(responses.values("source").annotate(n=Count("pk"))
                     .values_list("source", "n"))
    picks: dict[int, dict[int, int]] = {}
    through = SurveyResponse.choices.through.objects.filter(surveyresponse__survey=survey)
    for option_id, building_id, n in (through.values("surveyoption_id",
                                                     "surveyresponse__building_id_copy")
                                      .annotate(n=Count("pk")).values_list(
                                          "surveyoption_id", "surveyresponse__building_id_copy",
                                          "n")):
        picks.setdefault(option_id, {})[building_id] = n
    options = [OptionResult(o, sum(picks.get(o.pk, {}).values()), picks.get(o.pk, {}))
               for o in survey.options.all()]
    names = dict(AreaNode.objects.filter(pk__in=per_building).values_list("pk", "name"))
    buildings = sorted(((pk, names.get(pk, ""), n, answered.get(pk, 0))
                        for pk, n in per_building.items()), key=lambda r: r[1])
    return SurveyResults(households=sum(per_building.values()),
                         answered=sum(answered.values()), online=by_source.get("online", 0),
                         door=by_source.get("door", 0), options=options, buildings=buildings)


def compound_cases(project: Project):
    """Cases of the project's compounds reported since the project was created (the
    follow-up the street watches during and after the works)."""
    from gongzhi.cases.models import Case

    q = Q(pk__in=[])
    for path in project.compounds.values_list("path", flat=True):
        q |= subtree_q(path, "area_path")
    return Case.objects.filter(q, created_at__gte=project.created_at).order_by("-created_at")


STAGES = list(Stage)
