"""Staff console pages for volunteering (志愿服务 · 工作台): today's work, the orders
(派单), the volunteers and the rankings. Activities and rosters are in
views_staff_activities, the menu, rewards, coupons and the time-bank counter in
views_staff_catalogue.

Every change is an action's; a page only parses, checks the scope and shows the action's
answer. Rows outside the user's MANAGE_VOLUNTEERS scope answer 404; a user without the
permission anywhere, or an action refusing them, answers 403.
"""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.models import Membership, OrgKind
from gongzhi.volunteering import forms_staff as forms
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import orders as order_actions
from gongzhi.volunteering.actions import volunteers as volunteer_actions
from gongzhi.volunteering.actions.ledger import star_level, tenths
from gongzhi.volunteering.models import ActivityStatus, OrderStatus, VolunteerStatus
from gongzhi.volunteering.views_staff_common import (
    PAGE_SIZE,
    T,
    find_account,
    page_of,
    require_manager_somewhere,
    run_form,
    run_step,
    scoped,
)

_ORDER_RELATED = ("item", "area", "requester", "team", "volunteer__user")
_HOURS = DecimalField(max_digits=12, decimal_places=1)


# --- today's work ----------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    now = timezone.now()
    today = timezone.localdate()
    orders = selectors.managed_orders(user).select_related(*_ORDER_RELATED)
    return render(request, T + "home.html", {
        "waiting": list(orders.filter(status=OrderStatus.ORDERED)
                        .order_by("created_at", "id")[:PAGE_SIZE]),
        "stale": list(selectors.stale_orders(user)[:PAGE_SIZE]),
        "untaken": list(orders.filter(status=OrderStatus.DISPATCHED)
                        .order_by("dispatched_at", "id")[:PAGE_SIZE]),
        # Started in the last seven days, hours not yet confirmed by anyone.
        "to_confirm": list(selectors.managed_activities(user).filter(
            status=ActivityStatus.PUBLISHED, starts_at__lte=now,
            starts_at__gte=now - timedelta(days=7)).order_by("starts_at", "id")[:PAGE_SIZE]),
        "uncovered": list(selectors.uncovered_shifts(user, today, today + timedelta(days=6))
                          [:PAGE_SIZE]),
    })


# --- orders ----------------------------------------------------------------------------------


@login_required
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    filters = forms.OrderFilterForm(request.GET or None)
    chosen = filters.chosen()
    rows = (selectors.managed_orders(request.user).select_related(*_ORDER_RELATED)
            .filter(**chosen).order_by("-created_at", "-id"))
    return render(request, T + "orders.html", {
        "filters": filters, "page": page_of(request, rows), "extra": urlencode(chosen)})


def _order(request: HttpRequest, pk):
    return scoped(request.user, selectors.managed_orders(request.user)
                  .select_related(*_ORDER_RELATED), _("未找到该订单"), pk)


def _order_page(request: HttpRequest, order, dispatch=None, cancel=None,
                status: int = 200) -> HttpResponse:
    untaken = order.status in (OrderStatus.ORDERED, OrderStatus.OPEN)
    open_to_cancel = order.status not in (OrderStatus.DONE, OrderStatus.RATED,
                                          OrderStatus.CANCELLED)
    return render(request, T + "order.html", {
        "order": order,
        "events": [(e, e.label)
                   for e in order.events.select_related("actor")],
        "dispatch_form": dispatch or (forms.DispatchForm(order=order) if untaken else None),
        "can_post": order.status in (OrderStatus.ORDERED, OrderStatus.DISPATCHED),
        "cancel_form": cancel or (forms.ReasonForm() if open_to_cancel else None),
    }, status=status)


@login_required
@require_GET
def order(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, _order(request, pk))


@login_required
@require_POST
def order_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _order(request, pk)
    form = forms.DispatchForm(request.POST, order=obj)
    if run_form(form, lambda d: order_actions.dispatch_order(
            order=obj, team=d["team"], volunteer=d["volunteer"], acting_user=request.user)):
        messages.success(request, _("已派单，已通知承接的志愿者"))
        return redirect("volunteering_staff:order", pk=obj.pk)
    return _order_page(request, obj, dispatch=form, status=400)


@login_required
@require_POST
def order_board(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _order(request, pk)
    run_step(request, _("已发布到待认领需求，本社区志愿者可认领"), order_actions.post_to_board,
             order=obj)
    return redirect("volunteering_staff:order", pk=obj.pk)


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _order(request, pk)
    form = forms.ReasonForm(request.POST)
    if run_form(form, lambda d: order_actions.cancel_order(
            order=obj, reason=d["reason"], acting_user=request.user)):
        messages.success(request, _("订单已取消"))
        return redirect("volunteering_staff:order", pk=obj.pk)
    return _order_page(request, obj, cancel=form, status=400)


# --- volunteers ------------------------------------------------------------------------------


def _team_names(user_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for m in (Membership.objects.filter(user_id__in=user_ids,
                                        organisation__kind=OrgKind.VOLUNTEER_TEAM)
              .select_related("organisation").order_by("organisation__name")):
        names.setdefault(m.user_id, []).append(m.organisation.name)
    return names


def _register(request: HttpRequest, form: forms.RegisterForm) -> bool:
    def call(d: dict) -> None:
        account = find_account(d["account"])
        if account is None:
            raise ValidationError({"account": _("未找到该账号，请核对用户名或手机号")})
        volunteer_actions.register_volunteer(
            user=account, community=d["area"], acting_user=request.user, skills=d["skills"],
            availability=d["availability"], is_party_member=d["is_party_member"],
            party_unit=d["party_unit"], expected_hours=d["expected_hours"])

    return run_form(form, call, rename={"community": "area"})


@login_required
@require_http_methods(["GET", "POST"])
def volunteers(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    if request.method == "POST":
        form = forms.RegisterForm(request.POST, user=user)
        if _register(request, form):
            messages.success(request, _("已登记为志愿者"))
            return redirect("volunteering_staff:volunteers")
    else:
        form = forms.RegisterForm(user=user)
    query = (request.GET.get("q") or "").strip()
    zero = Value(Decimal(0), output_field=_HOURS)
    rows = (selectors.managed_volunteers(user).select_related("user", "area")
            .annotate(hours=Coalesce(Sum("hours_entries__hours"), zero, output_field=_HOURS))
            .order_by("area_path", "user__full_name", "id"))
    if query:
        rows = rows.filter(Q(user__full_name__contains=query) | Q(user__username=query)
                           | Q(user__phone=query))
    page = page_of(request, rows)
    teams = _team_names([v.user_id for v in page.object_list])
    listed = []
    for v in page.object_list:
        hours = tenths(v.hours)
        listed.append({"v": v, "hours": hours, "stars": star_level(hours),
                       "teams": teams.get(v.user_id, [])})
    return render(request, T + "volunteers.html", {
        "form": form, "page": page, "rows": listed, "q": query,
        "extra": urlencode({"q": query}) if query else ""},
        status=400 if form.is_bound else 200)


def _volunteer(request: HttpRequest, pk):
    return scoped(request.user, selectors.managed_volunteers(request.user)
                  .select_related("user", "area"), _("未找到该志愿者"), pk)


@login_required
@require_GET
def volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _volunteer(request, pk)
    other = (VolunteerStatus.SUSPENDED if obj.status == VolunteerStatus.ACTIVE
             else VolunteerStatus.ACTIVE)
    return render(request, T + "volunteer.html", {
        "volunteer": obj, "record": selectors.service_record(obj),
        "teams": _team_names([obj.user_id]).get(obj.user_id, []),
        "next_status": other, "next_label": VolunteerStatus(other).label})


@login_required
@require_POST
def volunteer_status(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _volunteer(request, pk)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        status = form.cleaned_data["status"]
        run_step(request, _("已暂停该志愿者") if status == VolunteerStatus.SUSPENDED
                 else _("已恢复该志愿者"), volunteer_actions.set_volunteer_status,
                 volunteer=obj, status=status, reason=form.cleaned_data["reason"])
    else:
        messages.error(request, _("请选择状态"))
    return redirect("volunteering_staff:volunteer", pk=obj.pk)


# --- rankings --------------------------------------------------------------------------------


def period_start(period: str):
    today = timezone.localdate()
    if period == "month":
        return today.replace(day=1)
    if period == "year":
        return today.replace(month=1, day=1)
    return None


@login_required
@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    filters = forms.RankingFilterForm(request.GET or None, user=user,
                                      initial={"period": "month"})
    chosen = filters.cleaned_data if filters.is_valid() else {}
    period = chosen.get("period") or "month"
    ranked = selectors.rankings(user, area=chosen.get("area"), team=chosen.get("team"),
                                start=period_start(period), limit=PAGE_SIZE)
    return render(request, T + "rankings.html", {
        "filters": filters, "ranked": ranked, "period": period,
        "period_label": dict(forms.PERIODS)[period]})
