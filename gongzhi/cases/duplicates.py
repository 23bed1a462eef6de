"""Similar open cases nearby: "is it one of these? add yourself" (附议) before a new report."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.areas.models import GRID_KINDS, AreaKind, AreaNode
from gongzhi.cases.models import OPEN_STATUSES, Case
from gongzhi.cases.text import terms as split_terms
from gongzhi.core.tree import ancestor_paths, subtree_q

THRESHOLD = 0.25
RECENT_DAYS = 90
# Enough for a busy grid's open cases; never the whole ledger.
CANDIDATE_CAP = 300


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def neighbourhood(area: AreaNode) -> AreaNode:
    """The grid around ``area`` (the nearest grid at or above it), else its community."""
    nodes = list(AreaNode.objects.filter(
        path__in=ancestor_paths(area.path), kind__in=(*GRID_KINDS, AreaKind.COMMUNITY)))
    grids = [n for n in nodes if n.kind in GRID_KINDS]
    nearest = max(grids or nodes, key=lambda n: n.depth, default=None)
    return nearest or area


def _candidates(path: str, *, since, exclude_id: int | None, skip_path: str | None = None):
    qs = Case.objects.filter(subtree_q(path, "area_path"), status__in=OPEN_STATUSES,
                             created_at__gte=since)
    if skip_path:
        qs = qs.exclude(subtree_q(skip_path, "area_path"))
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.select_related("area", "category").order_by("-created_at", "-id")[:CANDIDATE_CAP]


def similar_open_cases(*, text: str, area: AreaNode, limit: int = 5,
                       exclude_id: int | None = None) -> list[tuple[Case, float]]:
    """Open cases of the last 90 days in the same building or grid whose words overlap
    ``text`` (Jaccard ≥ 0.25), best first; on a tie the same building, then the newest, wins.
    """
    words = set(split_terms(text or ""))
    if not words or area is None or limit <= 0:
        return []
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    building = area if area.kind == AreaKind.BUILDING else None
    scope = neighbourhood(area)
    pools = []
    if building is not None:
        pools.append((0, _candidates(building.path, since=since, exclude_id=exclude_id)))
    pools.append((1, _candidates(scope.path, since=since, exclude_id=exclude_id,
                                 skip_path=building.path if building else None)))
    scored = []
    for rank, pool in pools:
        for case in pool:
            their = set(case.terms.split()) if case.terms else set(
                split_terms(f"{case.title} {case.description}"))
            score = jaccard(words, their)
            if score >= THRESHOLD:
                scored.append((-score, rank, -case.created_at.timestamp(), case))
    scored.sort(key=lambda row: row[:3])
    return [(case, -neg) for neg, _rank, _when, case in scored[:limit]]
