"""Reads for the notice pages and API: who sees which notice, and in what state it is.

A published notice is public to everyone it concerns: the residents living under its area
(a notice at their community, street or building), and staff who view the area. Withdrawn
notices stay visible, marked, so nobody wonders where they went; drafts never are public.
"""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.selectors import near_home_q
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.core.tree import ancestor_paths
from gongzhi.notices.models import Notice, NoticeStatus, Objection, ObjectionStatus

PAGE_SIZE = 50
PUBLIC_STATUSES = (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)
STATE_LABELS = {"draft": _("草稿"), "in_period": _("公示中"), "ended": _("公示期满"),
                "withdrawn": _("已撤回")}
# The colour chips of gongzhi.css: one colour language everywhere.
STATE_CSS = {"draft": "status-due-soon", "in_period": "status-on-time",
             "ended": "status-closed", "withdrawn": "status-overdue"}



def _seen_q(user) -> Q:
    """Where the user may read notices: home and above; for staff, their view scope and
    the levels above it (a street's notice concerns every community of the street)."""
    if getattr(user, "is_superuser", False):
        return Q()
    q = near_home_q(user)
    roots = scope_paths(user, Perm.VIEW_AREA)
    if roots:
        q |= scope_q(user, Perm.VIEW_AREA, "area_path")
        q |= Q(area_path__in={p for root in roots for p in ancestor_paths(root)})
    return q


def public_notices(user) -> QuerySet[Notice]:
    """Published and withdrawn notices the user may read, newest first."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return Notice.objects.none()
    return (Notice.objects.filter(status__in=PUBLIC_STATUSES).filter(_seen_q(user))
            .select_related("area").order_by("-published_at", "-id"))


def in_period_notices(user, now: datetime | None = None) -> QuerySet[Notice]:
    """Published notices the user may read whose notice period is running now."""
    now = now or timezone.now()
    return public_notices(user).filter(status=NoticeStatus.PUBLISHED, published_at__lte=now,
                                       period_ends_at__gte=now)


def may_manage_any(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or scope_paths(user, Perm.PUBLISH_NOTICES))


def managed_notices(user) -> QuerySet[Notice]:
    """Every notice in the user's PUBLISH_NOTICES scope (drafts included), with the number
    of objections still waiting for an answer."""
    open_q = Q(objections__status=ObjectionStatus.OPEN)
    return (Notice.objects.filter(scope_q(user, Perm.PUBLISH_NOTICES, "area_path"))
            .select_related("area")
            .annotate(unanswered=Count("objections", filter=open_q))
            .order_by("-created_at", "-id"))


def managed_counts(user) -> dict[str, int]:
    """How many managed notices there are, in all and by status (one aggregate query)."""
    rows = Notice.objects.filter(scope_q(user, Perm.PUBLISH_NOTICES, "area_path")).order_by()
    return rows.aggregate(all=Count("pk"), **{
        status: Count("pk", filter=Q(status=status)) for status in NoticeStatus.values})


def existing_objection(notice: Notice, user, text: str) -> Objection | None:
    """The same objection by the same person, already on record (a double tap or a retry)."""
    if not getattr(user, "pk", None):
        return None
    return notice.objections.filter(author=user, text=text.strip()).first()


def objections_of(notice: Notice) -> QuerySet[Objection]:
    return notice.objections.select_related("author", "answered_by").order_by("created_at", "id")


def state(notice: Notice, now: datetime | None = None) -> str:
    """draft / in_period (公示中) / ended (公示期满) / withdrawn (已撤回)."""
    if notice.status == NoticeStatus.DRAFT:
        return "draft"
    if notice.status == NoticeStatus.WITHDRAWN:
        return "withdrawn"
    now = now or timezone.now()
    if notice.period_ends_at is not None and now > notice.period_ends_at:
        return "ended"
    return "in_period"
