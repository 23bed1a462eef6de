"""Pages of 十星级文明户.

Field work on the phone (grid workers, building heads — Perm.INSPECT): the buildings of my
area → a building's households with this year's stars → assess one household (a draft).
The community (Perm.RUN_CAMPAIGNS): the drafts to confirm with their evidence, a building's
table over the years, the printable door plaques, the figures per community. Residents:
their own household's stars by year (/campaigns/stars/).

No permission anywhere → 403; a building, household or assessment outside the user's scope
→ 404. Every change is an action's; its refusal is a message or a form error.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.campaigns import actions
from gongzhi.campaigns import selectors_stars as sel
from gongzhi.campaigns.actions.stars import assessable_years
from gongzhi.campaigns.forms_stars import AssessForm, CriterionForm, YearForm
from gongzhi.campaigns.models import AssessmentStatus, StarCriterion
from gongzhi.core.pages import apply_errors, one_or_404, page_of, run_form
from gongzhi.core.permissions import Perm, is_administrator, scope_paths

T = "campaigns/staff/stars/"
R = "campaigns/resident/stars/"


def _this_year() -> int:
    return timezone.localdate().year


def _require(user, perm: Perm, message: str) -> None:
    if not (user.is_superuser or scope_paths(user, perm)):
        raise PermissionDenied(message)


def require_field_worker(user) -> None:
    _require(user, Perm.INSPECT, _("您无权评定文明户星级"))


def require_community(user) -> None:
    _require(user, Perm.RUN_CAMPAIGNS, _("您无权确认文明户星级"))


def _year(request: HttpRequest) -> int:
    return YearForm(request.GET or None).chosen(_this_year())


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("您无权进行此操作")


# --- field work (phone) -----------------------------------------------------------------------


@login_required
@require_GET
def buildings(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_field_worker(user)
    year = _this_year()
    in_year = Q(households__star_assessments__year=year)
    rows = sel.field_buildings(user).annotate(
        n_households=Count("households", distinct=True),
        n_assessed=Count("households__star_assessments", filter=in_year, distinct=True),
        n_draft=Count("households__star_assessments", distinct=True, filter=in_year & Q(
            households__star_assessments__status=AssessmentStatus.DRAFT)))
    return render(request, T + "buildings.html", {
        "page": page_of(request, rows), "year": year,
        "community": bool(user.is_superuser or scope_paths(user, Perm.RUN_CAMPAIGNS)),
        "administrator": is_administrator(user)})


def _field_building(request: HttpRequest, code: str):
    require_field_worker(request.user)
    building = sel.field_building(request.user, code)
    if building is None:
        raise Http404(_("未找到该楼栋"))
    return building


@login_required
@require_GET
def building(request: HttpRequest, code: str) -> HttpResponse:
    place = _field_building(request, code)
    year = _this_year()
    rows = sel.households_with_year(place, year)
    return render(request, T + "building.html", {
        "building": place, "year": year, "rows": rows, "address": sel.address,
        "assessed": sum(1 for _h, a in rows if a is not None)})


@login_required
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_field_worker(user)
    household = sel.field_household(user, pk)
    if household is None:
        raise Http404(_("未找到该住户"))
    years = assessable_years()
    wanted = request.POST.get("year") or request.GET.get("year")
    year = int(wanted) if str(wanted).isdigit() and int(wanted) in years else years[0]
    existing = sel.assessment_of(household, year)
    criteria = list(sel.active_criteria())
    form = AssessForm(request.POST or None, criteria=criteria, year=year, assessment=existing)
    locked = existing is not None and existing.status == AssessmentStatus.CONFIRMED
    if request.method == "POST" and form.is_valid():
        try:
            done = actions.assess_household(
                household=household, year=form.cleaned_data["year"], awards=form.awards(),
                note=form.cleaned_data["note"], acting_user=user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存%(home)s %(year)d年度评定：%(n)d 星，待社区确认")
                             % {"home": household, "year": done.year, "n": done.stars})
            return redirect(reverse("campaigns_staff:stars_building",
                                    kwargs={"code": household.building.code}))
    return render(request, T + "assess.html", {
        "household": household, "address": sel.address(household), "form": form,
        "year": year, "years": years, "existing": existing, "locked": locked,
    }, status=400 if form.is_bound else 200)


# --- the community ----------------------------------------------------------------------------


@login_required
@require_GET
def drafts(request: HttpRequest) -> HttpResponse:
    require_community(request.user)
    page = page_of(request, sel.drafts_to_confirm(request.user))
    return render(request, T + "drafts.html", {"page": page, "address": sel.address})


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    require_community(request.user)
    assessment = one_or_404(sel.managed_assessments(request.user), pk, _("未找到该评定"))
    try:
        done = actions.confirm_assessment(assessment=assessment, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("已确认%(home)s %(n)d 星，发放积分 %(points)d 分")
                         % {"home": done.household, "n": done.stars,
                            "points": done.points_awarded})
    return redirect("campaigns_staff:stars_drafts")


@login_required
@require_POST
def confirm_all(request: HttpRequest) -> HttpResponse:
    """Confirm the drafts that were shown (their ids come with the form)."""
    require_community(request.user)
    ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
    done, refused = 0, []
    for assessment in sel.drafts_to_confirm(request.user).filter(pk__in=ids):
        try:
            actions.confirm_assessment(assessment=assessment, acting_user=request.user)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            refused.append(f"{assessment.household}：{_refusal(exc)}")
    if done:
        messages.success(request, _("已确认 %(n)d 户的评定") % {"n": done})
    for line in refused:
        messages.error(request, line)
    if not done and not refused:
        messages.info(request, _("没有待确认的评定"))
    return redirect("campaigns_staff:stars_drafts")


def _managed_building(request: HttpRequest, code: str):
    require_community(request.user)
    place = sel.managed_building(request.user, code)
    if place is None:
        raise Http404(_("未找到该楼栋"))
    return place


@login_required
@require_GET
def table(request: HttpRequest, code: str) -> HttpResponse:
    place = _managed_building(request, code)
    return render(request, T + "table.html", {
        "building": place, "table": sel.building_table(place), "year": _this_year()})


def _plaque_context(assessments, community) -> dict:
    return {"plaques": [{"assessment": a, "address": sel.address(a.household),
                         "awards": list(a.awards.all())} for a in assessments],
            "community": community}


@login_required
@require_GET
def plaque(request: HttpRequest, pk: int) -> HttpResponse:
    require_community(request.user)
    assessment = one_or_404(
        sel.with_awards(sel.managed_assessments(request.user).filter(
            status=AssessmentStatus.CONFIRMED)), pk, _("未找到已确认的评定"))
    return render(request, T + "plaques.html", {
        **_plaque_context([assessment], sel.community_of(assessment.area_path)),
        "title": _("%(home)s 十星级文明户门牌") % {"home": assessment.household}})


@login_required
@require_GET
def plaques(request: HttpRequest, code: str) -> HttpResponse:
    place = _managed_building(request, code)
    year = _year(request)
    return render(request, T + "plaques.html", {
        **_plaque_context(sel.confirmed_plaques(place, year), sel.community_of(place.path)),
        "title": _("%(building)s %(year)d年度文明户门牌") % {"building": place, "year": year},
        "building": place, "year": year})


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    require_community(request.user)
    year = _year(request)
    return render(request, T + "summary.html", {
        "year": year, "rows": sel.summary(request.user, year),
        "years": [_this_year() - i for i in range(3)]})


@login_required
@require_http_methods(["GET", "POST"])
def criteria(request: HttpRequest) -> HttpResponse:
    """Administrators word, order, add or retire the stars (``?edit=<id>`` picks one)."""
    user = request.user
    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以设置文明户星级标准"))
    editing = None
    wanted = request.POST.get("criterion") or request.GET.get("edit")
    if wanted:
        editing = one_or_404(StarCriterion.objects.all(), wanted, _("未找到该星级"))
    initial = ({"name": editing.name, "description": editing.description,
                "order": editing.order, "is_active": editing.is_active} if editing else None)
    form = CriterionForm(request.POST or None, initial=initial)
    if request.method == "POST" and run_form(form, lambda d: actions.save_star_criterion(
            criterion=editing, name=d["name"], description=d["description"], order=d["order"],
            is_active=d["is_active"], acting_user=user)):
        messages.success(request, _("已保存星级标准“%(name)s”")
                         % {"name": form.cleaned_data["name"]})
        return redirect("campaigns_staff:stars_criteria")
    return render(request, T + "criteria.html", {
        "rows": StarCriterion.objects.all(), "form": form, "editing": editing,
    }, status=400 if form.is_bound else 200)


# --- residents --------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    household = sel.my_household(request.user)
    history = sel.household_history(household) if household is not None else []
    return render(request, R + "mine.html", {
        "household": household, "address": sel.address(household) if household else "",
        "history": [{"assessment": a, "awards": list(a.awards.all())} for a in history],
        "criteria": list(sel.active_criteria())})
