"""Home, inbox, audit log and the large-text preference."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gongzhi.core import events, selectors
from gongzhi.core.actions import mark_notifications_read
from gongzhi.core.context_processors import LARGE_TEXT_COOKIE
from gongzhi.core.permissions import uses_console
from gongzhi.core.widgets import QuickSelect, QuickSelects

# --- home ------------------------------------------------------------------------------

HomePanel = Callable[[HttpRequest], dict[str, Any] | None]
_home_panels: dict[str, tuple[str, HomePanel]] = {}


def register_home_panel(name: str, template: str, build: HomePanel) -> None:
    """Let an app below core (which core may not import) add a section to the home page.

    ``build`` returns the section's context, or None when it does not apply to this user.
    """
    _home_panels[name] = (template, build)


def _panels(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for template, build in _home_panels.values():
        context = build(request)
        if context is not None:
            out.append({"template": template, **context})
    return out


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return render(request, "core/welcome.html")
    context: dict[str, Any] = {"panels": _panels(request)}
    if uses_console(user):
        if selectors.can_view_audit(user):
            context["recent"] = selectors.audit_page(user, limit=10).rows
        return render(request, "core/console_home.html", context)
    return render(request, "core/resident_home.html", context)


# --- helpers ---------------------------------------------------------------------------


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the form carried if it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- large-text mode (适老化) -----------------------------------------------------------


@require_POST
def text_size(request: HttpRequest) -> HttpResponseRedirect:
    """Remember the reader's choice in a cookie; works for visitors who are not logged in."""
    response = redirect(safe_next(request, reverse("core:home")))
    if request.POST.get("large") == "1":
        response.set_cookie(
            LARGE_TEXT_COOKIE, "1", max_age=int(timedelta(days=365).total_seconds()),
            samesite="Lax", httponly=True, secure=request.is_secure(),
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


# --- inbox -----------------------------------------------------------------------------

INBOX_PAGE_SIZE = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(request.user), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponseRedirect:
    """Mark one, several or all of the user's own notifications read."""
    back = safe_next(request, reverse("core:inbox"))
    if request.POST.get("all") == "1":
        ids = None
    else:
        raw = request.POST.getlist("id")
        if not raw or not all(value.isdigit() for value in raw):
            messages.error(request, _("请选择要标为已读的通知。"))
            return redirect(back)
        ids = [int(value) for value in raw]
    count = mark_notifications_read(acting_user=request.user, ids=ids)
    if count:
        messages.success(
            request, ngettext("已将 %(count)d 条通知标为已读。", "已将 %(count)d 条通知标为已读。",
                              count) % {"count": count},
        )
    return redirect(back)


# --- audit log -------------------------------------------------------------------------


class AuditFilterForm(QuickSelects, forms.Form):
    # A kind of event, or "app." for all of one app's; chosen by name, never typed as a
    # code. Any value still filters (a link to a kind no code writes any more keeps working).
    action = forms.CharField(label=_("操作"), required=False, max_length=64,
                             widget=QuickSelect)
    actor = forms.CharField(label=_("操作人用户名"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("全部")), *selectors.object_type_choices()]
        choices = [("", _("全部")), *events.event_choices()]
        wanted = (self.data.get("action") or "").strip() if self.is_bound else ""
        known = {value for _group, options in choices[1:] for value, _label in options}
        if wanted and wanted not in known:
            choices.append((wanted, events.event_label(wanted)))
        self.fields["action"].widget.choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data

    def filters(self) -> selectors.AuditFilters:
        data = self.cleaned_data
        return selectors.AuditFilters(
            action=data["action"].strip(), actor=data["actor"].strip(),
            object_type=data["object_type"], date_from=data["date_from"], date_to=data["date_to"],
        )


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_view_audit(user):
        raise PermissionDenied("core.view_audit")
    form = AuditFilterForm(request.GET or None)
    page = None
    if form.is_bound and not form.is_valid():
        filters = None  # show the errors next to the fields and no rows
    else:
        filters = form.filters() if form.is_bound else selectors.AuditFilters()
        page = selectors.audit_page(
            user, filters,
            before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after")),
        )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return render(request, "core/audit.html", {
        "form": form, "page": page, "filter_query": query.urlencode(),
        "time_zone": settings.TIME_ZONE,
    })
