"""Category suggestions learned from how staff classify cases (naive Bayes over case terms).

Every accepted or reclassified case adds one to (category, term) for each distinct term of its
text. A new text is scored against each active category with a multinomial naive-Bayes score
(Laplace smoothing); the category's configured keywords count as evidence already seen, so the
suggestions work on day one and learning takes over as the history grows.
"""

import math
import re
from functools import lru_cache

from django.db.models import Count, F, Sum

from gongzhi.cases.models import Case, Category, CategoryTerm
from gongzhi.cases.text import terms as split_terms

TERM_MAX = CategoryTerm._meta.get_field("term").max_length
# Each configured keyword counts as if it had been seen in this many classified cases.
KEYWORD_WEIGHT = 3
# Laplace smoothing.
ALPHA = 1.0
# "3栋" says where, not what: building numbers teach nothing about the category.
_PLACE = re.compile(r"^\d+栋$")


def _relevant(words: list[str]) -> list[str]:
    """Distinct words in first-seen order, without places, short enough to store."""
    return [t for t in dict.fromkeys(words) if len(t) <= TERM_MAX and not _PLACE.match(t)]


def _case_terms(case: Case) -> list[str]:
    return _relevant(case.terms.split() if case.terms
                     else split_terms(f"{case.title} {case.description}"))


def learn(case: Case, *, unlearn: Category | None = None) -> None:
    """Count the case's terms for its category (call inside the classifying transaction).

    ``unlearn``: the category the case was filed under before a reclassification, whose counts
    for these terms drop by one again — the staff said it was wrong.
    """
    words = _case_terms(case)
    if not words:
        return
    if unlearn is not None and unlearn.pk != case.category_id:
        CategoryTerm.objects.filter(category=unlearn, term__in=words, count__gt=0).update(
            count=F("count") - 1)
    if case.category_id is None:
        return
    # Create missing rows at zero, then increment all: no lost update when two staff classify
    # at once (the insert never overwrites, the update takes the row lock).
    CategoryTerm.objects.bulk_create(
        [CategoryTerm(category_id=case.category_id, term=t, count=0) for t in words],
        ignore_conflicts=True,
    )
    CategoryTerm.objects.filter(category_id=case.category_id, term__in=words).update(
        count=F("count") + 1)


@lru_cache(maxsize=512)
def _keyword_terms(name: str, keywords: str) -> frozenset[str]:
    """The category's name and keywords as the terms a case text would give
    ("路灯不亮" → 路灯, 坏), so a category an administrator just added is found by its name.
    """
    out = set(split_terms(name))
    for keyword in keywords.split():
        out.update(split_terms(keyword) or [keyword.lower()])
    return frozenset(out)


def suggest_categories(text: str, limit: int = 3) -> list[tuple[Category, float]]:
    """The ``limit`` likeliest categories for ``text``, best first, each with a score in [0, 1].

    The score is the naive-Bayes posterior among all active categories. Only categories with
    some evidence (a learned count, a keyword or a word of the name) are offered; with no
    evidence at all the answer is []. Two queries whatever the history size.
    """
    words = _relevant(split_terms(text or ""))
    if not words or limit <= 0:
        return []
    categories = list(
        Category.objects.filter(is_active=True)
        .annotate(learned_total=Sum("terms__count"), learned_vocab=Count("terms"))
        .order_by("order", "code")
    )
    parents = {c.parent_id for c in categories if c.parent_id}
    leaves = [c for c in categories if c.pk not in parents]
    if not leaves:
        return []
    counts: dict[int, dict[str, int]] = {}
    for row in CategoryTerm.objects.filter(term__in=words, count__gt=0,
                                           category__in=[c.pk for c in leaves]).values_list(
            "category_id", "term", "count"):
        counts.setdefault(row[0], {})[row[1]] = row[2]

    keyword_sets = {c.pk: _keyword_terms(c.name, c.keywords) for c in leaves}
    # Vocabulary size for smoothing: an upper bound (terms shared by categories count twice).
    vocab = sum((c.learned_vocab or 0) + len(keyword_sets[c.pk]) for c in leaves) + len(words)
    log_scores: dict[int, float] = {}
    evidence: set[int] = set()
    for c in leaves:
        keywords, learned = keyword_sets[c.pk], counts.get(c.pk, {})
        total = (c.learned_total or 0) + KEYWORD_WEIGHT * len(keywords)
        # A mild prior: categories staff use often are likelier, but none is ruled out.
        score = math.log(total + vocab)
        for t in words:
            seen = learned.get(t, 0) + (KEYWORD_WEIGHT if t in keywords else 0)
            if seen:
                evidence.add(c.pk)
            score += math.log((seen + ALPHA) / (total + ALPHA * vocab))
        log_scores[c.pk] = score
    if not evidence:
        return []
    # Softmax over every candidate, so a weak lone match does not look certain.
    top = max(log_scores.values())
    norm = sum(math.exp(s - top) for s in log_scores.values())
    ranked = sorted((c for c in leaves if c.pk in evidence),
                    key=lambda c: (-log_scores[c.pk], c.order, c.code))
    return [(c, math.exp(log_scores[c.pk] - top) / norm) for c in ranked[:limit]]
