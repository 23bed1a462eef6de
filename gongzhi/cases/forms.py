"""Forms of the staff pages: ledger filters, staff entry of a case, the case actions.

Filters are GET forms whose values stay in the URL; bad filter values fall back to "no
filter" with the error shown next to the field rather than an error page.
"""

import base64
import binascii
import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.cases.models import (
    OPEN_STATUSES,
    Case,
    Category,
    Priority,
    Source,
    Status,
)
from gongzhi.cases.photos import MAX_PHOTOS
from gongzhi.cases.selectors import deadline_q, in_area
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.core.tree import ancestor_paths
from gongzhi.core.widgets import QuickSelects

STAFF_SOURCES = (Source.HOTLINE, Source.VISIT, Source.DOOR_TO_DOOR, Source.PATROL,
                 Source.DEPUTY_STATION)
IMAGE_TYPES = "image/jpeg,image/png,image/webp"
REFERENCE_RE = re.compile(r"^\d{8}(\d{6,})$")  # 受理编号: YYYYMMDD + id


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def case_id_from_reference(text: str) -> int | None:
    """The case id inside a 受理编号 (or a bare id), None when it is neither."""
    text = (text or "").strip()
    match = REFERENCE_RE.match(text)
    if match:
        return int(match.group(1))
    return int(text) if text.isdigit() and len(text) <= 9 else None


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by(
        "parent__order", "parent__code", "order", "code")


# --- ledger filters --------------------------------------------------------------------------

ORDER_NEW = "new"
ORDER_DUE = "due"


class LedgerFilterForm(QuickSelects, forms.Form):
    area = forms.CharField(label=_("区域编码"), max_length=64, required=False,
                           help_text=_("含下级区域"))
    category = CategoryField(label=_("分类"), queryset=Category.objects.none(), required=False,
                             empty_label=_("全部"))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部")), ("open", _("未办结（全部在办）")), *Status.choices])
    source = forms.ChoiceField(label=_("来源"), required=False,
                               choices=[("", _("全部")), *Source.choices])
    deadline = forms.ChoiceField(label=_("时限"), required=False, choices=[
        ("", _("全部")), ("overdue", _("已超期")), ("due_soon", _("即将到期（24 小时内）")),
        ("on_time", _("未超期"))])
    assignee = forms.ChoiceField(label=_("承办"), required=False)
    start = forms.DateField(label=_("上报日期从"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("上报日期至"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("标题或受理编号"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    order = forms.ChoiceField(label=_("排序"), required=False, choices=[
        (ORDER_NEW, _("最新上报在前")), (ORDER_DUE, _("办结时限最近在前"))])

    FILTERS = ("area", "category", "status", "source", "deadline", "assignee", "start", "end",
               "q", "order")

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["category"].queryset = categories()
        self.orgs = list(organisations_for(user))
        self.fields["assignee"].choices = [
            ("", _("全部")), ("me", _("我或我单位承办")), ("none", _("尚未派单")),
            *[(f"o:{o.pk}", o.name) for o in self.orgs],
        ]
        self.area_node: AreaNode | None = None

    def clean_assignee(self) -> str:
        return self.cleaned_data.get("assignee") or ""

    def clean_area(self) -> str:
        code = (self.cleaned_data.get("area") or "").strip()
        if code:
            from gongzhi.areas.selectors import area_by_code

            self.area_node = area_by_code(self.user, code)
            if self.area_node is None:
                raise forms.ValidationError(_("未找到编码为“%(code)s”的区域") % {"code": code})
        return code

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return data

    # Assignee values other than the listed ones (a user clicked in a row) are accepted too.
    def full_clean(self) -> None:
        value = self.data.get("assignee", "") if self.is_bound else ""
        if re.fullmatch(r"[uo]:\d{1,9}", value or "") and value not in dict(
                self.fields["assignee"].choices):
            self.fields["assignee"].choices = [*self.fields["assignee"].choices,
                                               (value, value)]
        super().full_clean()

    def values(self) -> dict:
        """Cleaned filters; a field with an error counts as empty."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items()
                if k in self.FILTERS and v not in (None, "") and k not in self.errors}

    def query_items(self) -> list[tuple[str, str]]:
        """The valid filters as URL parameters (for links that keep them)."""
        out = []
        for name, value in self.values().items():
            if isinstance(value, Category):
                value = value.pk
            elif isinstance(value, date):
                value = value.isoformat()
            out.append((name, str(value)))
        return out

    def apply(self, cases: QuerySet[Case], *, now: datetime | None = None) -> QuerySet[Case]:
        """``cases`` narrowed by every valid filter."""
        v = self.values()
        now = now or timezone.now()
        if self.area_node is not None and "area" in v:
            cases = cases.filter(in_area(self.area_node.path))
        if "category" in v:
            cat = v["category"]
            cases = cases.filter(Q(category=cat) | Q(category__parent=cat))
        status = v.get("status")
        if status == "open":
            cases = cases.filter(status__in=OPEN_STATUSES)
        elif status:
            cases = cases.filter(status=status)
        if "source" in v:
            cases = cases.filter(source=v["source"])
        cases = _deadline_filter(cases, v.get("deadline"), now)
        cases = _assignee_filter(cases, v.get("assignee", ""), self.user)
        tz = local_tz()
        if "start" in v:
            cases = cases.filter(created_at__gte=datetime.combine(v["start"], time(), tz))
        if "end" in v:
            cases = cases.filter(
                created_at__lt=datetime.combine(v["end"] + timedelta(days=1), time(), tz))
        text = v.get("q", "").strip()
        if text:
            pk = case_id_from_reference(text)
            cases = cases.filter(Q(title__icontains=text) | Q(pk=pk)) if pk else cases.filter(
                title__icontains=text)
        return cases


def _deadline_filter(cases: QuerySet[Case], state: str | None, now: datetime) -> QuerySet[Case]:
    return cases.filter(deadline_q(state, now)) if state else cases


def _assignee_filter(cases: QuerySet[Case], value: str, user) -> QuerySet[Case]:
    if value == "me":
        org_ids = list(user.organisations.values_list("pk", flat=True))
        return cases.filter(Q(assignee=user) | Q(assignee_org_id__in=org_ids))
    if value == "none":
        return cases.filter(assignee__isnull=True, assignee_org__isnull=True)
    if value.startswith("u:"):
        return cases.filter(assignee_id=int(value[2:]))
    if value.startswith("o:"):
        return cases.filter(assignee_org_id=int(value[2:]))
    return cases


def organisations_for(user) -> QuerySet[Organisation]:
    """Organisations serving anywhere in the user's case scope (and their own)."""
    q = scope_q(user, Perm.VIEW_CASES, "areas__path")
    for root in scope_paths(user, Perm.VIEW_CASES):
        q |= Q(areas__path__in=ancestor_paths(root))
    q |= Q(members=user)
    return Organisation.objects.filter(q, is_active=True).distinct().order_by("kind", "name")


# --- the keyset cursor ----------------------------------------------------------------------


def encode_cursor(order: str, case: Case) -> str:
    key = case.created_at if order == ORDER_NEW else case.resolution_due
    raw = json.dumps([order, key.isoformat() if key else None, case.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(order: str, token: str) -> tuple[datetime | None, int] | None:
    """(key, id) of the last row shown, or None for a missing or unreadable cursor."""
    if not token or len(token) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        kind, key, pk = json.loads(raw)
        when = datetime.fromisoformat(key) if key is not None else None
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    if kind != order or not isinstance(pk, int) or (when is None and order == ORDER_NEW):
        return None
    if when is not None and timezone.is_naive(when):
        return None
    return when, pk


def after_cursor(cases: QuerySet[Case], order: str,
                 cursor: tuple[datetime | None, int] | None) -> QuerySet[Case]:
    """One keyset step: the rows after ``cursor`` in the ledger order (index range, no OFFSET)."""
    if order == ORDER_NEW:
        cases = cases.order_by("-created_at", "-id")
        if cursor:
            when, pk = cursor
            cases = cases.filter(created_at__lte=when).filter(
                Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk))
        return cases
    # By deadline: soonest first, cases without a deadline yet last.
    cases = cases.order_by(F("resolution_due").asc(nulls_last=True), "id")
    if cursor:
        due, pk = cursor
        if due is None:
            cases = cases.filter(resolution_due__isnull=True, pk__gt=pk)
        else:
            cases = cases.filter(Q(resolution_due__gt=due) | Q(resolution_due=due, pk__gt=pk)
                                 | Q(resolution_due__isnull=True))
    return cases


# --- staff entry of a case -------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine photos; their content is checked by the action (Pillow)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": IMAGE_TYPES}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [f for f in files if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(max)d 张照片") % {"max": MAX_PHOTOS})
        return [super(PhotosField, self).clean(f, initial) for f in files]


class CaseEntryForm(QuickSelects, forms.Form):
    source = forms.ChoiceField(label=_("来源"),
                               choices=[(s.value, s.label) for s in STAFF_SOURCES])
    building = forms.CharField(label=_("楼栋编码"), max_length=64, required=False,
                               help_text=_("门牌二维码下方的编码；不填则在下方选择区域"))
    area = forms.ModelChoiceField(label=_("区域"), queryset=AreaNode.objects.none(),
                                  required=False, empty_label=_("请选择"))
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 5}))
    category = CategoryField(label=_("分类"), queryset=Category.objects.none(), required=False,
                             empty_label=_("暂不分类（受理时再定）"))
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices,
                                 initial=Priority.NORMAL)
    reporter_name = forms.CharField(label=_("反映人姓名"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    photos = PhotosField(label=_("照片（最多 9 张）"))
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput, required=False)

    SCOPE_LIMIT = 500

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = categories()
        # Down to compounds: buildings are many, and their code is on the door.
        scope = AreaNode.objects.filter(scope_q(user, Perm.ENTER_CASES)).exclude(
            kind=AreaKind.BUILDING).order_by("path")
        self.fields["area"].queryset = scope
        self.fields["area"].label_from_instance = lambda n: (
            "\u3000" * max(0, n.depth - 3) + f"{n.name}（{n.get_kind_display()}）")

    def clean_reporter_phone(self) -> str:
        phone = self.cleaned_data["reporter_phone"].strip().replace(" ", "").replace("-", "")
        if phone and not re.fullmatch(r"\+?\d{5,15}", phone):
            raise forms.ValidationError(_("电话号码只能包含数字"))
        return phone

    def clean(self) -> dict:
        data = super().clean()
        code = (data.get("building") or "").strip()
        if code:
            node = AreaNode.objects.filter(code=code).filter(
                scope_q(self.user, Perm.ENTER_CASES)).first()
            if node is None:
                self.add_error("building", _("未找到该编码，或不在您的辖区内"))
            else:
                data["area"] = node
        elif not data.get("area") and "area" not in self.errors:
            self.add_error("area", _("请填写楼栋编码或选择区域"))
        return data


# --- case actions ------------------------------------------------------------------------------


class VersionedForm(QuickSelects, forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(VersionedForm):
    category = CategoryField(label=_("分类"), queryset=Category.objects.none(),
                             empty_label=_("请选择分类"),
                             error_messages={"required": _("受理时必须选择分类")})
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    note = forms.CharField(label=_("受理意见"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories()


class ReclassifyForm(VersionedForm):
    category = CategoryField(label=_("新分类"), queryset=Category.objects.none(),
                             empty_label=_("请选择分类"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories()


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("理由"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写理由")})


class DispatchForm(VersionedForm):
    to_org = forms.ModelChoiceField(label=_("派给单位"), queryset=Organisation.objects.none(),
                                    required=False, empty_label=_("（不派给单位）"))
    to_user = forms.ModelChoiceField(label=_("或派给个人"), queryset=User.objects.none(),
                                     required=False, empty_label=_("（不派给个人）"))
    note = forms.CharField(label=_("派单说明"), max_length=500, required=False)

    def __init__(self, *args, orgs, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs
        self.fields["to_user"].queryset = users
        self.fields["to_user"].label_from_instance = lambda u: u.display_name

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("to_org")) == bool(data.get("to_user")):
            self.add_error("to_org", _("请在单位和个人中选择且只选择一个"))
        return data


class ForwardForm(VersionedForm):
    to_org = forms.ModelChoiceField(label=_("转给单位"), queryset=Organisation.objects.none(),
                                    empty_label=_("请选择单位"),
                                    error_messages={"required": _("请选择转办单位")})
    reason = forms.CharField(label=_("转办理由"), max_length=200,
                             error_messages={"required": _("请填写转办理由")})

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs


class NoteForm(VersionedForm):
    note = forms.CharField(label=_("办理记录"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("仅内部可见"), required=False, initial=True)
    need = forms.CharField(label=_("问需求"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    cause = forms.CharField(label=_("问原因"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    plan = forms.CharField(label=_("问方案"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    progress = forms.CharField(label=_("问进度"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(label=_("问成效"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    FIVE = ("need", "cause", "plan", "progress", "outcome")

    def __init__(self, *args, case: Case | None = None, **kwargs):
        if case is not None:
            kwargs.setdefault("initial", {}).update({f: getattr(case, f) for f in self.FIVE})
        super().__init__(*args, **kwargs)
        self.case = case

    def five_questions(self) -> dict | None:
        """Only the answers that changed, so a note does not rewrite the others."""
        changed = {f: self.cleaned_data[f].strip() for f in self.FIVE
                   if self.case is None or self.cleaned_data[f].strip() != getattr(self.case, f)}
        return changed or None

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not (data.get("note") or "").strip() and not self.five_questions():
            self.add_error("note", _("请填写办理记录或五问中的至少一项"))
        return data


class StartForm(VersionedForm):
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class ExtensionForm(VersionedForm):
    workdays = forms.IntegerField(label=_("延期工作日"), min_value=1, max_value=60,
                                  error_messages={"required": _("请填写延期天数")})
    reason = forms.CharField(label=_("延期理由"), max_length=300,
                             error_messages={"required": _("请填写延期理由")})


class DecideExtensionForm(VersionedForm):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(label=_("审批"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("批准")), ("no", _("不批准"))],
                                     widget=forms.RadioSelect)
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class ResolveForm(VersionedForm):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写办理结果")})
    photos = PhotosField(label=_("办结照片（最多 9 张）"))


class MergeForm(VersionedForm):
    into = forms.CharField(label=_("合并到（受理编号）"), max_length=30,
                           error_messages={"required": _("请填写要合并到的受理编号")})

    def clean_into(self) -> int:
        pk = case_id_from_reference(self.cleaned_data["into"])
        if pk is None:
            raise forms.ValidationError(_("受理编号格式不正确"))
        return pk


# --- bulk actions on the ledger ------------------------------------------------------------------


class BulkForm(QuickSelects, forms.Form):
    """Accept or dispatch several ticked cases; each carries the version the user saw."""

    operation = forms.ChoiceField(label=_("批量操作"), choices=[
        ("accept", _("批量受理")), ("dispatch", _("批量派单"))])
    category = CategoryField(label=_("受理分类"), queryset=Category.objects.none(),
                             required=False, empty_label=_("请选择分类"))
    to_org = forms.ModelChoiceField(label=_("派给单位"), queryset=Organisation.objects.none(),
                                    required=False, empty_label=_("请选择单位"))
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories()
        self.fields["to_org"].queryset = organisations_for(user)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("operation") == "accept" and not data.get("category"):
            self.add_error("category", _("批量受理须选择分类"))
        if data.get("operation") == "dispatch" and not data.get("to_org"):
            self.add_error("to_org", _("批量派单须选择承办单位"))
        return data

    def picked(self) -> dict[int, int]:
        """{case id: version seen} from the ticked boxes ("id:version")."""
        out = {}
        for value in self.data.getlist("picked")[:200]:
            match = re.fullmatch(r"(\d{1,12}):(\d{1,9})", value)
            if match:
                out[int(match.group(1))] = int(match.group(2))
        return out
