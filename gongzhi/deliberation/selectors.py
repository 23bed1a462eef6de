"""Reads for the deliberation pages and API: what a resident may see, what staff run,
summaries and results."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

# near_home_q lives with the area tree; it stays importable as selectors.near_home_q.
from gongzhi.areas.selectors import near_home_q
from gongzhi.core.permissions import Perm, can, scope_q
from gongzhi.core.tree import ancestor_paths
from gongzhi.deliberation import tally
from gongzhi.deliberation.electorate import home_path, households_of, owner_key
from gongzhi.deliberation.models import (
    Answer,
    Consultation,
    Contest,
    Council,
    Meeting,
    Poll,
    PollStatus,
    Resolution,
    ResolutionStatus,
    Topic,
)

# --- near the user's home ---------------------------------------------------------------------


def concerns(user, area_path: str) -> bool:
    """Does something at ``area_path`` concern the user: their home lies under it, or they
    hold a scope there? (Everything decided is public; this picks what to show first.)"""
    home = home_path(user)
    return bool((home and home.startswith(area_path)) or can(user, Perm.VIEW_AREA, area_path))


def resident_polls(user) -> QuerySet[Poll]:
    """Open and counted polls of the user's neighbourhood, newest first."""
    return (Poll.objects.filter(near_home_q(user)).exclude(status=PollStatus.DRAFT)
            .order_by("-opens_at"))


def resident_topics(user) -> QuerySet[Topic]:
    return (Topic.objects.filter(near_home_q(user)).select_related("council")
            .annotate(n_supports=Count("supports")).order_by("-created_at"))


def consultations_near(user) -> QuerySet[Consultation]:
    home = home_path(user)
    if not home:
        return Consultation.objects.none()
    return Consultation.objects.filter(area_path__in=ancestor_paths(home))


def councils_near(user) -> QuerySet[Council]:
    """Active councils serving the user's home (its building, compound, community …)."""
    return (Council.objects.filter(near_home_q(user), is_active=True)
            .select_related("area").order_by("-area_path", "name"))


def resident_resolutions(user) -> QuerySet[Resolution]:
    """Resolutions of the user's neighbourhood past the draft, newest first."""
    return (Resolution.objects.filter(near_home_q(user))
            .exclude(status=ResolutionStatus.DRAFT).order_by("-created_at", "-id"))


def resident_contests(user) -> QuerySet[Contest]:
    return Contest.objects.filter(near_home_q(user)).order_by("-created_at", "-id")


def open_polls_for(user) -> QuerySet[Poll]:
    """Open polls of the user's neighbourhood and of the councils they sit on (a member
    may live elsewhere), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Poll.objects.none()
    seat = Q(units__member__user=user, units__member__left_on__isnull=True)
    return (Poll.objects.filter(near_home_q(user) | seat, status=PollStatus.OPEN).distinct()
            .order_by("-opens_at", "-id"))


# --- in the area the user runs councils for ---------------------------------------------------


def staff_q(user, field: str = "area_path") -> Q:
    """Rows in the user's RUN_COUNCILS scope. A superuser's is ``Q()``, which a Q "|" drops:
    OR querysets built from it, never the Q itself."""
    return scope_q(user, Perm.RUN_COUNCILS, field)


def staff_councils(user) -> QuerySet[Council]:
    return Council.objects.filter(staff_q(user))


def staff_meetings(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(staff_q(user, "council__area_path"))


def topics_in_scope(user) -> QuerySet[Topic]:
    return Topic.objects.filter(staff_q(user))


def staff_contests(user) -> QuerySet[Contest]:
    """Contests in scope, and those the user judges (a judge need not run councils)."""
    q = staff_q(user)
    if not q:  # a superuser: everything (an empty Q would drop out of the OR below)
        return Contest.objects.all()
    judged = Contest.objects.filter(judges=user).values("pk")
    return Contest.objects.filter(q | Q(pk__in=judged))


def staff_polls(user) -> QuerySet[Poll]:
    return Poll.objects.filter(staff_q(user))


def staff_consultations(user) -> QuerySet[Consultation]:
    return Consultation.objects.filter(staff_q(user))


def staff_resolutions(user) -> QuerySet[Resolution]:
    return Resolution.objects.filter(staff_q(user))


# --- either (the API): near home, or in the user's scope --------------------------------------
# Querysets, not Q objects, are OR-ed: a superuser's scope is Q(), which a Q "|" drops.


def visible_polls(user) -> QuerySet[Poll]:
    """Polls past the draft near home; every poll, drafts too, where the user runs councils."""
    return resident_polls(user) | staff_polls(user)


def visible_topics(user) -> QuerySet[Topic]:
    topics = Topic.objects.filter(near_home_q(user)) | topics_in_scope(user)
    return topics.select_related("council", "area").annotate(n_supports=Count("supports"))


def visible_consultations(user) -> QuerySet[Consultation]:
    return consultations_near(user) | staff_consultations(user)


def visible_resolutions(user) -> QuerySet[Resolution]:
    """Drafts only for those who run councils there; every later step is public."""
    return resident_resolutions(user) | staff_resolutions(user)


# --- summaries --------------------------------------------------------------------------------


@dataclass
class FloorRow:
    floor: int | None
    households: int = 0
    agree: int = 0
    conditional: int = 0
    disagree: int = 0

    @property
    def unanswered(self) -> int:
        return self.households - self.agree - self.conditional - self.disagree


@dataclass
class ConsultationSummary:
    rows: list[FloorRow] = field(default_factory=list)
    # Counted by the matter's art. 278 rule: conditions not yet met (they do not approve)
    # and, beside it, as if every condition were met.
    as_answered: tally.Outcome | None = None
    if_conditions_met: tally.Outcome | None = None
    missing_area: int = 0  # households without a floor area: no area count possible

    @property
    def totals(self) -> FloorRow:
        total = FloorRow(None)
        for row in self.rows:
            for name in ("households", "agree", "conditional", "disagree"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def consultation_summary(consultation: Consultation) -> ConsultationSummary:
    """By floor, and against the matter's thresholds (the lift's 双四分之三)."""
    households = list(households_of(consultation).prefetch_related("residents")
                      .order_by("floor", "unit", "room"))
    answers = {a.household_id: a.answer for a in consultation.answers.all()}
    rows: dict[int | None, FloorRow] = {}
    for h in households:
        row = rows.setdefault(h.floor, FloorRow(h.floor))
        row.households += 1
        answer = answers.get(h.pk)
        if answer:
            setattr(row, answer, getattr(row, answer) + 1)
    summary = ConsultationSummary(rows=sorted(rows.values(), key=lambda r: (r.floor is None,
                                                                             r.floor or 0)))
    summary.missing_area = sum(1 for h in households if h.floor_area is None)
    if summary.missing_area:
        return summary
    units = [(h.pk, owner_key(h), h.floor_area or Decimal("0")) for h in households]
    rule = tally.matter_rule(consultation.matter)
    strict = {pk: {"agree": "yes", "disagree": "no", "conditional": "abstain"}[a]
              for pk, a in answers.items()}
    hopeful = {pk: "no" if a == Answer.DISAGREE else "yes" for pk, a in answers.items()}
    summary.as_answered = tally.decide(rule, units, strict)
    summary.if_conditions_met = tally.decide(rule, units, hopeful)
    return summary
