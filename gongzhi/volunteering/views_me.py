"""A volunteer's own pages: the card (hours, stars, points, time bank, codes), registering,
giving units to family, the reward catalogue, the printable service record, and the shop's
till page where a coupon code is taken. Activities and shifts are in ``views_activities``.

Everything works without JavaScript: plain forms, POST then redirect with a message. State
changes only through ``gongzhi.volunteering.actions``; their refusals are shown in Chinese
and change nothing.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts.models import Membership, OrgKind
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.areas.selectors import home_path
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import bank, rewards
from gongzhi.volunteering.actions.ledger import STAR_THRESHOLDS
from gongzhi.volunteering.actions.volunteers import register_volunteer
from gongzhi.volunteering.forms_me import CouponCodeForm, RegisterForm, TransferForm
from gongzhi.volunteering.models import Coupon, Redemption, Reward, Volunteer

T = "volunteering/me/"


# --- shared with views_activities -------------------------------------------------------------


def error_text(exc: Exception) -> str:
    """An action's refusal as one Chinese sentence."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("您无权进行此操作")


def add_errors(form, exc: Exception) -> None:
    """Put an action's refusal next to the field it names, or above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error_text(exc))


def volunteer_or_none(user) -> Volunteer | None:
    return Volunteer.objects.filter(user_id=user.pk).select_related("area").first()


def stars_text(stars: int) -> str:
    return "★" * stars + "☆" * (5 - stars)


def next_star(hours: Decimal) -> Decimal | None:
    """Hours still to serve for the next star (None at five stars)."""
    for threshold in STAR_THRESHOLDS:
        if hours < threshold:
            return threshold - hours
    return None


# --- the card ---------------------------------------------------------------------------------


def _codes(user) -> list:
    return list(selectors.my_coupon_codes(user)[:20])


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The volunteer's card; for anyone else a link to register (and units they were given)."""
    user = request.user
    volunteer = volunteer_or_none(user)
    balance = selectors.balances(user)
    now = timezone.now()
    context = {"volunteer": volunteer, "balance": balance, "codes": _codes(user),
               "redemptions": Redemption.objects.filter(holder=user)
               .select_related("reward")[:10],
               "has_household": bool(getattr(user, "resident", None))}
    if volunteer is not None:
        context.update({
            "stars_text": stars_text(balance["stars"]),
            "to_next_star": next_star(balance["hours"]),
            "entries": volunteer.hours_entries.all()[:8],
            "signups": [s for s in selectors.my_signups(user).filter(activity__ends_at__gt=now)
                        .order_by("activity__starts_at", "id")[:10]],
            "shift_signups": selectors.my_shift_signups(user).filter(shift__ends_at__gt=now)[:10],
        })
    return render(request, T + "me.html", context)


@login_required
def coupons(request: HttpRequest) -> HttpResponse:
    """My coupon codes, large enough to show at the till."""
    return render(request, T + "coupons.html", {"codes": _codes(request.user)})


# --- registering ------------------------------------------------------------------------------


def _home_community(user) -> AreaNode | None:
    home = home_path(user)
    if not home:
        return None
    return AreaNode.objects.filter(path__in=ancestor_paths(home),
                                   kind=AreaKind.COMMUNITY).first()


def _communities(home: AreaNode | None) -> QuerySet[AreaNode]:
    """The communities of the resident's street (a party member reports to one of them)."""
    communities = AreaNode.objects.filter(kind=AreaKind.COMMUNITY).order_by("path")
    if home is not None and home.parent_id:
        return communities.filter(subtree_q(home.parent.path))
    return communities


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    user = request.user
    if volunteer_or_none(user) is not None:
        messages.info(request, _("您已经是注册志愿者"))
        return redirect("volunteering:me")
    home = _home_community(user)
    communities = _communities(home)
    form = RegisterForm(request.POST or None, communities=communities,
                        initial={"community": home})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_volunteer(user=user, community=data["community"], acting_user=user,
                               skills=data["skills"], availability=data["availability"],
                               is_party_member=data["is_party_member"],
                               party_unit=data["party_unit"])
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("注册成功，欢迎加入志愿服务！"))
            return redirect("volunteering:me")
    return render(request, T + "register.html", {"form": form, "home": home})


# --- time bank --------------------------------------------------------------------------------


def _household_members(user) -> QuerySet:
    resident = getattr(user, "resident", None)
    users = get_user_model().objects.filter(is_active=True)
    if resident is None:
        return users.none()
    return users.filter(resident__household_id=resident.household_id).exclude(pk=user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    """转给家人: time-bank units to a member of the same household."""
    user = request.user
    members = _household_members(user)
    form = TransferForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        to_user = form.cleaned_data["to_user"]
        try:
            bank.transfer_units(to_user=to_user, units=form.cleaned_data["units"],
                                acting_user=user)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已转给%(name)s %(units)s 时间币") % {
                "name": to_user.display_name, "units": form.cleaned_data["units"].strip()})
            return redirect("volunteering:me")
    return render(request, T + "transfer.html", {
        "form": form, "members": members, "units": selectors.balances(user)["units"],
        "entries": selectors.time_bank_entries(user)[:10]})


# --- rewards and coupons ----------------------------------------------------------------------


@login_required
def rewards_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, T + "rewards.html", {
        "points": selectors.balances(user)["points"],
        "rewards": selectors.rewards_for(user),
        "coupons": selectors.coupons_for(user),
        "entries": selectors.points_entries(user)[:10]})


@login_required
@require_POST
def reward_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    reward = Reward.objects.filter(pk=pk).first()
    if reward is None:
        raise Http404(_("没有找到该礼品"))
    try:
        rewards.redeem_reward(reward=reward, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已兑换“%(name)s”，请到社区领取") % {"name": reward.name})
    return redirect("volunteering:rewards")


@login_required
@require_POST
def coupon_buy(request: HttpRequest, pk: int) -> HttpResponse:
    coupon = Coupon.objects.filter(pk=pk).first()
    if coupon is None:
        raise Http404(_("没有找到该友邻券"))
    try:
        code = rewards.buy_coupon(coupon=coupon, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("volunteering:rewards")
    messages.success(request, _("已兑换友邻券“%(title)s”，券码 %(code)s") % {
        "title": coupon.title, "code": code.code})
    return redirect("volunteering:coupons")


# --- the printable record ---------------------------------------------------------------------


@login_required
def service_record(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_or_none(request.user)
    if volunteer is None:
        messages.info(request, _("请先注册成为志愿者"))
        return redirect("volunteering:register")
    record = selectors.service_record(volunteer)
    return render(request, T + "record.html", record | {"stars_text": stars_text(
        record["stars"])})


# --- the shop's till --------------------------------------------------------------------------


def _shops(user) -> list:
    return [m.organisation for m in Membership.objects.filter(
        user=user, organisation__kind=OrgKind.MERCHANT, organisation__is_active=True,
    ).select_related("organisation")]


@login_required
@require_http_methods(["GET", "POST"])
def coupon_redeem(request: HttpRequest) -> HttpResponse:
    """核销友邻券: a shop member types the code the customer shows."""
    user = request.user
    shops = _shops(user)
    if not shops:
        raise PermissionDenied(_("只有商户的店员可以核销友邻券"))
    form = CouponCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            found = rewards.redeem_coupon_code(code=form.cleaned_data["code"], acting_user=user)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("核销成功：%(title)s（券码 %(code)s，%(name)s）") % {
                "title": found.coupon.title, "code": found.code,
                "name": found.holder.display_name})
            return redirect("volunteering:coupon_redeem")
    return render(request, T + "shop.html", {
        "form": form, "shops": shops,
        "redeemed": selectors.shop_redeemed_codes(user).select_related("holder")[:20]})

