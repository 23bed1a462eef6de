"""Renewal's section of the resident home page, and the reads the residents' pages share:
which projects are "mine" and what waits for me on each (the survey, my sign-offs)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from gongzhi.areas.selectors import resident_at_home
from gongzhi.renewal.models import (
    ItemStatus,
    MemberRole,
    Party,
    Project,
    Stage,
    Survey,
    SurveyResponse,
    SurveyStatus,
    WorkItem,
)
from gongzhi.renewal.selectors import resident_projects, visible_projects


def my_projects(user) -> QuerySet[Project]:
    """My compound's projects and those I serve on (supervisor, representative)."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    serving = Q(members__user=user, members__left_at__isnull=True)
    return (visible_projects(user)
            .filter(Q(pk__in=resident_projects(user).values("pk")) | serving)
            .order_by("-created_at", "-id"))


def nav_url(request: HttpRequest) -> str | None:
    """The residents' menu's 小区改造, shown only to those with a project on /renewal/
    (their compound's, or one they serve on): one EXISTS query. The resident's household
    comes from the read the menu shares (``resident_at_home``), not from queries of its own."""
    resident_at_home(request.user)
    if not my_projects(request.user).exists():
        return None
    return reverse("renewal:home")


def my_roles(user, project: Project) -> set[str]:
    """The roles I hold on ``project`` now (supervisor, representative)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(project.members.filter(user=user, left_at__isnull=True)
               .values_list("role", flat=True))


def open_survey(project: Project) -> Survey | None:
    """The project's survey while residents may answer it."""
    survey = Survey.objects.filter(project=project).first()
    if survey is None or survey.status != SurveyStatus.OPEN or survey.closes_at <= timezone.now():
        return None
    return survey


def household_response(user, survey: Survey) -> SurveyResponse | None:
    """My household's answer to ``survey``, whoever in the household gave it."""
    resident = getattr(user, "resident", None)
    if resident is None:
        return None
    return (SurveyResponse.objects.filter(survey=survey, household_id=resident.household_id)
            .select_related("answered_by__resident").first())


def survey_waiting(user, project: Project) -> Survey | None:
    """The open survey when my household lives in the project and has not answered yet."""
    from gongzhi.renewal.actions.survey import project_households

    survey = open_survey(project)
    resident = getattr(user, "resident", None)
    if survey is None or resident is None:
        return None
    if not project_households(project).filter(pk=resident.household_id).exists():
        return None
    return None if household_response(user, survey) else survey


def awaiting_signoff(user, project: Project) -> QuerySet[WorkItem]:
    """Finished items the residents' side has yet to sign, when I am a representative."""
    if project.stage != Stage.ACCEPTANCE or MemberRole.REPRESENTATIVE not in my_roles(
            user, project):
        return WorkItem.objects.none()
    signed = Q(signoffs__party=Party.RESIDENTS, signoffs__superseded=False)
    return project.items.filter(status=ItemStatus.FINISHED).exclude(signed)


def resident_panel(request: HttpRequest) -> dict[str, Any] | None:
    """My compound's renovation: how many projects, and what waits for me."""
    projects = list(my_projects(request.user)[:20])
    if not projects:
        return None
    user = request.user
    surveys = sum(1 for p in projects if survey_waiting(user, p) is not None)
    signoffs = sum(awaiting_signoff(user, p).count() for p in projects)
    return {"projects": projects, "count": len(projects), "surveys": surveys,
            "signoffs": signoffs, "awaiting": surveys + signoffs}
