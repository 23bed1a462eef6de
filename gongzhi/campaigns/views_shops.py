"""门前三包 on the phone: a grid worker's shops (the last inspection and open problems of
each), inspecting a shop or re-inspecting one of its problems with the camera; and a shop's
own members reading their inspections and open problems (/campaigns/shops/mine/).

Plain forms, POST then redirect with a message; state changes only through the actions. A
shop the user may not inspect (or see) is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.campaigns import actions
from gongzhi.campaigns import selectors_shops as sel
from gongzhi.campaigns.forms_shops import InspectionForm
from gongzhi.campaigns.models import InspectionPhoto
from gongzhi.core.pages import one_or_404, page_of, run_form, upload_response
from gongzhi.core.permissions import Perm, scope_paths

T = "campaigns/resident/shops/"


@login_required
@require_GET
def field_home(request: HttpRequest) -> HttpResponse:
    """我的网格商户: each shop with its last inspection and open problems, open ones first."""
    user = request.user
    if not (user.is_superuser or scope_paths(user, Perm.INSPECT)):
        if sel.my_shops(user).exists():
            return redirect("campaigns:shops_mine")
        raise PermissionDenied(_("您无权检查商户"))
    shops = sel.with_counts(sel.inspectable_shops(user)).order_by("-n_open", "area_path",
                                                                   "address", "id")
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        shops = shops.filter(organisation__name__contains=q)
    return render(request, T + "field.html", {"page": page_of(request, shops), "q": q,
                                              "extra": f"q={q}" if q else ""})


@login_required
@require_http_methods(["GET", "POST"])
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """检查 (or, with ?again=<problem>, 复查) one shop: three toggles, a note, photos."""
    user = request.user
    shop = one_or_404(sel.inspectable_shops(user), pk, _("未找到该商户"))
    problems = list(sel.open_problems(shop))
    again_pk = request.POST.get("again") or request.GET.get("again")
    again = next((p for p in problems if str(p.pk) == str(again_pk)), None)
    if again_pk and again is None:
        raise Http404(_("未找到该问题"))
    bound = request.method == "POST"
    form = InspectionForm(request.POST if bound else None, request.FILES if bound else None)
    done: list = []
    if bound and run_form(form, lambda d: done.append(actions.inspect_shop(
            shop=shop, note=d["note"], photos=d["photos"], reinspection_of=again,
            acting_user=user, **form.oks()))):
        row = done[0]
        if row.result == "problem":
            messages.success(request, _("已记录问题并通知商户：%(duties)s")
                             % {"duties": "、".join(map(str, row.failed_duties))})
        elif again is not None:
            messages.success(request, _("复查合格，问题已整改"))
        else:
            messages.success(request, _("检查合格，已记录"))
        return redirect("campaigns:shops_field")
    last = sel.history(shop).first()
    return render(request, T + "inspect.html", {
        "shop": shop, "form": form, "again": again, "problems": problems, "last": last,
    }, status=400 if bound else 200)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的商户: a shop member's own shops, their open problems and recent inspections."""
    rows = []
    for shop in sel.my_shops(request.user):
        rows.append({"shop": shop, "open": list(sel.open_problems(shop)),
                     "recent": list(sel.history(shop)[:10]),
                     "months": sel.shop_months(shop, 3)})
    if not rows:
        raise Http404(_("您不是登记在册商户的成员"))
    return render(request, T + "mine.html", {"rows": rows})


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """An inspection photo, for those who see the shop."""
    row = one_or_404(InspectionPhoto.objects.filter(
        inspection__shop__in=sel.visible_shops(request.user).values("pk")), pk,
        _("没有找到这张照片"))
    return upload_response(row, _("没有找到这张照片"))

