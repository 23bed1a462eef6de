"""Reads of 网格合伙人, scoped by area: the posts near a resident, the staff's posts and
applications, a person's partnerships, and the counts of what each partner did."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaNode
from gongzhi.areas.selectors import home_path
from gongzhi.campaigns.models import (
    ApplicationStatus,
    PartnerApplication,
    PartnerPost,
    PatrolStatus,
    PatrolTask,
)
from gongzhi.cases.models import Case, Status
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import PATH_STEP, ancestor_paths, subtree_q

AS = ApplicationStatus
COMMUNITY_DEPTH = 4  # city › district › street › community
# A case a partner was given counts as done once it is resolved, archived or merged away.
DONE_CASE_STATUSES = (Status.RESOLVED, Status.ARCHIVED)


def community_path(area_path: str) -> str:
    """The community a grid belongs to."""
    return area_path[:COMMUNITY_DEPTH * PATH_STEP]


def org_serves(organisation, area_path: str) -> bool:
    """An organisation serves the area when one of its areas is in it or contains it."""
    return any(p.startswith(area_path) or area_path.startswith(p)
               for p in organisation.areas.values_list("path", flat=True))


# --- posts --------------------------------------------------------------------------------


def open_posts_near(user) -> QuerySet[PartnerPost]:
    """Open posts of the grids of the resident's community (and of grids their shop or
    property company serves), still taking applications."""
    if not getattr(user, "is_authenticated", False):
        return PartnerPost.objects.none()
    q = Q(pk__in=[])
    home = home_path(user)
    if home:
        q |= subtree_q(community_path(home), "area_path")
    for org in user.organisations.filter(is_active=True).prefetch_related("areas"):
        for area in org.areas.all():
            q |= subtree_q(community_path(area.path), "area_path")
    return (PartnerPost.objects.filter(q, is_open=True, closes_on__gte=timezone.localdate())
            .select_related("area"))


def partner_entry_posts(user) -> QuerySet[PartnerPost]:
    """What brings 网格合伙人 to a resident: a post open in my community, or one I applied
    to."""
    if not getattr(user, "is_authenticated", False):
        return PartnerPost.objects.none()
    home = home_path(user)
    q = Q(applications__applicant=user)
    if home:
        q |= subtree_q(community_path(home), "area_path") & Q(
            is_open=True, closes_on__gte=timezone.localdate())
    return PartnerPost.objects.filter(q)


def managed_posts(user) -> QuerySet[PartnerPost]:
    """Posts in the user's RUN_CAMPAIGNS scope, with the places taken and pending count."""
    return (PartnerPost.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "area_path"))
            .select_related("area").annotate(
                n_accepted=Count("applications", filter=Q(applications__status=AS.ACCEPTED)),
                n_pending=Count("applications", filter=Q(applications__status=AS.PENDING))))


def managed_applications(user) -> QuerySet[PartnerApplication]:
    return (PartnerApplication.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "area_path"))
            .select_related("post__area", "applicant", "organisation"))


def field_partners(user) -> QuerySet[PartnerApplication]:
    """Accepted partners the user may give patrols to: their INSPECT or RUN_CAMPAIGNS scope."""
    q = scope_q(user, Perm.INSPECT, "area_path") | scope_q(user, Perm.RUN_CAMPAIGNS, "area_path")
    return (PartnerApplication.objects.filter(q, status=AS.ACCEPTED)
            .select_related("post__area", "applicant", "organisation"))


def patrols_in_scope(user) -> QuerySet[PatrolTask]:
    q = scope_q(user, Perm.INSPECT, "area_path") | scope_q(user, Perm.RUN_CAMPAIGNS, "area_path")
    return PatrolTask.objects.filter(q).select_related("partner__applicant", "partner__post")


# --- a person's partnerships ------------------------------------------------------------


def my_applications(user) -> QuerySet[PartnerApplication]:
    if not getattr(user, "is_authenticated", False):
        return PartnerApplication.objects.none()
    return (PartnerApplication.objects.filter(applicant=user)
            .select_related("post__area", "organisation"))


def my_patrols(user) -> QuerySet[PatrolTask]:
    return (PatrolTask.objects.filter(partner__applicant=user)
            .select_related("partner__post__area", "case"))


def is_grid_partner(user, case) -> bool:
    """An accepted partner of a grid holding the case's place (cases may be dispatched to
    them: registered with ``cases.permissions.register_assignees``)."""
    return PartnerApplication.objects.filter(
        applicant=user, status=AS.ACCEPTED, area_path__in=ancestor_paths(case.area_path)
    ).exists()


def grid_partner_users(case) -> QuerySet:
    """The accepted partners of the grids holding the case's place, for the dispatch form."""
    return User.objects.filter(partner_applications__status=AS.ACCEPTED,
                               partner_applications__area_path__in=ancestor_paths(
                                   case.area_path))


def assigned_cases(application: PartnerApplication) -> QuerySet[Case]:
    """Cases of the partner's grid dispatched to the partner in person."""
    return (Case.objects.filter(subtree_q(application.area_path, "area_path"),
                                assignee_id=application.applicant_id)
            .order_by("-created_at", "-id"))


# --- contributions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    partner: PartnerApplication
    patrols_done: int
    problems_reported: int
    cases_assigned: int
    cases_done: int


def contributions(partners) -> list[Contribution]:
    """Per partner: patrols done, problems reported from patrols (cases), cases of the grid
    dispatched to them and how many of those are resolved or archived. Three queries."""
    partners = list(partners)
    ids = [p.pk for p in partners]
    patrols = {row["partner"]: row for row in PatrolTask.objects.filter(partner__in=ids)
               .values("partner").annotate(
                   done=Count("pk", filter=Q(status=PatrolStatus.DONE)),
                   problems=Count("pk", filter=Q(case__isnull=False))).order_by()}
    cases: dict[int, tuple[int, int]] = {}
    users = {p.applicant_id for p in partners}
    rows = (Case.objects.filter(assignee_id__in=users).values("assignee_id", "area_path")
            .annotate(n=Count("pk"), done=Count("pk", filter=Q(status__in=DONE_CASE_STATUSES)))
            .order_by())
    for row in rows:
        for p in partners:
            if p.applicant_id == row["assignee_id"] and row["area_path"].startswith(p.area_path):
                n, done = cases.get(p.pk, (0, 0))
                cases[p.pk] = (n + row["n"], done + row["done"])
    return [Contribution(p, patrols.get(p.pk, {}).get("done", 0),
                         patrols.get(p.pk, {}).get("problems", 0), *cases.get(p.pk, (0, 0)))
            for p in partners]


def community_summary(user, month_start) -> list[dict]:
    """For street staff: per community in their scope, posts open, partners, patrols done
    since ``month_start``."""
    communities = AreaNode.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "path"),
                                          kind="community").order_by("path")
    out = []
    for c in communities:
        within = subtree_q(c.path, "area_path")
        out.append({
            "community": c,
            "posts": PartnerPost.objects.filter(within, is_open=True).count(),
            "partners": PartnerApplication.objects.filter(within, status=AS.ACCEPTED).count(),
            "patrols": PatrolTask.objects.filter(within, status=PatrolStatus.DONE,
                                                 done_at__gte=month_start).count(),
        })
    return out
