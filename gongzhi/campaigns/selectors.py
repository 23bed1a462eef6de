"""Reads for the campaigns pages and API, scoped by area."""

from django.db.models import Count, Prefetch, QuerySet

from gongzhi.areas.models import AreaNode
from gongzhi.areas.selectors import home_path
from gongzhi.campaigns.models import (
    Nomination,
    NominationStatus,
    Selection,
    SelectionCategory,
    Stage,
    Vote,
)
from gongzhi.core.permissions import Perm, can, scope_q
from gongzhi.core.tree import ancestor_paths, subtree_q

NS = NominationStatus
ON_BALLOT = (NS.PASSED, NS.WINNER, NS.NOT_CHOSEN)


def managed_selections(user) -> QuerySet[Selection]:
    """Selections the user organises (community staff and above, for their areas)."""
    return (Selection.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "area_path"))
            .select_related("area__parent"))


def selections_near(user) -> QuerySet[Selection]:
    """What a resident may take part in or read: the public selections of their home's
    community, street …, newest first."""
    home = home_path(user) if getattr(user, "is_authenticated", False) else None
    if not home:
        return Selection.objects.none()
    return (Selection.objects.filter(area_path__in=ancestor_paths(home))
            .exclude(stage=Stage.DRAFT).select_related("area__parent"))


def visible_selection(user, pk: int) -> Selection | None:
    """One selection the user may open: one near their home, or one they organise."""
    return (selections_near(user).filter(pk=pk).first()
            or managed_selections(user).filter(pk=pk).first())


def status_shown(nomination: Nomination, selection: Selection, *, organiser: bool) -> str:
    """A nomination's status as the reader may know it: the confirmed list (当选 / 未当选)
    is the organisers' until it is announced; residents read 审核通过 till then."""
    status = nomination.status
    if (status in (NS.WINNER, NS.NOT_CHOSEN) and selection.stage != Stage.ANNOUNCED
            and not organiser):
        return NS.PASSED
    return status


def standings(category: SelectionCategory) -> QuerySet[Nomination]:
    """Nominations on the ballot with their votes, most first (ties: who came first)."""
    return (category.nominations.filter(status__in=ON_BALLOT).select_related("area__parent")
            .annotate(vote_count=Count("vote_rows")).order_by("-vote_count", "created_at", "id"))


def ballot(selection: Selection) -> list[tuple[SelectionCategory, list[Nomination]]]:
    """Every category with its nominations on the ballot and their votes (two queries)."""
    categories = list(selection.categories.all())
    rows = (Nomination.objects.filter(category__in=categories, status__in=ON_BALLOT)
            .select_related("area__parent").prefetch_related(Prefetch("photos"))
            .annotate(vote_count=Count("vote_rows"))
            .order_by("-vote_count", "created_at", "id"))
    by_category: dict[int, list[Nomination]] = {c.pk: [] for c in categories}
    for row in rows:
        by_category[row.category_id].append(row)
    return [(c, by_category[c.pk]) for c in categories]


def my_votes(selection: Selection, user) -> set[int]:
    """The nominations the user voted for in this selection."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Vote.objects.filter(category__selection=selection, voter=user)
               .values_list("nomination_id", flat=True))


def votes_left(selection: Selection, user) -> dict[int, int]:
    """Votes the user has left, per category (for pages; the action decides)."""
    used: dict[int, int] = {}
    if getattr(user, "is_authenticated", False):
        used = dict(Vote.objects.filter(category__selection=selection, voter=user)
                    .values("category").annotate(n=Count("id")).values_list("category", "n"))
    return {c.pk: max(0, selection.votes_per_category - used.get(c.pk, 0))
            for c in selection.categories.all()}


def my_nominations(selection: Selection, user) -> QuerySet[Nomination]:
    if not getattr(user, "is_authenticated", False):
        return Nomination.objects.none()
    return (Nomination.objects.filter(category__selection=selection, nominated_by=user)
            .select_related("category", "area__parent").order_by("-created_at", "-id"))


def to_review(selection: Selection) -> QuerySet[Nomination]:
    """Nominations waiting for review, oldest first."""
    return (Nomination.objects.filter(category__selection=selection, status=NS.PENDING)
            .select_related("category", "area__parent", "nominated_by").prefetch_related("photos")
            .order_by("created_at", "id"))


def honour_roll(community: AreaNode) -> list[tuple[Selection, list[Nomination]]]:
    """光荣榜: the winners of every announced selection who live or are in ``community``
    (its own selections and the street's), newest first."""
    winners = (Nomination.objects.filter(subtree_q(community.path, "area_path"),
                                         status=NS.WINNER,
                                         category__selection__stage=Stage.ANNOUNCED)
               .select_related("category__selection", "area__parent")
               .order_by("-category__selection__year", "-category__selection__announced_at",
                         "category__order", "id"))
    roll: dict[int, tuple[Selection, list[Nomination]]] = {}
    for winner in winners:
        selection = winner.category.selection
        roll.setdefault(selection.pk, (selection, []))[1].append(winner)
    return list(roll.values())


def may_see_honour(user, community: AreaNode) -> bool:
    """Who reads a community's 光荣榜: its residents, and staff who see or organise it."""
    home = home_path(user) if getattr(user, "is_authenticated", False) else None
    return bool(home and home.startswith(community.path)) or can(
        user, Perm.VIEW_AREA, community) or can(user, Perm.RUN_CAMPAIGNS, community)
