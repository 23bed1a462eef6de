"""API of 网格合伙人, mounted under /api/campaigns/ (paths /api/campaigns/partners/…).

Posts: the open ones near me (my community, the grids my shop or property company serves)
or, for staff, those they run; staff publish a post. Applying, the staff's list and
decision, my partnership (status, patrols, the cases dispatched to me, my counts) and patrol
tasks (staff and grid workers list and assign them, the partner reports one; a problem in
the report is filed as a case). Anything out of reach answers 404; refusals 403 or 422,
and a second decision or report 409.
"""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja import Status as Reply

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.campaigns import actions
from gongzhi.campaigns import selectors_partners as sel
from gongzhi.campaigns.api_schemas_partners import (
    ApplicationOut,
    ApplicationPage,
    ApplyIn,
    AssignIn,
    DecideIn,
    PartnershipOut,
    PatrolOut,
    PatrolPage,
    PostIn,
    PostOut,
    PostPage,
    ReportIn,
    application_body,
    counts_body,
    patrol_body,
    post_body,
)
from gongzhi.campaigns.models import ApplicationStatus, PatrolStatus
from gongzhi.core.api import AUTH_ERRORS, ERRORS, ApiError, ErrorOut, run_action, validation_body

router = Router()

ID = Path(..., ge=1, le=2**63 - 1, description="ID")
ACT_ERRORS = {**ERRORS, 403: ErrorOut}
CHANGE_ERRORS = {**ACT_ERRORS, 409: ErrorOut}


def _not_found(what: str, en: str):
    return ApiError(404, what, en, "not_found")


@router.get("/partners/posts", response={200: PostPage, **AUTH_ERRORS},
            summary="网格合伙人招募：我身边的和我发布的 / partner posts near me or that I run")
def post_list(request: HttpRequest):
    user = request.auth
    rows = {p.pk: p for p in [*sel.open_posts_near(user), *sel.managed_posts(user)[:100]]}
    items = sorted(rows.values(), key=lambda p: -p.pk)
    return {"items": [post_body(p) for p in items], "count": len(items)}


@router.post("/partners/posts", response={201: PostOut, **AUTH_ERRORS, 403: ErrorOut,
                                         422: ErrorOut},
             summary="发布网格合伙人招募 / publish a partner post (staff)")
def post_create(request: HttpRequest, body: PostIn):
    grid = AreaNode.objects.filter(code=body.grid).first()
    if grid is None:
        return Reply(422, validation_body(ValidationError({"grid": _("未找到该网格")})))
    done: list = []
    refused = run_action(lambda: done.append(actions.recruit_partners(
        area=grid, title=body.title, duties=body.duties, places=body.places,
        closes_on=body.closes_on, acting_user=request.auth)))
    return refused or Reply(201, post_body(done[0]))


@router.post("/partners/posts/{id}/apply", response={201: ApplicationOut, **CHANGE_ERRORS},
             summary="报名网格合伙人 / apply to a post")
def apply(request: HttpRequest, body: ApplyIn, id: int = ID):
    """409 when I have applied to this post already."""
    user = request.auth
    post = sel.open_posts_near(user).filter(pk=id).first()
    if post is None:
        raise _not_found(_("未找到该招募"), "post not found")
    organisation = None
    if body.organisation:
        organisation = Organisation.objects.filter(code=body.organisation).first()
        if organisation is None:
            return Reply(422, validation_body(ValidationError(
                {"organisation": _("未找到该单位")})))
    done: list = []
    refused = run_action(
        lambda: done.append(actions.apply_as_partner(
            post=post, kind=body.kind, motivation=body.motivation, organisation=organisation,
            acting_user=user)),
        lambda: ("already_applied", "you have applied to this post already")
        if post.applications.filter(applicant=user).exists() else None)
    return refused or Reply(201, application_body(done[0]))


@router.get("/partners/applications", response={200: ApplicationPage, **AUTH_ERRORS,
                                                422: ErrorOut},
            summary="待审核和已审核的合伙人申请 / applications to posts I run (staff)")
def application_list(request: HttpRequest,
                     status: Literal["pending", "accepted", "declined", "ended"] | None = Query(
                         None, description="状态 / status")):
    rows = sel.managed_applications(request.auth)
    if status:
        rows = rows.filter(status=status)
    items = list(rows[:200])
    return {"items": [application_body(a) for a in items], "count": rows.count()}


@router.post("/partners/applications/{id}/decide", response={200: ApplicationOut,
                                                             **CHANGE_ERRORS},
             summary="接纳或不接纳申请 / accept or decline an application (staff)")
def decide(request: HttpRequest, body: DecideIn, id: int = ID):
    """409 when it is decided already; 422 when the post's places are full."""
    application = sel.managed_applications(request.auth).filter(pk=id).first()
    if application is None:
        raise _not_found(_("未找到该申请"), "application not found")
    refused = run_action(
        lambda: actions.decide_partner_application(
            application=application, accept=body.accept, note=body.note,
            acting_user=request.auth),
        lambda: ("already_decided", "the application is decided already")
        if application.status != ApplicationStatus.PENDING else None)
    if refused:
        return refused
    application.refresh_from_db()
    return application_body(application)


@router.get("/partners/mine", response={200: list[PartnershipOut], **AUTH_ERRORS},
            summary="我的网格合伙人身份、巡查任务、派给我的诉求件和贡献 / my partnerships")
def mine(request: HttpRequest):
    user = request.auth
    applications = list(sel.my_applications(user))
    counts = {c.partner.pk: c for c in sel.contributions(applications)}
    patrols = list(sel.my_patrols(user))
    return [{"application": application_body(a), "counts": counts_body(counts[a.pk]),
             "patrols": [patrol_body(t) for t in patrols if t.partner_id == a.pk],
             "assigned_cases": list(sel.assigned_cases(a).values_list("pk", flat=True))}
            for a in applications]


@router.get("/partners/patrols", response={200: PatrolPage, **AUTH_ERRORS},
            summary="巡查任务：我的，和我所辖网格的 / patrol tasks: mine and my grids'")
def patrol_list(request: HttpRequest):
    user = request.auth
    rows = (sel.my_patrols(user) | sel.patrols_in_scope(user)).distinct().order_by(
        "due_on", "id")
    items = list(rows[:200])
    return {"items": [patrol_body(t) for t in items], "count": rows.count()}


@router.post("/partners/patrols", response={201: PatrolOut, **ACT_ERRORS},
             summary="给合伙人派发巡查任务 / assign a patrol (grid workers, staff)")
def patrol_assign(request: HttpRequest, body: AssignIn):
    partner = sel.field_partners(request.auth).filter(pk=body.partner).first()
    if partner is None:
        raise _not_found(_("未找到该合伙人"), "partner not found")
    done: list = []
    refused = run_action(lambda: done.append(actions.assign_patrol(
        partner=partner, route=body.route, due_on=body.due_on, acting_user=request.auth)))
    return refused or Reply(201, patrol_body(done[0]))


@router.post("/partners/patrols/{id}/report", response={200: PatrolOut, **CHANGE_ERRORS},
             summary="报告巡查情况（可上报问题）/ report a patrol, a problem becomes a case")
def patrol_report(request: HttpRequest, body: ReportIn, id: int = ID):
    """409 when the task is done or cancelled already."""
    task = sel.my_patrols(request.auth).filter(pk=id).first()
    if task is None:
        raise _not_found(_("未找到该巡查任务"), "patrol task not found")
    refused = run_action(
        lambda: actions.report_patrol(
            task=task, report=body.report, problem_title=body.problem_title,
            problem_description=body.problem_description, acting_user=request.auth),
        lambda: ("already_reported", "the patrol is done or cancelled already")
        if task.status != PatrolStatus.ASSIGNED else None)
    if refused:
        return refused
    task.refresh_from_db()
    return patrol_body(task)
