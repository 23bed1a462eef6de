"""Staff pages of the case ledger: the ledger, staff entry, the case page, export, wall chart.

A case outside the user's view answers 404 (its existence is not revealed); an action the
user may not take answers 403. Every action form carries the version the user saw: a case
that moved on meanwhile answers with a conflict message and nothing changes.
"""

import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.selectors import area_by_code
from gongzhi.cases import actions, forms, ledger_export, selectors, wallchart
from gongzhi.cases.actions import TRANSITIONS, CaseConflict
from gongzhi.cases.models import Case, ExtensionRequest, ExtensionStatus
from gongzhi.cases.permissions import can_handle, can_triage, is_case_staff, other_assignees
from gongzhi.cases.routing import responsible_org
from gongzhi.cases.suggest import suggest_categories
from gongzhi.core.masking import mask_phone
from gongzhi.core.permissions import ROLE_PERMS, Perm, Role, can, roles, scope_paths
from gongzhi.core.tree import ancestor_paths, subtree_q

PAGE_SIZE = 50


def _staff_only(user) -> None:
    """The ledger is for those who view cases by area, or handle cases for an organisation."""
    if not selectors.works_on_cases(user):
        raise PermissionDenied(_("您无权查看问题台账"))


def _field_worker(user) -> bool:
    """Grid workers and building heads: their own list first, by deadline."""
    return bool(roles(user) & {Role.GRID_WORKER, Role.BUILDING_HEAD}) and not scope_paths(
        user, Perm.TRIAGE_CASES)


# --- the ledger ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    case: Case
    state: str  # overdue / due_soon / on_time / closed

    @property
    def css(self) -> str:
        return "status-" + self.state.replace("_", "-")


def _filter_form(request: HttpRequest) -> forms.LedgerFilterForm:
    data = request.GET.copy()
    if not any(k in data for k in forms.LedgerFilterForm.FILTERS) and _field_worker(
            request.user):
        data.update({"status": "open", "order": forms.ORDER_DUE})
    return forms.LedgerFilterForm(data, user=request.user)


def _ledger_rows(cases, order: str, cursor) -> tuple[list[Row], bool]:
    page = forms.after_cursor(cases, order, cursor).select_related(
        "area__parent", "category", "assignee", "assignee_org")
    found = list(page[: PAGE_SIZE + 1])
    now = timezone.now()
    rows = [Row(c, selectors.deadline_state(c, now)) for c in found[:PAGE_SIZE]]
    return rows, len(found) > PAGE_SIZE


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    if request.user.resident_id is not None and not selectors.works_on_cases(request.user):
        # A resident who opens /cases/ wants their own cases, not a refusal.
        return redirect("cases_resident:mine")
    _staff_only(request.user)
    form = _filter_form(request)
    values = form.values()
    order = values.get("order", forms.ORDER_NEW)
    cursor = forms.decode_cursor(order, request.GET.get("cursor", ""))
    cases = form.apply(selectors.working_cases(request.user))
    rows, has_next = _ledger_rows(cases, order, cursor)
    base = form.query_items()
    return render(request, "cases/staff/ledger.html", {
        "form": form,
        "rows": rows,
        "query": urlencode(base),
        "first_url": "?" + urlencode(base),
        "next_url": "?" + urlencode([*base, ("cursor", forms.encode_cursor(order, rows[-1].case))])
        if has_next else "",
        "is_later_page": cursor is not None,
        "can_enter": bool(request.user.is_superuser or scope_paths(request.user,
                                                                  Perm.ENTER_CASES)),
        "bulk_form": forms.BulkForm(user=request.user, initial={"back": request.GET.urlencode()})
        if request.user.is_superuser or scope_paths(request.user, Perm.TRIAGE_CASES) else None,
    })


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Accept or dispatch the ticked cases one by one; report what happened to each kind."""
    user = request.user
    if not (user.is_superuser or scope_paths(user, Perm.TRIAGE_CASES)):
        raise PermissionDenied(_("您无权批量处理诉求"))
    form = forms.BulkForm(request.POST, user=user)
    back = request.POST.get("back", "")
    back_url = reverse("cases:ledger") + ("?" + back if back and not back.startswith("/") else "")
    picked = form.picked()
    if not form.is_valid() or not picked:
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors) or _("请先勾选要处理的诉求件"))
        return redirect(back_url)
    data = form.cleaned_data
    done = conflicts = refused = 0
    for case in selectors.cases_visible_to(user).filter(pk__in=picked).order_by("pk"):
        try:
            if data["operation"] == "accept":
                actions.accept_case(case=case, category=data["category"], acting_user=user,
                                    expected_version=picked[case.pk])
            else:
                actions.dispatch_case(case=case, to_org=data["to_org"], acting_user=user,
                                      expected_version=picked[case.pk])
        except CaseConflict:
            conflicts += 1
        except (PermissionDenied, ValidationError):
            refused += 1
        else:
            done += 1
    missing = len(picked) - done - conflicts - refused
    messages.success(request, _("已处理 %(n)d 件。") % {"n": done})
    if conflicts:
        messages.error(request, _("%(n)d 件已被他人处理或状态已变，未作更改，请刷新后再试。")
                       % {"n": conflicts})
    if refused + missing:
        messages.error(request, _("%(n)d 件无权处理或不符合条件，未作更改。")
                       % {"n": refused + missing})
    return redirect(back_url)


# --- staff entry ----------------------------------------------------------------------------


def _suggestions(text: str) -> list:
    text = (text or "").strip()
    return suggest_categories(text, limit=3) if text else []


def _apply_errors(form, exc: ValidationError) -> None:
    """An action's ValidationError next to the matching field, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_superuser or scope_paths(user, Perm.ENTER_CASES)):
        raise PermissionDenied(_("您无权录入诉求"))
    suggestions = []
    if request.method == "POST":
        text = f"{request.POST.get('title', '')} {request.POST.get('description', '')}"
        suggestions = _suggestions(text)
        data = request.POST
        if "suggest" in data and suggestions and not data.get("category"):
            data = data.copy()
            data["category"] = str(suggestions[0][0].pk)  # the best guess, still editable
        form = forms.CaseEntryForm(data, request.FILES, user=user)
        if "suggest" not in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                case = actions.submit_case(
                    title=data["title"], description=data["description"], area=data["area"],
                    source=data["source"], acting_user=user, category=data["category"],
                    priority=data["priority"], reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"], address=data["address"],
                    photos=data["photos"], idempotency_key=data["idempotency_key"] or None)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已登记，受理编号 %(ref)s") % {"ref": case.reference})
                return redirect("cases:detail", pk=case.pk)
        elif "suggest" in request.POST:
            form.is_valid()
            form.errors.clear()  # only asked for suggestions: no complaints yet
    else:
        form = forms.CaseEntryForm(user=user, initial={"idempotency_key": uuid.uuid4().hex})
    return render(request, "cases/staff/new.html", {"form": form, "suggestions": suggestions})


# --- the case page ----------------------------------------------------------------------------


def _visible_case(request: HttpRequest, pk: int) -> Case:
    case = (selectors.cases_visible_to(request.user).filter(pk=pk)
            .select_related("area", "category__parent", "handling_area", "assignee",
                            "assignee_org", "reporter", "entered_by", "merged_into").first())
    if case is None:
        raise Http404(_("未找到该诉求件"))
    return case


def _dispatch_orgs(case: Case):
    return Organisation.objects.filter(
        is_active=True, areas__path__in=ancestor_paths(case.area_path)).distinct().order_by(
        "kind", "name")


def _dispatch_users(case: Case):
    """Staff who view cases at the case's place, at or below the level that handles it."""
    paths = [p for p in ancestor_paths(case.area_path) if p.startswith(case.handling_area.path)]
    viewing = [r for r, perms in ROLE_PERMS.items() if Perm.VIEW_CASES in perms]
    staff = User.objects.filter(is_active=True, role_grants__area__path__in=paths,
                                role_grants__role__in=viewing)
    # And those another app vouches for (campaigns: the grid's partners).
    q = Q(pk__in=staff.values("pk"))
    for users in other_assignees(case):
        q |= Q(pk__in=users.filter(is_active=True).values("pk"))
    return User.objects.filter(q).order_by("username")


def _default_org(case: Case) -> Organisation | None:
    return responsible_org(case.area, case.category) if case.category_id else None


# In the order the page offers them: the usual next step of each status comes first.
ACTION_FORMS = {
    "accept": forms.AcceptForm, "dispatch": forms.DispatchForm, "start": forms.StartForm,
    "resolve": forms.ResolveForm, "decide_extension": forms.DecideExtensionForm,
    "note": forms.NoteForm, "request_extension": forms.ExtensionForm,
    "forward": forms.ForwardForm, "escalate": forms.ReasonForm,
    "reclassify": forms.ReclassifyForm, "reject": forms.ReasonForm, "merge": forms.MergeForm,
}
# (section title, button) of each action form on the case page.
ACTION_LABELS = {
    "accept": (gettext_lazy("受理"), gettext_lazy("受理")),
    "reject": (gettext_lazy("不予受理"), gettext_lazy("不予受理")),
    "reclassify": (gettext_lazy("调整分类"), gettext_lazy("保存分类")),
    "dispatch": (gettext_lazy("派单"), gettext_lazy("派单")),
    "forward": (gettext_lazy("转办"), gettext_lazy("转办")),
    "escalate": (gettext_lazy("上报上级（吹哨）"), gettext_lazy("上报")),
    "start": (gettext_lazy("开始办理"), gettext_lazy("开始办理")),
    "note": (gettext_lazy("办理记录 / 五问"), gettext_lazy("保存记录")),
    "request_extension": (gettext_lazy("申请延期"), gettext_lazy("提交延期申请")),
    "decide_extension": (gettext_lazy("审批延期"), gettext_lazy("提交审批")),
    "resolve": (gettext_lazy("办结"), gettext_lazy("办结")),
    "merge": (gettext_lazy("合并重复件"), gettext_lazy("合并")),
}
TRIAGE_ACTIONS = {"accept", "reject", "reclassify", "dispatch", "escalate", "decide_extension",
                  "merge"}


def _allowed_actions(user, case: Case, pending: ExtensionRequest | None) -> list[str]:
    """The actions this user may take on the case in its present state."""
    legal = TRANSITIONS.get(case.status, frozenset())
    triage = can_triage(user, case)
    handle = triage or can_handle(user, case)
    out = []
    for name in ACTION_FORMS:
        if name not in legal:
            continue
        if name in TRIAGE_ACTIONS and not triage:
            continue
        if not handle:
            continue
        if name == "decide_extension" and pending is None:
            continue
        if name == "request_extension" and pending is not None:
            continue
        if name == "reclassify" and not case.category_id:
            continue
        out.append(name)
    return out


def _make_form(name: str, case: Case, data=None, files=None):
    cls = ACTION_FORMS[name]
    initial = {"expected_version": case.version}
    kwargs: dict = {"prefix": name}
    if name == "dispatch":
        kwargs.update(orgs=_dispatch_orgs(case), users=_dispatch_users(case))
        default = _default_org(case)
        if default is not None:
            initial["to_org"] = default.pk
    elif name == "forward":
        kwargs["orgs"] = _dispatch_orgs(case).exclude(pk=case.assignee_org_id or 0)
    elif name == "note":
        kwargs["case"] = case
    elif name == "accept":
        initial["priority"] = case.priority
        if case.category_id:
            initial["category"] = case.category_id
    elif name == "reclassify" and case.category_id:
        initial["category"] = case.category_id
    if data is not None:
        return cls(data, files, **kwargs)
    return cls(initial=initial, **kwargs)


def _detail_context(request: HttpRequest, case: Case, bound: dict | None = None) -> dict:
    user = request.user
    pending = case.extensions.filter(status=ExtensionStatus.PENDING).select_related(
        "requested_by").first()
    allowed = _allowed_actions(user, case, pending)
    action_forms = {name: (bound or {}).get(name) or _make_form(name, case) for name in allowed}
    if "decide_extension" in action_forms and pending and not (bound or {}).get(
            "decide_extension"):
        action_forms["decide_extension"].initial["extension"] = pending.pk
    suggestions = []
    if "accept" in allowed:
        suggestions = _suggestions(f"{case.title} {case.description}")
        if suggestions and not case.category_id and not (bound or {}).get("accept"):
            action_forms["accept"].initial["category"] = suggestions[0][0].pk
    personal = can(user, Perm.VIEW_PERSONAL_DATA, case)

    state = selectors.deadline_state(case)
    return {
        "case": case,
        "state": state,
        "state_css": "status-" + state.replace("_", "-"),
        "events": selectors.timeline(case, user),
        "photos": list(case.photos.filter(Q(event__isnull=True) | Q(event__kind="submitted"))),
        "forms": [{"name": n, "form": f, "title": ACTION_LABELS[n][0],
                   "button": ACTION_LABELS[n][1]} for n, f in action_forms.items()],
        "pending": pending,
        "suggestions": suggestions,
        "staff_view": is_case_staff(user, case),
        "reporter_phone": case.reporter_phone if personal else mask_phone(case.reporter_phone),
        "phone_masked": not personal,
        "five": [(forms.NoteForm.base_fields[f].label, getattr(case, f))
                 for f in forms.NoteForm.FIVE],
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    if not (is_case_staff(request.user, case) or can_handle(request.user, case)):
        # A reporter or supporter: their own page, in plain words and without staff forms.
        return redirect("cases_resident:case", pk=case.pk)
    return render(request, "cases/staff/detail.html", _detail_context(request, case))


def _run(name: str, case: Case, form, user):
    d = form.cleaned_data
    v = d["expected_version"]
    if name == "accept":
        return actions.accept_case(case=case, category=d["category"], priority=d["priority"],
                                   note=d["note"], acting_user=user, expected_version=v)
    if name == "reject":
        return actions.reject_case(case=case, reason=d["reason"], acting_user=user,
                                   expected_version=v)
    if name == "reclassify":
        return actions.reclassify_case(case=case, category=d["category"], acting_user=user,
                                       expected_version=v)
    if name == "dispatch":
        return actions.dispatch_case(case=case, to_user=d["to_user"], to_org=d["to_org"],
                                     note=d["note"], acting_user=user, expected_version=v)
    if name == "forward":
        return actions.forward_case(case=case, to_org=d["to_org"], reason=d["reason"],
                                    acting_user=user, expected_version=v)
    if name == "escalate":
        return actions.escalate_case(case=case, reason=d["reason"], acting_user=user,
                                     expected_version=v)
    if name == "start":
        return actions.start_case(case=case, note=d["note"], acting_user=user,
                                  expected_version=v)
    if name == "note":
        return actions.add_note(case=case, note=d["note"], internal=d["internal"],
                                five_questions=form.five_questions(), acting_user=user,
                                expected_version=v)
    if name == "resolve":
        return actions.resolve_case(case=case, result=d["result"], photos=d["photos"],
                                    acting_user=user, expected_version=v)
    if name == "request_extension":
        return actions.request_extension(case=case, workdays=d["workdays"], reason=d["reason"],
                                         acting_user=user, expected_version=v)
    if name == "decide_extension":
        extension = case.extensions.filter(pk=d["extension"]).first()
        if extension is None or extension.status != ExtensionStatus.PENDING:
            raise CaseConflict()
        return actions.decide_extension(extension=extension, approve=d["approve"],
                                        note=d["note"], acting_user=user, expected_version=v)
    if name == "merge":
        into = selectors.cases_visible_to(user).filter(pk=d["into"]).first()
        if into is None:
            raise ValidationError({"into": _("未找到该受理编号的诉求件")})
        return actions.merge_cases(duplicate=case, into=into, acting_user=user,
                                   expected_version=v)
    raise Http404


DONE = {
    "accept": gettext_lazy("已受理"), "reject": gettext_lazy("已不予受理"),
    "reclassify": gettext_lazy("已调整分类"), "dispatch": gettext_lazy("已派单"),
    "forward": gettext_lazy("已转办"), "escalate": gettext_lazy("已上报上级"),
    "start": gettext_lazy("已开始办理"), "note": gettext_lazy("已记录"),
    "request_extension": gettext_lazy("已申请延期"), "decide_extension": gettext_lazy("已审批延期"),
    "resolve": gettext_lazy("已办结"), "merge": gettext_lazy("已合并"),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404(_("未知的操作"))
    case = _visible_case(request, pk)
    form = _make_form(action, case, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            _run(action, case, form, request.user)
        except CaseConflict:
            messages.error(request, _("该诉求件已被他人处理，请刷新后再试。"))
            fresh = _visible_case(request, pk)
            return render(request, "cases/staff/detail.html", _detail_context(request, fresh),
                          status=409)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, DONE[action])
            return redirect("cases:detail", pk=case.pk)
    if action not in _allowed_actions(request.user, case, case.extensions.filter(
            status=ExtensionStatus.PENDING).first()):
        raise PermissionDenied(_("您无权进行该操作"))
    return render(request, "cases/staff/detail.html",
                  _detail_context(request, case, bound={action: form}), status=status)


# --- export ------------------------------------------------------------------------------------


def _attachment(name: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    _staff_only(request.user)
    form = _filter_form(request)
    cases = form.apply(selectors.working_cases(request.user))
    try:
        data = ledger_export.workbook(cases, viewer=request.user)
    except ledger_export.TooManyRows as exc:
        messages.error(request, str(exc))
        return redirect(reverse("cases:ledger") + "?" + urlencode(form.query_items()))
    day = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(data, content_type=ledger_export.XLSX)
    response["Content-Disposition"] = _attachment(f"问题台账-{day}.xlsx", f"cases-{day}.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response


# --- the wall chart ----------------------------------------------------------------------------


def open_own_area(request: HttpRequest, url_name: str, title: str) -> HttpResponse:
    """From the console menu: straight to the user's own area, or a choice of their areas."""
    roots = list(selectors.case_roots(request.user))
    if not roots:
        raise PermissionDenied(_("您无权查看问题台账"))
    if len(roots) == 1:
        return redirect(url_name, code=roots[0].code)
    return render(request, "cases/staff/choose_area.html", {
        "title": title,
        "choices": [(root, reverse(url_name, kwargs={"code": root.code})) for root in roots],
    })


@login_required
@require_GET
def wall_home(request: HttpRequest) -> HttpResponse:
    return open_own_area(request, "cases:wallchart", _("挂图作战"))


@login_required
@require_GET
def wall(request: HttpRequest, code: str) -> HttpResponse:
    node = area_by_code(request.user, code)
    if node is None:
        raise Http404(_("未找到该区域"))
    if not can(request.user, Perm.VIEW_CASES, node):
        raise PermissionDenied(_("您无权查看该区域的诉求"))
    # VIEW_CASES on the node covers its whole subtree: no need for the wider (slower) OR of
    # cases_visible_to, whose personal branches add nothing here.
    cases = Case.objects.filter(subtree_q(node.path, "area_path"))
    counts = wallchart.active_counts(node, cases)
    parent = node.parent if node.parent_id else None
    return render(request, "cases/staff/wall.html", {
        "node": node, "board": wallchart.board(node, cases, counts),
        "headline": wallchart.headline(node, cases, counts),
        "map_svg": wallchart.grid_map(node, cases, counts), "now": timezone.localtime(),
        "parent": parent if parent and can(request.user, Perm.VIEW_CASES, parent) else None,
    })

