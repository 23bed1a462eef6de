"""Staff console pages for resolutions (决议): drafted from a poll or a topic (or on their
own), reported up, approved by the street, published as a notice, carried out.

Every step is an action's; a resolution outside the user's RUN_COUNCILS scope answers 404,
an approval the user may not give answers 403.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.deliberation import actions, forms_votes, selectors
from gongzhi.deliberation.actions.resolutions import may_approve
from gongzhi.deliberation.models import Poll, Resolution, ResolutionStatus
from gongzhi.deliberation.views_staff_common import (
    T,
    one_or_404,
    page_of,
    place,
    require_runner_somewhere,
    run_form,
    run_step,
)
from gongzhi.notices.models import ObjectionStatus
from gongzhi.notices.subjects import subject_link


@login_required
@require_GET
def resolutions(request: HttpRequest) -> HttpResponse:
    require_runner_somewhere(request.user)
    filters = forms_votes.resolution_filter(request.GET or None)
    rows = selectors.staff_resolutions(request.user).select_related("area").order_by(
        "-created_at", "-id")
    if status := filters.chosen():
        rows = rows.filter(status=status)
    return render(request, T + "resolutions.html", {
        "filters": filters, "page": page_of(request, rows),
        "extra": urlencode({"status": status}) if status else ""})


def _source(request: HttpRequest) -> tuple[Poll | None, object | None, str]:
    """The poll or topic a new resolution comes from (?poll= / ?topic=), in scope."""
    user, poll, topic = request.user, None, None
    poll_id, topic_id = request.GET.get("poll", ""), request.GET.get("topic", "")
    if poll_id:
        poll = one_or_404(selectors.staff_polls(user), poll_id, _("未找到该表决"))
        return poll, None, f"poll={poll.pk}"
    if topic_id:
        topic = one_or_404(selectors.topics_in_scope(user), topic_id, _("未找到该议题"))
        return None, topic, f"topic={topic.pk}"
    return None, None, ""


@login_required
@require_http_methods(["GET", "POST"])
def resolution_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_runner_somewhere(user)
    poll, topic, query = _source(request)
    needs_area = poll is None and topic is None
    if request.method == "POST":
        form = forms_votes.ResolutionForm(request.POST, user=user, needs_area=needs_area)
        made = []
        if run_form(form, lambda d: made.append(actions.draft_resolution(
                title=d["title"], body=d["body"], poll=poll, topic=topic,
                area=d.get("area"), acting_user=user)), rename={"text": "body"}):
            messages.success(request, _("已拟定决议，请报上级审批"))
            return redirect("deliberation_staff:resolution", pk=made[0].pk)
    else:
        initial = {}
        if poll is not None:
            initial = {"title": poll.title, "body": _("经表决通过：%(t)s") % {"t": poll.title}}
        elif topic is not None:
            initial = {"title": topic.title, "body": topic.decision}
        form = forms_votes.ResolutionForm(user=user, needs_area=needs_area, initial=initial)
    return render(request, T + "resolution_new.html", {
        "form": form, "poll": poll, "topic": topic, "query": query},
        status=400 if form.is_bound else 200)


def _staff_resolution(request: HttpRequest, pk: int) -> Resolution:
    return one_or_404(selectors.staff_resolutions(request.user).select_related(
        "area", "poll", "topic", "notice", "created_by", "decided_by"), pk, _("未找到该决议"))


def _may_approve(user, resolution: Resolution) -> bool:
    try:
        return may_approve(user, resolution)
    except ValidationError:  # no street above: nobody here approves
        return False


RESOLUTION_FORMS = {"decide": forms_votes.DecideForm, "publish": forms_votes.PublishForm,
                    "carry_out": forms_votes.CarryOutForm}


def _resolution_context(request: HttpRequest, resolution: Resolution) -> dict:
    S = ResolutionStatus
    wanted = {S.SUBMITTED: "decide", S.APPROVED: "publish", S.NOTICE: "carry_out"}.get(
        resolution.status)
    if wanted == "decide" and not _may_approve(request.user, resolution):
        wanted = None
    form = RESOLUTION_FORMS[wanted](prefix=wanted) if wanted else None
    notice = resolution.notice
    return {
        "resolution": resolution, "step": wanted, "form": form, "place": place(resolution.area),
        "can_submit": resolution.status in (S.DRAFT, S.REJECTED),
        "notice": notice,
        "open_objections": notice.objections.filter(status=ObjectionStatus.OPEN).count()
        if notice else 0,
        "notice_url": f"/notices/{notice.pk}/" if notice else "",
        "notice_manage_url": f"/notices/{notice.pk}/manage/" if notice else "",
        "subject": subject_link(resolution.subject),
    }


@login_required
@require_GET
def resolution(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = _staff_resolution(request, pk)
    return render(request, T + "resolution.html",
                  _resolution_context(request, resolution))


@login_required
@require_POST
def resolution_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    resolution = _staff_resolution(request, pk)
    user, here = request.user, redirect("deliberation_staff:resolution", pk=resolution.pk)
    if step == "submit":
        run_step(request, _("已报上级审批"), actions.submit_resolution, resolution=resolution)
        return here
    if step not in RESOLUTION_FORMS:
        raise Http404(_("未知的操作"))
    form = RESOLUTION_FORMS[step](request.POST, prefix=step)
    done = []  # the success message, once the action went through

    def act(d: dict) -> None:
        if step == "decide":
            approve = d["decision"] == "approve"
            actions.decide_resolution(resolution=resolution, approve=approve,
                                      note=d["note"], acting_user=user)
            done.append(_("已批准") if approve else _("已不予批准"))
        elif step == "publish":
            actions.publish_resolution(resolution=resolution, acting_user=user,
                                       period_days=d["period_days"])
            done.append(_("已发布公示"))
        else:
            actions.carry_out_resolution(resolution=resolution, note=d["note"],
                                         acting_user=user)
            done.append(_("已记录实施情况"))

    if run_form(form, act):
        messages.success(request, done[0])
        return here
    if step == "decide" and not _may_approve(user, resolution):
        raise PermissionDenied(_("只有上级（街道）可以审批该决议"))
    context = _resolution_context(request, resolution)
    context.update(step=step, form=form)
    return render(request, T + "resolution.html", context, status=400)
