"""Pages of the 居民公约 (文明创建).

Staff (under /campaigns/manage/conventions/): the conventions they run, draft / revise, a
convention's page (its stage and next step, the consultation's counts, the signing rate per
building, sortable, and its Excel export), one building's households with the paper
signatures recorded there, the street's view per community, and for building heads and
grid workers their buildings' households still to sign. Residents (under
/campaigns/conventions/, on the phone): the published conventions of their area, one
convention's text and signing for their household.

Every change is an action's. A convention outside the user's reach is a 404; a user who
runs no campaigns (and does no field work, for the pages meant for it) gets a 403.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.areas.selectors import resident_at_home
from gongzhi.campaigns import actions
from gongzhi.campaigns import excel_conventions as excel
from gongzhi.campaigns import forms_conventions as forms
from gongzhi.campaigns import selectors_conventions as sc
from gongzhi.campaigns.actions._common import lives_in
from gongzhi.campaigns.models import Convention, ConventionStage
from gongzhi.campaigns.views_staff import require_organiser_somewhere
from gongzhi.core.pages import one_or_404, page_of, run_form
from gongzhi.core.permissions import Perm, can, scope_paths

T = "campaigns/staff/conventions/"
R = "campaigns/resident/conventions/"
S = ConventionStage
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _convention(request: HttpRequest, pk: int) -> Convention:
    require_organiser_somewhere(request.user)
    return one_or_404(sc.managed_conventions(request.user), pk, _("未找到该公约"))


def _to(convention: Convention, anchor: str = "next") -> HttpResponse:
    return redirect(reverse("campaigns_staff:conventions_page", kwargs={"pk": convention.pk})
                    + f"#{anchor}")


def _error(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# --- staff: the list, drafting ------------------------------------------------------------


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_organiser_somewhere(user)
    rows = sc.managed_conventions(user).annotate(n_signed=Count("signatures"))
    page = page_of(request, rows.order_by("-created_at", "-id"))
    return render(request, T + "list.html", {
        "page": page, "oversees": any(
            AreaNode.objects.filter(path__in=scope_paths(user, Perm.RUN_CAMPAIGNS),
                                    kind__in=(AreaKind.CITY, AreaKind.DISTRICT,
                                              AreaKind.STREET)).values("pk")[:1])})


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """草拟 a new convention, or revise one (in draft or in consultation)."""
    user = request.user
    require_organiser_somewhere(user)
    convention = _convention(request, pk) if pk else None
    form = forms.ConventionForm(request.POST or None, user=user, convention=convention)
    made: list[Convention] = []
    if request.method == "POST" and run_form(form, lambda d: made.append(
            actions.draft_convention(area=d["area"], title=d["title"], text=d["text"],
                                     convention=convention, acting_user=user))):
        messages.success(request, _("公约已保存") if convention else
                         _("公约已起草：确认无误后请征求居民意见"))
        return _to(made[0], "text")
    return render(request, T + "edit.html", {"form": form, "convention": convention},
                  status=400 if form.is_bound else 200)


# --- staff: one convention ------------------------------------------------------------------


def _stage_bar(convention: Convention) -> list[dict]:
    order = [value for value, _label in S.choices]
    here = order.index(convention.stage)
    return [{"label": label, "done": i < here, "current": i == here}
            for i, (_value, label) in enumerate(S.choices)]


def staff_context(request: HttpRequest, convention: Convention, **given) -> dict:
    by_rate = request.GET.get("sort") == "rate"
    consultation = convention.consultation
    ctx = {
        "convention": convention, "stages": _stage_bar(convention),
        "articles": sc.articles(convention.text), "counts": sc.consultation_counts(convention),
        "consultation": consultation,
        "consultation_over": consultation is not None and (
            consultation.status != "open" or timezone.now() >= consultation.closes_at),
        "rates": sc.building_rates(convention, by_rate=by_rate)
        if convention.stage == S.PUBLISHED else None,
        "by_rate": by_rate, "consult_form": forms.ConsultForm(),
    }
    ctx.update(given)
    return ctx


@login_required
@require_GET
def staff_page(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    return render(request, T + "page.html", staff_context(request, convention))


@login_required
@require_POST
def staff_consult(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    form = forms.ConsultForm(request.POST)
    if run_form(form, lambda d: actions.consult_on_convention(
            convention=convention, closes_at=d["closes_at"], acting_user=request.user)):
        messages.success(request, _("已向本区域住户征求意见"))
        return _to(convention)
    if convention.stage != S.DRAFT:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _to(convention)
    return render(request, T + "page.html", staff_context(request, convention,
                                                          consult_form=form), status=400)


@login_required
@require_POST
def staff_publish(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    try:
        actions.publish_convention(convention=convention, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("公约已公布，已通知本区域居民签署"))
    return _to(convention)


@login_required
@require_GET
def staff_export(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    data = excel.rates_workbook(convention, sc.building_rates(convention))
    day = timezone.localdate().isoformat()
    response = HttpResponse(data, content_type=XLSX)
    # An ASCII name for old clients and the Chinese one (RFC 5987), as the other exports.
    response["Content-Disposition"] = (
        f"attachment; filename=\"convention-{convention.pk}-rates-{day}.xlsx\"; "
        f"filename*=UTF-8''{quote(f'{convention.title}签署率-{day}.xlsx')}")
    response["Cache-Control"] = "private, no-store"
    return response


# --- a building: its households, paper signatures -----------------------------------------


def _building(request: HttpRequest, pk: int, building_pk: int) -> tuple[Convention, AreaNode]:
    """The convention and one of its buildings, for the staff who run it or a building head
    / grid worker of that building (published conventions only for them); else 404."""
    user = request.user
    convention = sc.managed_conventions(user).filter(pk=pk).first()
    building = AreaNode.objects.filter(pk=building_pk, kind=AreaKind.BUILDING).select_related(
        "parent").first()
    if building is None or (convention is None and not can(user, Perm.INSPECT, building)):
        raise Http404(_("未找到该楼栋"))
    if convention is None:
        convention = Convention.objects.filter(pk=pk, stage=S.PUBLISHED).select_related(
            "area").first()
    if convention is None or not building.path.startswith(convention.area_path):
        raise Http404(_("未找到该楼栋"))
    return convention, building


@login_required
@require_GET
def staff_building(request: HttpRequest, pk: int, building_pk: int) -> HttpResponse:
    convention, building = _building(request, pk, building_pk)
    rows = sc.building_households(convention, building)
    return render(request, T + "building.html", {
        "convention": convention, "building": building, "rows": rows,
        "signed": sum(1 for r in rows if r["signature"]),
        "may_record": convention.stage == S.PUBLISHED and can(request.user, Perm.INSPECT,
                                                              building),
        "runs": can(request.user, Perm.RUN_CAMPAIGNS, convention.area_path)})


@login_required
@require_POST
def staff_paper(request: HttpRequest, pk: int, building_pk: int) -> HttpResponse:
    """登记纸质签署 of one household of the building."""
    convention, building = _building(request, pk, building_pk)
    form = forms.PaperSignatureForm(request.POST, building=building)
    if run_form(form, lambda d: actions.sign_convention(
            convention=convention, household=d["household"], acting_user=request.user)):
        messages.success(request, _("已登记 %(h)s 的纸质签署")
                         % {"h": form.cleaned_data["household"]})
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("campaigns_staff:conventions_building", pk=convention.pk,
                    building_pk=building.pk)


@login_required
@require_GET
def staff_chase(request: HttpRequest) -> HttpResponse:
    """楼栋长 / 网格员: the households of my buildings that have not signed yet."""
    if not scope_paths(request.user, Perm.INSPECT):
        raise PermissionDenied(_("您没有负责的楼栋"))
    return render(request, T + "chase.html", {"items": sc.to_chase(request.user)})


@login_required
@require_GET
def staff_communities(request: HttpRequest) -> HttpResponse:
    """街道: per community, the conventions published and their signing rate."""
    user = request.user
    require_organiser_somewhere(user)
    roots = AreaNode.objects.filter(path__in=scope_paths(user, Perm.RUN_CAMPAIGNS)).order_by(
        "path")
    return render(request, T + "communities.html", {
        "groups": [{"root": root, "communities": sc.community_rates(root)} for root in roots]})


# --- residents ------------------------------------------------------------------------------


def _household(user):
    resident = resident_at_home(user)
    return resident.household if resident is not None else None


@login_required
@require_GET
def resident_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    household = _household(user)
    rows = list(sc.conventions_near(user)[:50])
    signed: set[int] = set()
    if household is not None:
        signed = set(Convention.objects.filter(pk__in=[c.pk for c in rows],
                                               signatures__household=household)
                     .values_list("pk", flat=True))
    return render(request, R + "list.html", {
        "household": household, "rows": [{"convention": c, "signed": c.pk in signed}
                                         for c in rows]})


def _visible(request: HttpRequest, pk: int) -> Convention:
    convention = sc.visible_convention(request.user, pk)
    if convention is None:
        raise Http404(_("未找到该公约"))
    return convention


@login_required
@require_GET
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    convention = _visible(request, pk)
    household = _household(user)
    signature = sc.signature_of(convention, household)
    return render(request, R + "detail.html", {
        "convention": convention, "articles": sc.articles(convention.text),
        "household": household, "signature": signature,
        "paper": signature is not None and not sc.signed_for_household(signature),
        "may_sign": (signature is None and convention.stage == S.PUBLISHED
                     and household is not None and lives_in(user, convention.area_path)),
        "runs": can(user, Perm.RUN_CAMPAIGNS, convention.area_path)})


@login_required
@require_POST
def resident_sign(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _visible(request, pk)
    try:
        actions.sign_convention(convention=convention, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("已为您家签署《%(title)s》，谢谢！")
                         % {"title": convention.title})
    return redirect(reverse("campaigns:conventions_detail", args=[convention.pk]) + "#sign")

