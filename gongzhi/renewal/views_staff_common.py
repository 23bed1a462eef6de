"""Helpers the renewal console pages share: who gets in, one project or item in scope, and
the form and paging helpers of ``gongzhi.core.pages``.

The pages: views_staff (projects list, new project and batch, the project page),
views_staff_plan (the plan, its vote and approval, the stage steps), views_staff_works
(works on site, members, acceptance, long-term management) and views_staff_survey.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongzhi.core.pages import (  # noqa: F401  (re-exported)
    PAGE_SIZE,
    apply_errors,
    one_or_404,
    page_of,
    run_form,
    run_step,
)
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.renewal import selectors
from gongzhi.renewal.models import Project, WorkItem

T = "renewal/staff/"
PROJECT_RELATED = ("area", "batch", "poll", "consultation", "resolution", "manager",
                   "funding_notice")


def require_manager_somewhere(user) -> None:
    """403 unless the user runs renovation somewhere (the pages then scope to where)."""
    if not (user.is_superuser or scope_paths(user, Perm.MANAGE_RENEWAL)):
        raise PermissionDenied(_("您无权管理老旧小区改造"))


def staff_project(request, pk) -> Project:
    """The project ``pk`` in the user's scope: no renewal role → 403, else outside → 404."""
    require_manager_somewhere(request.user)
    return one_or_404(selectors.staff_projects(request.user).select_related(*PROJECT_RELATED),
                      pk, _("未找到该改造项目"))


def staff_item(request, pk) -> WorkItem:
    require_manager_somewhere(request.user)
    items = WorkItem.objects.filter(scope_q(request.user, Perm.MANAGE_RENEWAL, "area_path"))
    return one_or_404(items.select_related("project__area", "contractor", "need"), pk,
                      _("未找到该改造内容"))
