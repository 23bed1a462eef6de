"""Pages of 网格合伙人.

Residents, shop owners and property staff (phone): the open posts near them, applying, and
"my partnership" — status, patrol tasks (report one, with a problem and photo that becomes a
case), the cases dispatched to them, their counts. Staff (/campaigns/manage/partners/):
community staff publish and close posts, decide applications, see each grid's partners with
their counts, assign patrols and end partnerships; grid workers assign patrols to their
grid's partners; street staff see each community's posts, partners and patrols this month.

Every change is an action's; rows outside the user's reach answer 404, a user with no
campaigns or field role anywhere 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.campaigns import actions
from gongzhi.campaigns import forms_partners as forms
from gongzhi.campaigns import selectors_partners as sel
from gongzhi.campaigns.actions._common import is_organiser
from gongzhi.campaigns.models import ApplicationStatus, PatrolStatus
from gongzhi.core.pages import one_or_404, run_form
from gongzhi.core.permissions import Perm, scope_paths
from gongzhi.core.tree import PATH_STEP

R, S = "campaigns/resident/partners/", "campaigns/staff/partners/"
AS = ApplicationStatus


def _say(request: HttpRequest, done: str, step) -> None:
    """Run a button's action; its refusal becomes an error message, else ``done``."""
    try:
        step()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


# --- residents, shop owners, property staff ------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    applied = set(sel.my_applications(user).values_list("post_id", flat=True))
    posts = [{"post": p, "applied": p.pk in applied}
             for p in sel.open_posts_near(user).order_by("closes_on", "id")]
    return render(request, R + "home.html", {
        "posts": posts, "applications": sel.my_applications(user)})


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    post = one_or_404(sel.open_posts_near(user), pk, _("没有找到该招募"))
    form = forms.ApplyForm(request.POST or None, user=user)
    if request.method == "POST" and run_form(form, lambda d: actions.apply_as_partner(
            post=post, kind=d["kind"], organisation=d["organisation"],
            motivation=d["motivation"], acting_user=user)):
        messages.success(request, _("报名已提交，社区审核后会通知您。"))
        return redirect("campaigns:partners_mine")
    return render(request, R + "apply.html", {"post": post, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    applications = list(sel.my_applications(user))
    counts = {c.partner.pk: c for c in sel.contributions(applications)}
    patrols = list(sel.my_patrols(user))
    rows = [{"application": a, "counts": counts[a.pk],
             "open": [t for t in patrols if t.partner_id == a.pk
                      and t.status == PatrolStatus.ASSIGNED],
             "done": [t for t in patrols if t.partner_id == a.pk
                      and t.status == PatrolStatus.DONE],
             "cases": list(sel.assigned_cases(a)[:50]) if a.status == AS.ACCEPTED else []}
            for a in applications]
    return render(request, R + "mine.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    rows = sel.my_patrols(user).filter(status=PatrolStatus.ASSIGNED)
    task = one_or_404(rows, pk, _("没有找到该巡查任务"))
    form = forms.ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and run_form(form, lambda d: actions.report_patrol(
            task=task, report=d["report"], problem_title=d["problem_title"],
            problem_description=d["problem_description"], photos=d["photos"],
            acting_user=user)):
        task.refresh_from_db()
        messages.success(request, _("巡查情况已提交，发现的问题已上报（%(ref)s）。")
                         % {"ref": task.case.reference} if task.case_id
                         else _("巡查情况已提交，谢谢您！"))
        return redirect("campaigns:partners_mine")
    return render(request, R + "report.html", {"task": task, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def step_down(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = one_or_404(sel.my_applications(user), pk, _("没有找到该申请"))
    _say(request, _("您已退出网格合伙人"),
         lambda: actions.end_partnership(application=application, acting_user=user))
    return redirect("campaigns:partners_mine")


# --- staff ---------------------------------------------------------------------------------


def _require_field_or_organiser(user) -> None:
    if not (user.is_superuser or scope_paths(user, Perm.RUN_CAMPAIGNS)
            or scope_paths(user, Perm.INSPECT)):
        raise PermissionDenied(_("您无权管理网格合伙人"))


def _over_communities(user) -> bool:
    """Street staff and above: the summary per community."""
    return user.is_superuser or any(len(p) < sel.COMMUNITY_DEPTH * PATH_STEP
                                    for p in scope_paths(user, Perm.RUN_CAMPAIGNS))


def to_staff_home(anchor: str = "") -> HttpResponse:
    return redirect(reverse("campaigns_staff:partners") + (f"#{anchor}" if anchor else ""))


@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_field_or_organiser(user)
    posts = list(sel.managed_posts(user).order_by("-is_open", "-created_at", "-id")[:50])
    for post in posts:
        post.places_left = max(post.places - post.n_accepted, 0)
    pending = list(sel.managed_applications(user).filter(status=AS.PENDING)
                   .order_by("created_at", "id")[:50])
    left = {p.pk: p.places_left for p in posts}
    for a in pending:
        a.places_left = left.get(a.post_id)
    grids: dict[int, dict] = {}
    for c in sel.contributions(sel.field_partners(user).order_by("area_path", "id")[:200]):
        area = c.partner.post.area
        grids.setdefault(area.pk, {"area": area, "partners": []})["partners"].append(c)
    month = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return render(request, S + "home.html", {
        "organiser": bool(scope_paths(user, Perm.RUN_CAMPAIGNS) or user.is_superuser),
        "posts": posts, "pending": pending, "grids": list(grids.values()),
        "decide_form": forms.DecideForm(), "assign_form": forms.AssignForm(),
        "summary": sel.community_summary(user, month) if _over_communities(user) else None})


@login_required
@require_http_methods(["GET", "POST"])
def staff_new_post(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_superuser or scope_paths(user, Perm.RUN_CAMPAIGNS)):
        raise PermissionDenied(_("您无权发布网格合伙人招募"))
    form = forms.PostForm(request.POST or None, user=user)
    if request.method == "POST" and run_form(form, lambda d: actions.recruit_partners(
            area=d["area"], title=d["title"], duties=d["duties"], places=d["places"],
            closes_on=d["closes_on"], acting_user=user)):
        messages.success(request, _("招募已发布"))
        return to_staff_home("posts")
    return render(request, S + "new_post.html", {"form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def staff_close_post(request: HttpRequest, pk: int) -> HttpResponse:
    _require_field_or_organiser(request.user)
    post = one_or_404(sel.managed_posts(request.user), pk, _("没有找到该招募"))
    _say(request, _("招募已结束"),
         lambda: actions.close_partner_post(post=post, acting_user=request.user))
    return to_staff_home("posts")


@login_required
@require_POST
def staff_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_field_or_organiser(user)
    application = one_or_404(sel.managed_applications(user), pk, _("没有找到该申请"))
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择接纳或不接纳"))
    else:
        accept = form.cleaned_data["accept"]
        _say(request, _("已接纳为网格合伙人") if accept else _("已告知申请人未接纳"),
             lambda: actions.decide_partner_application(
                 application=application, accept=accept, note=form.cleaned_data["note"],
                 acting_user=user))
    return to_staff_home("applications")


@login_required
@require_POST
def staff_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_field_or_organiser(user)
    partner = one_or_404(sel.field_partners(user), pk, _("没有找到该合伙人"))
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写巡查路线和日期"))
    else:
        _say(request, _("巡查任务已派发给%(name)s") % {"name": partner.applicant.display_name},
             lambda: actions.assign_patrol(partner=partner, route=form.cleaned_data["route"],
                                           due_on=form.cleaned_data["due_on"],
                                           acting_user=user))
    return to_staff_home(f"partner-{partner.pk}")


@login_required
@require_POST
def staff_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_field_or_organiser(user)
    partner = one_or_404(sel.field_partners(user), pk, _("没有找到该合伙人"))
    if not is_organiser(user, partner.area_path):
        raise PermissionDenied(_("您无权结束该合伙人身份"))
    form = forms.EndForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    _say(request, _("已结束%(name)s的合伙人身份") % {"name": partner.applicant.display_name},
         lambda: actions.end_partnership(application=partner, note=note, acting_user=user))
    return to_staff_home("grids")
