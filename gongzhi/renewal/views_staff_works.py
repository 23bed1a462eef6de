"""Works on site, members, acceptance and long-term management (小区改造 · 工作台).

Items are started, logged (with photos) and finished from the project or the item page;
residents are appointed as supervisors or representatives; the community signs each
finished item off (or refuses it with a reason); after acceptance the community records who
manages the compound now.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.permissions import Perm, scope_q
from gongzhi.renewal import actions
from gongzhi.renewal import forms_staff as forms
from gongzhi.renewal.actions.survey import project_households
from gongzhi.renewal.models import ProjectMember
from gongzhi.renewal.views_staff import project_page
from gongzhi.renewal.views_staff_common import (
    one_or_404,
    require_manager_somewhere,
    run_form,
    staff_item,
    staff_project,
)
from gongzhi.renewal.views_staff_plan import item_page, to_project

# --- items on site ----------------------------------------------------------------------------


def _item_step(request: HttpRequest, item, done: str, action) -> HttpResponse:
    """Start or finish an item from the project page (or the item page: ``back=item``)."""
    back_to_item = request.POST.get("back") == "item"
    try:
        action(item=item, acting_user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        if back_to_item:
            return item_page(request, item, status=400, step_error=error)
        return project_page(request, item.project, status=400, item_errors={item.pk: error})
    messages.success(request, done % {"item": item.name})
    if back_to_item:
        return redirect("renewal_staff:item", pk=item.pk)
    return to_project(item.project, f"item-{item.pk}")


@login_required
@require_POST
def item_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_step(request, staff_item(request, pk), _("“%(item)s”已开工"), actions.start_item)


@login_required
@require_POST
def item_finish(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_step(request, staff_item(request, pk), _("“%(item)s”已完工，待验收"),
                      actions.finish_item)


@login_required
@require_POST
def item_progress(request: HttpRequest, pk: int) -> HttpResponse:
    item = staff_item(request, pk)
    form = forms.ProgressForm(request.POST, request.FILES)
    if run_form(form, lambda d: actions.log_progress(
            item=item, note=d["note"], progress=d["progress"], photos=d["photos"],
            acting_user=request.user)):
        messages.success(request, _("已登记施工进度"))
        return redirect("renewal_staff:item", pk=item.pk)
    return item_page(request, item, status=400, progress_form=form)


# --- members ----------------------------------------------------------------------------------


@login_required
@require_POST
def member_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    form = forms.MemberForm(request.POST, households=project_households(project))
    if run_form(form, lambda d: actions.appoint_member(
            project=project, user=d["user"], role=d["role"], acting_user=request.user)):
        messages.success(request, _("已聘请，已通知该居民"))
        return to_project(project, "members")
    return project_page(request, project, status=400, member_form=form)


@login_required
@require_POST
def member_release(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager_somewhere(request.user)
    members = ProjectMember.objects.filter(
        scope_q(request.user, Perm.MANAGE_RENEWAL, "project__area_path")).select_related(
        "project")
    member = one_or_404(members, pk, _("未找到该成员"))
    try:
        actions.release_member(member=member, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已解聘 %(name)s") % {"name": member.name})
    return to_project(member.project, "members")


# --- acceptance and long-term management -------------------------------------------------------


@login_required
@require_POST
def item_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """The community's sign-off of one finished item, or its refusal with a reason."""
    item = staff_item(request, pk)
    form = forms.SignoffForm(request.POST, item_id=item.pk)
    if run_form(form, lambda d: actions.sign_off_item(
            item=item, accepted=d["decision"] == "accept", reason=d["reason"],
            acting_user=request.user)):
        messages.success(request, _("已签署“%(item)s”的验收意见") % {"item": item.name})
        return to_project(item.project, "acceptance")
    return project_page(request, item.project, status=400, signoff_form=form)


@login_required
@require_POST
def management(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    form = forms.ManagementForm(request.POST, project=project)
    if run_form(form, lambda d: actions.record_management(
            project=project, management=d["management"], manager=d["manager"],
            convention=d["convention"], acting_user=request.user)):
        messages.success(request, _("已保存长效管理方式，小区档案已同步"))
        return to_project(project, "management")
    return project_page(request, project, status=400, management_form=form)
