"""Notice pages: the public list and notice page with objections; the staff console pages.

Residents read the notices of their home and above it and object within the notice period;
everything works without JavaScript (plain forms, POST and redirect). A notice the user may
not read answers 404, drafts included. Staff pages need PUBLISH_NOTICES somewhere (else
403); a notice outside the user's scope answers 404. State changes only through
``gongzhi.notices.actions``.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.masking import mask_name
from gongzhi.core.permissions import Perm, can
from gongzhi.notices import actions, forms, selectors
from gongzhi.notices.models import Notice, NoticeStatus, Objection, ObjectionStatus
from gongzhi.notices.subjects import subject_link


@dataclass(frozen=True)
class Row:
    notice: Notice
    state: str

    @property
    def label(self) -> str:
        return str(selectors.STATE_LABELS[self.state])

    @property
    def css(self) -> str:
        return selectors.STATE_CSS[self.state]


def _rows(notices) -> list[Row]:
    now = timezone.now()
    return [Row(n, selectors.state(n, now)) for n in notices]


def _page(request: HttpRequest, notices):
    return Paginator(notices, selectors.PAGE_SIZE).get_page(request.GET.get("page"))


def _apply_errors(form, exc: ValidationError) -> None:
    """An action's ValidationError next to the matching field, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- public pages -------------------------------------------------------------------------


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """公示公告: the notices of the user's home and above it, newest first."""
    page = _page(request, selectors.public_notices(request.user))
    return render(request, "notices/list.html", {"page": page, "rows": _rows(page)})


def _public_notice(request: HttpRequest, pk: int) -> Notice:
    notice = selectors.public_notices(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404(_("没有找到这条公示"))
    return notice


def objector_label(user, objection: Objection, *, manager: bool) -> str:
    """Who objected, as ``user`` may see it: the text is public, the objector is not."""
    if objection.author_id == user.pk:
        return _("我")
    if manager:
        name = objection.author.display_name
        return name if can(user, Perm.VIEW_PERSONAL_DATA, objection.notice.area_path) \
            else mask_name(name)
    return _("居民")


def _objection_rows(user, notice: Notice, *, manager: bool) -> list[dict]:
    return [{"objection": o, "who": objector_label(user, o, manager=manager)}
            for o in selectors.objections_of(notice)]


def _detail_page(request: HttpRequest, notice: Notice, form=None) -> HttpResponse:
    user = request.user
    open_for_me = actions.in_period(notice) and actions.may_object(user, notice)
    return render(request, "notices/detail.html", {
        "notice": notice, "row": Row(notice, selectors.state(notice)),
        "objections": _objection_rows(user, notice, manager=False),
        "form": (form or forms.ObjectionForm()) if open_for_me else None,
        "can_manage": can(user, Perm.PUBLISH_NOTICES, notice.area_path),
        "subject": subject_link(notice.subject),
    })


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _public_notice(request, pk))


@login_required
@require_POST
def lodge_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """提出异议: within the notice period, by those the notice concerns."""
    notice = _public_notice(request, pk)
    form = forms.ObjectionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, notice, form)
    text = form.cleaned_data["text"]
    if selectors.existing_objection(notice, request.user, text) is not None:
        # A double tap: the objection is on record already.
        messages.success(request, _("您的异议已提交，社区会在这里答复。"))
        return redirect("notices:detail", pk=notice.pk)
    try:
        actions.lodge_objection(notice=notice, text=text, acting_user=request.user)
    except PermissionDenied as exc:
        raise PermissionDenied(_("只有公示范围内的居民可以提出异议")) from exc
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            _apply_errors(form, exc)
            return _detail_page(request, notice, form)
        messages.error(request, " ".join(exc.messages))
        return redirect("notices:detail", pk=notice.pk)
    messages.success(request, _("您的异议已提交，社区会在这里答复。"))
    return redirect("notices:detail", pk=notice.pk)


# --- staff console ------------------------------------------------------------------------


def _publisher_only(user) -> None:
    if not selectors.may_manage_any(user):
        raise PermissionDenied(_("您无权管理公示公告"))


def _managed(request: HttpRequest, pk: int) -> Notice:
    _publisher_only(request.user)
    notice = selectors.managed_notices(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404(_("没有找到这条公示"))
    return notice


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """The notices the user publishes for, by status, with objections awaiting an answer."""
    _publisher_only(request.user)
    notices = selectors.managed_notices(request.user)
    status = forms.status_filter(request.GET.get("status"))
    counts = selectors.managed_counts(request.user)
    page = _page(request, notices.filter(status=status) if status else notices)
    tabs = [{"value": value, "label": label, "count": counts[value or "all"],
             "active": value == status} for value, label in forms.STATUS_FILTERS]
    return render(request, "notices/manage/list.html", {
        "page": page, "rows": _rows(page), "tabs": tabs, "status": status})


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """起草公示: saved as a draft; publishing is a separate step on the notice's page."""
    user = request.user
    _publisher_only(user)
    if request.method == "POST":
        form = forms.NoticeForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = actions.draft_notice(
                    title=data["title"], body=data["body"], area=data["area"],
                    kind=data["kind"], period_days=data["period_days"], acting_user=user)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("草稿已保存，核对无误后请发布。"))
                return redirect("notices:manage_detail", pk=notice.pk)
    else:
        form = forms.NoticeForm(user=user)
    return render(request, "notices/manage/new.html", {"form": form})


def _manage_page(request: HttpRequest, notice: Notice, *, withdraw_form=None,
                 answer_form: tuple[int, forms.AnswerForm] | None = None) -> HttpResponse:
    rows = _objection_rows(request.user, notice, manager=True)
    for row in rows:
        objection = row["objection"]
        if objection.status == ObjectionStatus.OPEN:
            bound = answer_form and answer_form[0] == objection.pk
            row["form"] = answer_form[1] if bound else forms.AnswerForm(prefix=f"o{objection.pk}")
    return render(request, "notices/manage/detail.html", {
        "notice": notice, "row": Row(notice, selectors.state(notice)), "objections": rows,
        "can_publish": notice.status == NoticeStatus.DRAFT,
        "withdraw_form": (withdraw_form or forms.WithdrawForm())
        if notice.status == NoticeStatus.PUBLISHED else None,
    })


@login_required
@require_GET
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage_page(request, _managed(request, pk))


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _managed(request, pk)
    try:
        actions.publish_notice(notice=notice, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已发布，公示期开始，范围内的居民已收到通知。"))
    return redirect("notices:manage_detail", pk=notice.pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _managed(request, pk)
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_notice(notice=notice, reason=form.cleaned_data["reason"],
                                    acting_user=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已撤回，公示仍保留记录并标明撤回原因。"))
            return redirect("notices:manage_detail", pk=notice.pk)
    return _manage_page(request, notice, withdraw_form=form)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    notice = _managed(request, pk)
    objection = notice.objections.filter(pk=objection_pk).first()
    if objection is None:
        raise Http404(_("没有找到这条异议"))
    form = forms.AnswerForm(request.POST, prefix=f"o{objection.pk}")
    if form.is_valid():
        try:
            actions.answer_objection(objection=objection, answer=form.cleaned_data["answer"],
                                     acting_user=request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                _apply_errors(form, exc)
            else:  # answered meanwhile by someone else
                messages.error(request, " ".join(exc.messages))
                return redirect("notices:manage_detail", pk=notice.pk)
        else:
            messages.success(request, _("已答复，提出人会收到通知。"))
            return redirect("notices:manage_detail", pk=notice.pk)
    return _manage_page(request, notice, answer_form=(objection.pk, form))
