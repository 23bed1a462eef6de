"""Resident pages: report a problem from a building's QR code, my cases, follow and rate.

Public on purpose: no login before reporting (a mobile number is enough), and the link
with the case's access token lets an anonymous reporter follow and rate their case.
Everything works without JavaScript; state changes only through ``gongzhi.cases.actions``.
"""

import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.areas.models import AreaNode
from gongzhi.areas.selectors import place_names, public_building
from gongzhi.cases import actions, selectors
from gongzhi.cases.duplicates import neighbourhood, similar_open_cases
from gongzhi.cases.forms_resident import RateForm, ReportForm, SupportForm
from gongzhi.cases.models import (
    Case,
    CasePhoto,
    EventKind,
    Priority,
    Source,
    Status,
    Supporter,
)
from gongzhi.cases.permissions import can_view_case, is_reporter, is_supporter
from gongzhi.cases.photos import CheckedPhoto
from gongzhi.core.pages import upload_response

MAX_CANDIDATES = 5
TOKEN_LENGTH = 64
STAGING_HOURS = 24
# Form fields an action's ValidationError may name, mapped to the report form's fields.
_REPORT_FIELDS = {"title": "title", "description": "description", "photos": "photos",
                  "reporter_phone": "reporter_phone", "reporter_name": "reporter_name"}


def _hotline() -> str:
    return getattr(settings, "GONGZHI_HOTLINE", "12345")


def _user(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _place(area: AreaNode) -> str:
    return " · ".join(place_names(area)) or area.name


# --- photos kept between the two steps of a report (no JavaScript, no lost photos) --------


def _staging_dir(key: str) -> Path:
    # ``key`` is the hex of a validated UUID: no path tricks possible.
    return Path(settings.DATA_DIR) / "staging" / "reports" / key


def _stage_photos(key: str, photos: list[CheckedPhoto]) -> None:
    root = _staging_dir(key).parent
    if root.exists():  # forget reports that were never finished
        cutoff = time.time() - STAGING_HOURS * 3600
        for old in root.iterdir():
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    _drop_staged(key)  # a resubmitted first step replaces what it staged before
    if not photos:
        return
    folder = _staging_dir(key)
    folder.mkdir(parents=True, exist_ok=True)
    for number, photo in enumerate(photos):
        (folder / f"{number:02d}.bin").write_bytes(photo.data)


def _staged_photos(key: str) -> list[bytes]:
    folder = _staging_dir(key)
    if not folder.is_dir():
        return []
    return [path.read_bytes() for path in sorted(folder.glob("*.bin"))]


def _drop_staged(key: str) -> None:
    if key:
        shutil.rmtree(_staging_dir(key), ignore_errors=True)


# --- report ---------------------------------------------------------------------------


def _track_url(case: Case) -> str:
    return reverse("cases_resident:track", kwargs={"access_token": case.access_token})


def _missing_building(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/resident/building_missing.html", {"hotline": _hotline()},
                  status=404)


def _report_page(request: HttpRequest, building: AreaNode, form: ReportForm) -> HttpResponse:
    return render(request, "cases/resident/report.html", {
        "building": building, "place": _place(building), "form": form,
        "hotline": _hotline(),
    })


def _add_action_errors(form: ReportForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(_REPORT_FIELDS.get(field), errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, building_code: str) -> HttpResponse:
    """遇到了什么问题: the building comes from the QR code; a mobile number replaces a login."""
    building = public_building(building_code)
    if building is None:
        return _missing_building(request)
    user = _user(request)
    if request.method == "GET":
        return _report_page(request, building, ReportForm(user=user))
    form = ReportForm(request.POST, request.FILES, user=user)
    if not form.is_valid():
        return _report_page(request, building, form)
    data = form.cleaned_data
    key = data["idempotency_key"]
    existing = Case.objects.filter(idempotency_key=key).first()
    if existing is not None:  # a double tap or a retried request: the case exists already
        _drop_staged(key)
        return redirect(_track_url(existing) + "?new=1")
    if request.POST.get("confirm") != "1":
        candidates = _candidates(building, data)
        if candidates:
            _stage_photos(key, data["photos"])
            return render(request, "cases/resident/candidates.html", {
                "building": building, "place": _place(building), "form": form,
                "candidates": candidates, "photo_count": len(data["photos"]),
                "support_form": SupportForm(initial={"phone": data["reporter_phone"]},
                                            user=user),
            })
        photos = [p.data for p in data["photos"]]
    else:
        photos = [p.data for p in data["photos"]] or _staged_photos(key)
    try:
        case = actions.submit_case(
            title=data["title"], description=data["description"], area=building,
            source=Source.RESIDENT_PAGE, acting_user=user,
            reporter_name=data["reporter_name"].strip(), reporter_phone=data["reporter_phone"],
            # 匿名: neither logged in nor named; staff see only the contact phone.
            is_anonymous=user is None and not data["reporter_name"].strip(),
            priority=Priority.URGENT if data["urgent"] else Priority.NORMAL, photos=photos,
            idempotency_key=key,
        )
    except PermissionDenied:
        form.add_error(None, _("您的账号不能在这里反映问题，请联系社区。"))
        return _report_page(request, building, form)
    except ValidationError as exc:
        _add_action_errors(form, exc)
        return _report_page(request, building, form)
    _drop_staged(key)
    return redirect(_track_url(case) + "?new=1")


def _candidates(building: AreaNode, data: dict) -> list[Case]:
    text = f"{data['title']} {data['description']}"
    found = similar_open_cases(text=text, area=building, limit=MAX_CANDIDATES)
    return [case for case, _score in found]


# --- 附议 ---------------------------------------------------------------------------------


@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    """我也遇到了: add the resident to an open case instead of reporting it again."""
    case = Case.objects.filter(pk=pk).select_related("area").first()
    building = public_building(request.POST.get("building", ""))
    # Only cases near the building the resident scanned: no browsing of others by id.
    if case is None or building is None or not case.is_open \
            or not case.area_path.startswith(neighbourhood(building).path):
        raise Http404(_("这件事已经办完或不存在"))
    user = _user(request)
    form = SupportForm(request.POST, user=user)
    context = {"case": case, "form": form, "place": _place(case.area), "building": building,
               "key": request.POST.get("key", "")}
    if form.is_valid():
        try:
            actions.support_case(case=case, acting_user=user, phone=form.cleaned_data["phone"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for messages_ in exc.message_dict.values():
                    form.add_error("phone", messages_)
            else:
                form.add_error(None, exc.messages)
        else:
            _drop_staged(_staging_key(context["key"]))
            return render(request, "cases/resident/support_done.html", context)
    return render(request, "cases/resident/support.html", context)


def _staging_key(value: str) -> str:
    """The staging folder name only if ``value`` is a UUID's hex (never a path)."""
    value = (value or "").strip().lower()
    return value if len(value) == 32 and all(c in "0123456789abcdef" for c in value) else ""


# --- following a case ------------------------------------------------------------------


def next_step(case: Case, *, as_reporter: bool) -> str:
    """What happens next, in plain words."""
    status = case.status
    if status == Status.SUBMITTED:
        return _("社区工作人员会尽快查看并受理，受理后会告诉您由谁来办、多久办好。")
    if status == Status.ACCEPTED:
        return _("社区已受理，正在安排负责的单位或人员。")
    if status in (Status.DISPATCHED, Status.IN_PROGRESS):
        who = case.assignee_org.name if case.assignee_org_id else _("工作人员")
        text = _("已交给%(who)s办理。") % {"who": who}
        if case.resolution_due:
            text += _("应在 %(due)s 前办好。") % {"due": _local(case.resolution_due)}
        return text
    if status == Status.ESCALATED:
        return _("社区已上报%(level)s协调办理。") % {"level": case.handling_area.name}
    if status == Status.RESOLVED:
        if as_reporter:
            return _("已经办好了。请看看结果，在下面告诉我们您是否满意。")
        return _("已经办好了，等待反映人评价。")
    if status == Status.ARCHIVED:
        return _("已办结归档，谢谢您的参与。")
    if status == Status.REJECTED:
        return _("不予受理：%(reason)s。如有疑问请拨打 %(hotline)s。") % {
            "reason": case.rejection_reason, "hotline": _hotline()}
    if status == Status.MERGED and case.merged_into_id:
        return _("和别人反映的同一件事（受理编号 %(ref)s）合并办理，进展会一起告诉您。") % {
            "ref": case.merged_into.reference}
    return ""


def _state_class(case: Case) -> str:
    """The colour chip: status-overdue / status-due-soon / status-on-time / status-closed."""
    return selectors.deadline_state(case).replace("_", "-")


def _local(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _case_page(request: HttpRequest, case: Case, *, token: str = "", rate_form=None,
               status: int = 200) -> HttpResponse:
    user = request.user
    as_reporter = bool(token) or is_reporter(user, case)
    events = selectors.timeline(case, user)
    photos = list(case.photos.select_related("event"))
    result_photos = [p for p in photos if p.event and p.event.kind == EventKind.RESOLVED]
    report_photos = [p for p in photos if p not in result_photos]
    may_rate = as_reporter and case.status == Status.RESOLVED
    return render(request, "cases/resident/track.html", {
        "case": case, "place": _place(case.area), "events": events,
        "next_step": next_step(case, as_reporter=as_reporter),
        "state_class": _state_class(case), "token": token,
        "report_photos": report_photos, "result_photos": result_photos,
        "rate_form": (rate_form or RateForm()) if may_rate else None,
        "is_new": request.GET.get("new") == "1" and as_reporter,
        "track_link": request.build_absolute_uri(_track_url(case)) if token else "",
        "supporters": case.supporters.count(), "hotline": _hotline(),
    }, status=status)


def _by_token(access_token: str) -> Case:
    if not access_token or len(access_token) > TOKEN_LENGTH:
        raise Http404(_("链接无效"))
    case = Case.objects.select_related("area", "assignee_org", "handling_area").filter(
        access_token=access_token).first()
    if case is None:
        raise Http404(_("链接无效"))
    return case


def track(request: HttpRequest, access_token: str) -> HttpResponse:
    """The public timeline for whoever holds the link given at submission."""
    case = _by_token(access_token)
    response = _case_page(request, case, token=access_token)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # the token must not leak to other sites
    return response


def _own_case(request: HttpRequest, pk: int) -> Case:
    case = Case.objects.select_related("area", "assignee_org", "handling_area").filter(
        pk=pk).first()
    if case is None or not (is_reporter(request.user, case) or is_supporter(request.user, case)):
        raise Http404(_("没有找到这件事"))
    return case


@login_required
def mine_case(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my cases, as the reporter or a supporter, without the token."""
    return _case_page(request, _own_case(request, pk))


@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    """评价: with the case's access token, or as its logged-in reporter."""
    token = request.POST.get("token", "")
    if token:
        case = _by_token(token)
        if case.pk != pk:
            raise Http404(_("链接无效"))
        back = _track_url(case)
    else:
        if not request.user.is_authenticated:
            raise Http404(_("没有找到这件事"))
        case = _own_case(request, pk)
        back = reverse("cases_resident:case", args=[case.pk])
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            actions.rate_case(case=case, rating=form.cleaned_data["rating"],
                              comment=form.cleaned_data["comment"], acting_user=_user(request),
                              access_token=token or None)
        except actions.CaseConflict as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
        except PermissionDenied as exc:
            raise Http404(_("没有找到这件事")) from exc
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("谢谢您的评价！"))
            return redirect(back)
    return _case_page(request, case, token=token, rate_form=form)


def photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A case photo, for the token holder or someone who may see the case."""
    row = CasePhoto.objects.select_related("case").filter(pk=photo_id).first()
    token = request.GET.get("t", "")
    if row is None:
        raise Http404(_("没有找到这张照片"))
    allowed = (token and len(token) <= TOKEN_LENGTH and _same(token, row.case.access_token)) \
        or can_view_case(request.user, row.case)
    if not allowed:
        raise Http404(_("没有找到这张照片"))
    return upload_response(row, _("没有找到这张照片"))


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


# --- my cases -----------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The cases I reported or said "me too" to, newest first."""
    user = request.user
    supported = Supporter.objects.filter(case=OuterRef("pk"), user=user)
    cases = list(
        Case.objects.filter(Q(reporter=user) | Q(Exists(supported)))
        .select_related("assignee_org", "handling_area").order_by("-created_at", "-id")[:100]
    )
    rows = [{"case": c, "next_step": next_step(c, as_reporter=c.reporter_id == user.pk),
             "state_class": _state_class(c), "is_mine": c.reporter_id == user.pk}
            for c in cases]
    return render(request, "cases/resident/mine.html", {"rows": rows})
