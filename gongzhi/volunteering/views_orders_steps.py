"""One order's page for everyone it concerns, and the steps they take on it (认领、接单、
退回、完成、评价、取消). Whoever it does not concern gets a 404, never a hint it exists.

Each step is a plain form POSTed to ``orders/<pk>/<step>/``: the action decides; a refusal
about what was typed is shown next to the field, any other refusal as a message, and
nothing changes.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import Membership
from gongzhi.areas.models import GRID_KINDS, AreaKind, AreaNode
from gongzhi.core.masking import mask_phone
from gongzhi.core.permissions import Perm, can
from gongzhi.core.tree import ancestor_paths
from gongzhi.volunteering.actions import orders as actions
from gongzhi.volunteering.forms_orders import STEP_FORMS
from gongzhi.volunteering.models import OrderStatus, ServiceOrder
from gongzhi.volunteering.views_orders import T, active_volunteer, add_errors, error_text

S = OrderStatus
_ABOVE_COMMUNITY = (AreaKind.CITY, AreaKind.DISTRICT, AreaKind.STREET)


@dataclass(frozen=True)
class Viewer:
    """How the order concerns the user looking at it."""

    requester: bool
    taker: bool  # the volunteer it is dispatched to, or who took it
    team: bool  # a member of the team it was dispatched to
    board: bool  # on the open board of their community, theirs to claim
    staff: bool  # manages volunteering over the order's area

    @property
    def sees(self) -> bool:
        return self.requester or self.taker or self.team or self.board or self.staff

    @property
    def knows_requester(self) -> bool:
        """Who is to serve them (or manages it) learns the requester's name and home."""
        return self.requester or self.taker or self.team or self.staff


def viewer(user, order: ServiceOrder) -> Viewer:
    team = bool(order.team_id) and Membership.objects.filter(
        organisation_id=order.team_id, user_id=user.pk).exists()
    board = False
    if order.status == S.OPEN and order.requester_id != user.pk:
        volunteer = active_volunteer(user)
        board = volunteer is not None and order.area_path.startswith(volunteer.area_path)
    return Viewer(
        requester=order.requester_id == user.pk,
        taker=bool(order.volunteer_id) and order.volunteer.user_id == user.pk,
        team=team, board=board,
        staff=can(user, Perm.MANAGE_VOLUNTEERS, order.area_path))


def steps_for(v: Viewer, order: ServiceOrder) -> set[str]:
    """The buttons this viewer may use on the order right now."""
    steps = set()
    if v.requester and order.status in actions.UNTAKEN:
        steps.add("cancel")
    if v.requester and order.status == S.DONE:
        steps.add("rate")
    if v.board:
        steps.add("claim")
    if order.status == S.DISPATCHED and (v.taker or v.team):
        steps |= {"accept", "decline"}
    if order.status == S.ACCEPTED and v.taker:
        steps |= {"complete", "decline"}
    return steps


def _order(request: HttpRequest, pk: int) -> tuple[ServiceOrder, Viewer]:
    order = (ServiceOrder.objects
             .select_related("item", "area", "requester__resident__household__building",
                             "team", "volunteer__user")
             .filter(pk=pk).first())
    if order is None:
        raise Http404(_("没有找到该订单"))
    v = viewer(request.user, order)
    if not v.sees:
        raise Http404(_("没有找到该订单"))
    return order, v


def place(path: str) -> str:
    """Where, as a resident says it: community, compound, building (not grids or above)."""
    nodes = AreaNode.objects.filter(path__in=ancestor_paths(path)).order_by("path")
    return " ".join(n.name for n in nodes
                    if n.kind not in _ABOVE_COMMUNITY and n.kind not in GRID_KINDS)


def requester_card(order: ServiceOrder, v: Viewer) -> dict | None:
    """The requester's name, home and phone; the phone masked unless it is the viewer's."""
    if not v.knows_requester:
        return None
    user = order.requester
    resident = getattr(user, "resident", None)
    phone = user.phone or (resident.phone if resident is not None else "")
    home = ""
    if resident is not None:
        household = resident.household
        room = str(household).removeprefix(household.building.name)  # 1单元201
        home = f"{place(household.building.path)}{room}"
    return {"name": resident.name if resident is not None else user.display_name,
            "home": home, "phone": phone if v.requester else mask_phone(phone)}


def timeline(order: ServiceOrder) -> list[dict]:
    rows = []
    for event in order.events.select_related("actor"):
        if event.actor_id is None:
            who = _("系统")
        elif event.actor_id == order.requester_id:
            who = _("点单人")
        else:
            who = event.actor.display_name
        rows.append({"label": event.label, "who": who,
                     "at": event.created_at, "note": event.note})
    return rows


def _page(request: HttpRequest, order: ServiceOrder, v: Viewer,
          bound: dict[str, Form] | None = None) -> HttpResponse:
    steps = steps_for(v, order)
    forms = {step: (bound or {}).get(step) or STEP_FORMS[step](
        auto_id=f"id_{step}_%s", initial=_initial(step, order)) for step in steps}
    return render(request, T + "order.html", {
        "order": order, "viewer": v, "steps": steps, "forms": forms,
        "place": place(order.area_path), "requester": requester_card(order, v),
        "events": timeline(order), "untaken": order.status in actions.UNTAKEN,
    })


def _initial(step: str, order: ServiceOrder) -> dict:
    if step == "complete" and order.item_id:
        return {"hours": order.item.usual_hours}
    return {}


@login_required
def order(request: HttpRequest, pk: int) -> HttpResponse:
    """The order, its timeline, who is doing it, and the viewer's buttons."""
    order, v = _order(request, pk)
    return _page(request, order, v)


SUCCESS = {
    "claim": gettext_lazy("认领成功，请尽快联系居民提供服务。"),
    "accept": gettext_lazy("已接单，请按约定提供服务。"),
    "decline": gettext_lazy("已退回，社区将重新安排。"),
    "complete": gettext_lazy("服务已完成，时长已记入您的志愿服务记录。"),
    "rate": gettext_lazy("谢谢您的评价！"),
    "cancel": gettext_lazy("订单已取消。"),
}


def _run(step: str, order: ServiceOrder, data: dict, user) -> None:
    if step == "claim":
        actions.claim_order(order=order, acting_user=user)
    elif step == "accept":
        actions.accept_order(order=order, acting_user=user)
    elif step == "decline":
        actions.decline_order(order=order, reason=data["reason"], acting_user=user)
    elif step == "complete":
        actions.complete_order(order=order, hours=data["hours"], report=data["report"],
                               acting_user=user)
    elif step == "rate":
        actions.rate_order(order=order, rating=data["rating"], comment=data["comment"],
                           acting_user=user)
    else:
        actions.cancel_order(order=order, reason=data["reason"], acting_user=user)


def _after(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to the order, or, if it no longer concerns the user (given back), to my tasks."""
    fresh = ServiceOrder.objects.select_related("volunteer").get(pk=pk)
    if viewer(request.user, fresh).sees:
        return redirect("volunteering:order", pk=pk)
    return redirect("volunteering:tasks")


def _taken_from_my_board(user, pk: int) -> bool:
    """An order of my community that is no longer open and no longer mine to see."""
    order = ServiceOrder.objects.select_related("volunteer").filter(pk=pk).first()
    if order is None or order.status == S.OPEN or viewer(user, order).sees:
        return False
    volunteer = active_volunteer(user)
    return volunteer is not None and order.area_path.startswith(volunteer.area_path)


@login_required
@require_POST
def order_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step on the order; the action checks who acts and from which status."""
    if step not in STEP_FORMS:
        raise Http404(_("没有找到该页面"))
    if step == "claim" and _taken_from_my_board(request.user, pk):
        # A board page opened before someone else claimed it: say so, not a bare 404.
        messages.error(request, _("该需求已被其他志愿者认领或已撤回"))
        return redirect("volunteering:board")
    order, v = _order(request, pk)
    offered = step in steps_for(v, order)
    form = STEP_FORMS[step](request.POST, auto_id=f"id_{step}_%s")
    if not form.is_valid():
        if offered:
            return _page(request, order, v, {step: form})
        messages.error(request, _("该订单当前为“%(status)s”，您不能进行此操作")
                       % {"status": order.get_status_display()})
        return redirect("volunteering:order", pk=order.pk)
    try:
        _run(step, order, form.cleaned_data, request.user)
    except (ValidationError, PermissionDenied) as exc:
        if offered and add_errors(form, exc):
            return _page(request, order, v, {step: form})
        messages.error(request, error_text(exc))
        return _after(request, order.pk)
    messages.success(request, SUCCESS[step])
    return _after(request, order.pk)
