"""Staff console pages for what volunteering offers and pays out: the service menu
(服务项目库), the reward catalogue (积分超市) and its hand-overs, the shops' neighbour coupons
(友邻券) and the time-bank counter (时间银行 · 兑换服务).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.models import User
from gongzhi.core.permissions import Perm, can, scope_q
from gongzhi.volunteering import forms_staff as forms
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import bank, menu, rewards
from gongzhi.volunteering.models import Redemption, ServiceItem
from gongzhi.volunteering.views_staff_common import (
    PAGE_SIZE,
    T,
    apply_errors,
    find_account,
    page_of,
    require_manager_somewhere,
    run_form,
    run_step,
    scoped,
)

# --- the menu --------------------------------------------------------------------------------


def _items(user):
    return (ServiceItem.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))
            .select_related("area", "team"))


@login_required
@require_GET
def menu_list(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    rows = _items(request.user).order_by("-is_active", "library", "name", "id")
    return render(request, T + "menu.html", {"page": page_of(request, rows)})


def _save_item(request: HttpRequest, form, item=None) -> list:
    saved = []
    run_form(form, lambda d: saved.append(menu.save_service_item(
        acting_user=request.user, library=d["library"], name=d["name"],
        usual_hours=d["usual_hours"], area=d["area"], team=d["team"],
        description=d["description"], item=item)))
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    if request.method == "POST":
        form = forms.ServiceItemForm(request.POST, user=user)
        if saved := _save_item(request, form):
            messages.success(request, _("已加入服务项目库"))
            return redirect("volunteering_staff:item", pk=saved[0].pk)
    else:
        form = forms.ServiceItemForm(user=user)
    return render(request, T + "item.html", {"form": form, "item": None},
                  status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def item(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    obj = scoped(user, _items(user), _("未找到该服务项目"), pk)
    if request.method == "POST":
        form = forms.ServiceItemForm(request.POST, user=user)
        if _save_item(request, form, item=obj):
            messages.success(request, _("已保存服务项目"))
            return redirect("volunteering_staff:item", pk=obj.pk)
    else:
        form = forms.ServiceItemForm(user=user, initial={
            "library": obj.library, "name": obj.name, "description": obj.description,
            "usual_hours": obj.usual_hours, "area": obj.area_id, "team": obj.team_id})
    return render(request, T + "item.html", {"form": form, "item": obj},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def item_retire(request: HttpRequest, pk: int) -> HttpResponse:
    obj = scoped(request.user, _items(request.user), _("未找到该服务项目"), pk)
    run_step(request, _("服务项目已下架"), menu.retire_service_item, item=obj)
    return redirect("volunteering_staff:item", pk=obj.pk)


# --- rewards ---------------------------------------------------------------------------------


def _rewards_page(request: HttpRequest, form=None, restock=None, status: int = 200):
    user = request.user
    return render(request, T + "rewards.html", {
        "page": page_of(request, selectors.managed_rewards(user).select_related("area")
                        .order_by("-is_active", "points", "name")),
        "handovers": list(selectors.redemptions_to_hand_over(user)[:PAGE_SIZE]),
        "form": form or forms.RewardForm(user=user),
        "restock": restock or {},
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rewards_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    if request.method == "POST":
        form = forms.RewardForm(request.POST, user=user)
        if run_form(form, lambda d: rewards.save_reward(
                acting_user=user, name=d["name"], points=d["points"], stock=d["stock"],
                area=d["area"], description=d["description"])):
            messages.success(request, _("礼品已上架"))
            return redirect("volunteering_staff:rewards")
        return _rewards_page(request, form=form, status=400)
    return _rewards_page(request)


@login_required
@require_POST
def reward_restock(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    reward = scoped(user, selectors.managed_rewards(user), _("未找到该礼品"), pk)
    form = forms.RestockForm(request.POST, prefix=f"r{reward.pk}")
    if run_form(form, lambda d: rewards.restock_reward(reward=reward, add=d["add"],
                                                        acting_user=user)):
        messages.success(request, _("已补充库存：%(name)s") % {"name": reward.name})
        return redirect("volunteering_staff:rewards")
    return _rewards_page(request, restock={"pk": reward.pk, "form": form}, status=400)


@login_required
@require_POST
def reward_shelf(request: HttpRequest, pk: int) -> HttpResponse:
    """上架 / 下架: the reward as it is, with its shelf state turned over."""
    user = request.user
    reward = scoped(user, selectors.managed_rewards(user).select_related("area"),
                    _("未找到该礼品"), pk)
    run_step(request, _("礼品已下架") if reward.is_active else _("礼品已上架"),
             rewards.save_reward, reward=reward, name=reward.name, points=reward.points,
             stock=reward.stock, area=reward.area, description=reward.description,
             is_active=not reward.is_active)
    return redirect("volunteering_staff:rewards")


@login_required
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    redemption = scoped(user, Redemption.objects.filter(
        scope_q(user, Perm.MANAGE_VOLUNTEERS, "reward__area_path")), _("未找到该兑换记录"), pk)
    run_step(request, _("已登记领取"), rewards.hand_over_redemption, redemption=redemption)
    return redirect("volunteering_staff:rewards")


# --- coupons ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def coupons(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    if request.method == "POST":
        form = forms.CouponForm(request.POST, user=user)
        if run_form(form, lambda d: rewards.save_coupon(
                acting_user=user, merchant=d["merchant"], title=d["title"],
                points=d["points"], stock=d["stock"], valid_until=d["valid_until"],
                area=d["area"], description=d["description"])):
            messages.success(request, _("友邻券已上架"))
            return redirect("volunteering_staff:coupons")
    else:
        form = forms.CouponForm(user=user)
    rows = (selectors.managed_coupons(user).select_related("merchant", "area")
            .order_by("-is_active", "-valid_until", "title"))
    return render(request, T + "coupons.html", {"form": form, "page": page_of(request, rows)},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def coupon_shelf(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    coupon = scoped(user, selectors.managed_coupons(user).select_related("area", "merchant"),
                    _("未找到该友邻券"), pk)
    run_step(request, _("友邻券已下架") if coupon.is_active else _("友邻券已上架"),
             rewards.save_coupon, coupon=coupon, merchant=coupon.merchant, title=coupon.title,
             points=coupon.points, stock=coupon.stock, valid_until=coupon.valid_until,
             area=coupon.area, description=coupon.description,
             is_active=not coupon.is_active)
    return redirect("volunteering_staff:coupons")


# --- the time-bank counter -------------------------------------------------------------------


def _holder_in_scope(user, holder) -> bool:
    return any(can(user, Perm.MANAGE_VOLUNTEERS, p) for p in selectors.holder_paths(holder))


def _counter_page(request: HttpRequest, holder=None, spend=None, lookup=None,
                  status: int = 200) -> HttpResponse:
    context = {"lookup": lookup or forms.LookupForm(), "holder": holder}
    if holder is not None:
        context |= {"balances": selectors.balances(holder),
                    "entries": list(selectors.time_bank_entries(holder)[:20]),
                    "spend": spend or forms.SpendForm(initial={"holder": holder.pk})}
    return render(request, T + "counter.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    if request.method == "POST":
        form = forms.SpendForm(request.POST)
        holder_id = str(request.POST.get("holder", ""))
        holder = (User.objects.filter(pk=holder_id, is_active=True).first()
                  if holder_id.isdigit() else None)
        if holder is None or not _holder_in_scope(user, holder):
            messages.error(request, _("未找到该居民，或不在您的辖区内"))
            return redirect("volunteering_staff:counter")
        if not form.is_valid():
            return _counter_page(request, holder, spend=form, status=400)
        try:
            bank.spend_units(holder=holder, units=form.cleaned_data["units"],
                             note=form.cleaned_data["note"], acting_user=user)
        except ValidationError as exc:
            apply_errors(form, exc)
            messages.error(request, _("未能记录兑换，请核对"))
            return _counter_page(request, holder, spend=form, status=400)
        messages.success(request, _("已记录兑换服务 %(units)s 时间币")
                         % {"units": form.cleaned_data["units"]})
        return redirect(f"{request.path}?q={holder.username}")
    lookup = forms.LookupForm(request.GET or None)
    holder = None
    if lookup.is_valid():
        holder = find_account(lookup.cleaned_data["q"])
        if holder is None or not _holder_in_scope(user, holder):
            holder = None
            lookup.add_error("q", _("未找到该居民，或不在您的辖区内"))
    return _counter_page(request, holder, lookup=lookup)
