"""Residents' and volunteers' ordering pages (点单、微心愿、待认领、我的任务), mounted at
/volunteering/. One order's own page and its steps (认领、接单、完成、评价、取消) are in
``views_orders_steps``.

Phone pages without JavaScript: plain forms, POST then redirect with a message. State
changes only through ``gongzhi.volunteering.actions.orders``; their refusals are shown in
Chinese and change nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.permissions import Perm, scope_paths
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import orders as actions
from gongzhi.volunteering.forms_orders import OrderForm, WishForm
from gongzhi.volunteering.models import (
    Library,
    OrderStatus,
    ServiceItem,
    Volunteer,
    VolunteerStatus,
)

T = "volunteering/orders/"
PAGE_SIZE = 20
TASK_STATUSES = (OrderStatus.DISPATCHED, OrderStatus.ACCEPTED)


# --- shared by both order modules ----------------------------------------------------------


def error_text(exc: Exception) -> str:
    """An action's refusal as one Chinese sentence."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("您无权进行此操作")


def add_errors(form, exc: Exception) -> bool:
    """Put a refusal that names the form's fields next to them; False if it names none."""
    if not (isinstance(exc, ValidationError) and hasattr(exc, "error_dict")):
        return False
    errors = exc.message_dict
    if not set(errors) <= set(form.fields):
        return False
    for name, messages_ in errors.items():
        form.add_error(name, messages_)
    return True


def active_volunteer(user) -> Volunteer | None:
    return Volunteer.objects.filter(user_id=user.pk, status=VolunteerStatus.ACTIVE).first()


def paginate(request: HttpRequest, rows: QuerySet) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _is_staff(user) -> bool:
    return bool(user.is_superuser or scope_paths(user, Perm.MANAGE_VOLUNTEERS))


# --- home -----------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """志愿服务: order a service or post a wish, follow my orders; a volunteer's board and
    tasks."""
    user = request.user
    resident = getattr(user, "resident", None)
    mine = selectors.resident_orders(user)
    volunteer = active_volunteer(user)
    context = {
        "resident": resident,
        "orders": mine[:5],
        "more_orders": mine.count() > 5,
        "to_rate": mine.filter(status=OrderStatus.DONE).count(),
        "volunteer": volunteer,
        "is_staff": _is_staff(user),
    }
    if volunteer is not None:
        context["board_count"] = selectors.open_board(user).count()
        context["tasks"] = selectors.volunteer_orders(user).filter(status__in=TASK_STATUSES)
    return render(request, T + "home.html", context)


# --- 点单: the menu, micro-wishes, my orders --------------------------------------------------


def menu_groups(user) -> list[dict]:
    """The menu serving the user's home, by library in the libraries' own order."""
    by_library: dict[str, list[ServiceItem]] = {}
    for item in selectors.menu_for(user):
        by_library.setdefault(item.library, []).append(item)
    return [{"library": label, "code": code, "items": by_library[code]}
            for code, label in Library.choices if code in by_library]


@login_required
def menu(request: HttpRequest) -> HttpResponse:
    """服务项目库: what I can order for my home, each item with its team and usual time."""
    resident = getattr(request.user, "resident", None)
    groups = menu_groups(request.user)
    return render(request, T + "menu.html", {"resident": resident, "groups": groups})


@login_required
@require_POST
def order_item(request: HttpRequest, item_pk: int) -> HttpResponse:
    """点单: one item of the menu, with what is needed; staff of the area dispatch it."""
    item = ServiceItem.objects.filter(pk=item_pk).first()
    if item is None:
        raise Http404(_("没有找到该服务项目"))
    form = OrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("volunteering:menu")
    try:
        order = actions.place_order(item=item, acting_user=request.user,
                                    description=form.cleaned_data["description"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("volunteering:menu")
    messages.success(request, _("点单成功，社区将尽快为您安排志愿者。"))
    return redirect("volunteering:order", pk=order.pk)


@login_required
@require_http_methods(["GET", "POST"])
def wish_new(request: HttpRequest) -> HttpResponse:
    """微心愿: posted straight to the open board, where volunteers of the community claim it."""
    resident = getattr(request.user, "resident", None)
    form = WishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = actions.post_wish(title=data["title"], description=data["description"],
                                      acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            if not add_errors(form, exc):
                form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("心愿已发布，社区志愿者认领后会联系您。"))
            return redirect("volunteering:order", pk=order.pk)
    return render(request, T + "wish_new.html", {"form": form, "resident": resident})


@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    """我的点单: everything I ordered or wished for, newest first."""
    return render(request, T + "my_orders.html", {
        "page": paginate(request, selectors.resident_orders(request.user))})


# --- 接单: the open board, my tasks -----------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """待认领: the open board of my community, oldest first, each with its 认领 button."""
    volunteer = active_volunteer(request.user)
    return render(request, T + "board.html", {
        "volunteer": volunteer,
        "suspended": volunteer is None
        and Volunteer.objects.filter(user_id=request.user.pk).exists(),
        "page": paginate(request, selectors.open_board(request.user)),
    })


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """我的任务: orders waiting for me or my team, the ones I took, and my past services."""
    rows = selectors.volunteer_orders(request.user)
    return render(request, T + "tasks.html", {
        "volunteer": Volunteer.objects.filter(user_id=request.user.pk).first(),
        "waiting": rows.filter(status=OrderStatus.DISPATCHED),
        "doing": rows.filter(status=OrderStatus.ACCEPTED),
        "page": paginate(request, rows.exclude(status__in=TASK_STATUSES)),
    })
