"""门前三包 at the staff console (/campaigns/manage/shops/…): the shop register (by grid,
by name, 50 a page), registering and editing a shop, a shop's page (contracts, inspections
with photos, monthly scores, the repeated-failure warning and its case button), signing a
contract and its printable 责任书, the month's 红黑榜 (live, then published once) and the
street's view across its communities.

Shops outside the user's RUN_CAMPAIGNS scope answer 404; a user without the permission
anywhere answers 403. Every change is an action's.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.campaigns import actions
from gongzhi.campaigns import forms_shops as forms
from gongzhi.campaigns import selectors_shops as sel
from gongzhi.campaigns.models import ShopBoard, ShopContract
from gongzhi.campaigns.views_staff import require_organiser_somewhere
from gongzhi.core.pages import one_or_404, page_of, run_form
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import ancestor_paths

T = "campaigns/staff/shops/"


def _shop(request: HttpRequest, pk):
    require_organiser_somewhere(request.user)
    return one_or_404(sel.managed_shops(request.user), pk, _("未找到该商户"))


def _to_shop(shop, anchor: str = "") -> HttpResponse:
    url = reverse("campaigns_staff:shops_shop", kwargs={"pk": shop.pk})
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_GET
def register_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_organiser_somewhere(user)
    filters = forms.ShopFilterForm(request.GET or None, user=user)
    grid, q = filters.chosen()
    shops = sel.with_counts(sel.managed_shops(user))
    if grid is not None:
        shops = shops.filter(area_path__startswith=grid.path)
    if q:
        shops = shops.filter(organisation__name__contains=q)
    shops = shops.order_by("area_path", "address", "id")
    extra = urlencode({k: v for k, v in (("grid", grid.pk if grid else ""), ("q", q)) if v})
    return render(request, T + "list.html", {
        "filters": filters, "page": page_of(request, shops), "extra": extra})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """登记 a new shop, or (with ``pk``) correct one."""
    user = request.user
    shop = _shop(request, pk) if pk else None
    require_organiser_somewhere(user)
    initial = forms.shop_initial(shop) if shop else None
    form = forms.ShopForm(request.POST or None, user=user, initial=initial)
    done: list = []
    if request.method == "POST" and run_form(form, lambda d: done.append(actions.register_shop(
            shop=shop, acting_user=user, **d))):
        messages.success(request, _("商户信息已保存"))
        return _to_shop(done[0])
    return render(request, T + "edit.html", {"form": form, "shop": shop},
                  status=400 if form.is_bound else 200)


@login_required
@require_GET
def shop_page(request: HttpRequest, pk: int) -> HttpResponse:
    shop = _shop(request, pk)
    return render(request, T + "shop.html", {
        "shop": shop, "contracts": list(shop.contracts.all()),
        "inspections": list(sel.history(shop)[:100]), "months": sel.shop_months(shop, 6),
        "open": list(sel.open_problems(shop)), "repeated": sel.repeated_failures(shop),
        "red_from": sel.RED_FROM, "black_below": sel.BLACK_BELOW,
        "case_after": sel.CASE_AFTER, "case_days": sel.CASE_WINDOW_DAYS,
    })


@login_required
@require_POST
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    shop = _shop(request, pk)
    try:
        case = actions.open_shop_case(shop=shop, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已转为诉求件（编号 %(n)d），进入问题台账办理")
                         % {"n": case.pk})
    return _to_shop(shop, "warning")


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    shop = _shop(request, pk)
    form = forms.ContractForm(request.POST or None, shop=shop)
    done: list = []
    if request.method == "POST" and run_form(form, lambda d: done.append(
            actions.sign_shop_contract(shop=shop, acting_user=request.user, **d))):
        messages.success(request, _("责任书已签订，可打印存档"))
        return redirect("campaigns_staff:shops_contract", pk=done[0].pk)
    return render(request, T + "sign.html", {"form": form, "shop": shop},
                  status=400 if form.is_bound else 200)


@login_required
@require_GET
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    """门前三包责任书, printable (A4, both signature lines)."""
    require_organiser_somewhere(request.user)
    row = one_or_404(ShopContract.objects.filter(
        scope_q(request.user, Perm.RUN_CAMPAIGNS, "area_path"))
        .select_related("shop__organisation", "shop__area__parent", "signed_for"), pk,
        _("未找到该责任书"))
    community = AreaNode.objects.filter(kind=AreaKind.COMMUNITY,
                                        path__in=ancestor_paths(row.area_path)).first()
    return render(request, T + "contract.html", {"contract": row, "shop": row.shop,
                                                 "community": community,
                                                 "terms": row.terms.splitlines()})


@login_required
@require_http_methods(["GET", "POST"])
def board(request: HttpRequest) -> HttpResponse:
    """The month's 红黑榜 of a community: live scores; publish once the month is over."""
    user = request.user
    require_organiser_somewhere(user)
    areas = sel.board_areas(user)
    data = request.POST if request.method == "POST" else request.GET
    form = forms.MonthForm(data or None, areas=areas)
    area = (form.cleaned_data["area"] if form.is_bound and form.is_valid() else areas.first())
    month = sel.parse_month(data.get("month")) or form.default_month()
    if area is None:
        raise PermissionDenied(_("您无权组织文明创建活动"))
    if request.method == "POST":
        try:
            actions.publish_shop_board(area=area, month=month, acting_user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("红黑榜已发布为公示"))
        query = urlencode({"area": area.pk, "month": f"{month:%Y-%m}"})
        return redirect(f"{request.path}?{query}")
    scores = sel.month_scores(area, month)
    end = sel.month_bounds(month)[1]
    published = ShopBoard.objects.filter(area=area, month=month).select_related("notice").first()
    return render(request, T + "board.html", {
        "form": forms.MonthForm(initial={"area": area.pk, "month": f"{month:%Y-%m}"},
                                areas=areas),
        "area": area, "month": month, "scores": scores, "published": published,
        "ended": end <= timezone.now(), "boards": list(sel.boards_of(area)[:12]),
        "red": [s for s in scores if s.listing == "red"],
        "black": [s for s in scores if s.listing == "black"],
        "red_from": sel.RED_FROM, "black_below": sel.BLACK_BELOW,
        "previous": f"{sel.previous_month(month):%Y-%m}",
        "next": f"{sel.next_month(month):%Y-%m}",
    })


@login_required
@require_GET
def street(request: HttpRequest) -> HttpResponse:
    """The street's view: per community, shops, inspected this month, problems, red/black."""
    user = request.user
    require_organiser_somewhere(user)
    streets = AreaNode.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "path"),
                                      kind=AreaKind.STREET).order_by("path")
    month = (sel.parse_month(request.GET.get("month"))
             or sel.month_start(timezone.localdate()))
    return render(request, T + "street.html", {
        "month": month, "streets": [(s, sel.street_overview(s, month)) for s in streets],
        "previous": f"{sel.previous_month(month):%Y-%m}",
        "next": f"{sel.next_month(month):%Y-%m}",
    })
