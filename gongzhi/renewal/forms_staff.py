"""Forms of the renewal staff console (小区改造 · 工作台): projects, their plan, the vote,
works on site, members, acceptance, long-term management and the needs survey.

Forms only parse input and offer choices within the user's MANAGE_RENEWAL scope; the rules
(eligible compounds, budgets, stages …) are the actions' and come back as their
ValidationError, shown next to the field. Money and numbers are plain text fields for that
reason: the action's own message is the one the user reads.
"""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation, OrgKind, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.cases.forms import PhotosField
from gongzhi.cases.photos import CheckedPhoto, check_photos
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.core.widgets import QuickSelects
from gongzhi.deliberation.forms_votes import MATTERS, LocalDateTimeField
from gongzhi.renewal.models import (
    Batch,
    Category,
    Management,
    MemberRole,
    PlanStatus,
    Project,
    Stage,
    SurveyOption,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请按“年-月-日”填写日期")}
PERM = Perm.MANAGE_RENEWAL


def date_field(label) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, required=False,
                           error_messages=DATE_ERRORS)


class OwnIds:
    """Several forms share a page: each names its fields' ids after itself."""

    ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AreaNode) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


def areas_in_scope(user, kinds) -> QuerySet[AreaNode]:
    return AreaNode.objects.filter(scope_q(user, PERM, "path"), kind__in=kinds).order_by("path")


def batches_for(user) -> QuerySet[Batch]:
    """Batches of the user's area or of a street / district above it."""
    above = {p for root in scope_paths(user, PERM) for p in ancestor_paths(root)}
    return (Batch.objects.filter(Q(area_path__in=above) | scope_q(user, PERM, "area_path"))
            .order_by("-year", "name"))


# --- the projects list -------------------------------------------------------------------------


class ProjectFilterForm(QuickSelects, forms.Form):
    """?stage=…&year=…&community=… on the projects list; a bad value means no filter."""

    stage = forms.ChoiceField(label=_("阶段"), required=False,
                              choices=[("", _("全部")), *Stage.choices])
    plan_status = forms.ChoiceField(label=_("改造方案"), required=False,
                                    choices=[("", _("全部")), *PlanStatus.choices])
    year = forms.TypedChoiceField(label=_("批次年度"), required=False, coerce=int,
                                  empty_value=None)
    community = AreaChoiceField(label=_("社区"), queryset=AreaNode.objects.none(),
                                required=False, empty_label=_("全部"))

    def __init__(self, data=None, *, user, years: list[int], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [("", _("全部")), *((y, str(y)) for y in years)]
        self.fields["community"].queryset = areas_in_scope(user, (AreaKind.COMMUNITY,))

    def chosen(self) -> dict:
        """The valid filters only (a stale year or community in the URL is ignored)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}


# --- a project and a batch ------------------------------------------------------------------


class CompoundChecks(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: AreaNode) -> str:
        year = obj.renewal_record.built_year
        built = _("%(y)s 年建成") % {"y": year} if year else _("未填建成年份")
        return f"{obj.name}（{built}）"


class ProjectForm(QuickSelects, forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100, required=False)
    compounds = CompoundChecks(label=_("改造小区"), queryset=AreaNode.objects.none(),
                               required=False,
                               help_text=_("只列出已建小区档案的小区；一个项目的小区须属于同一社区"))
    batch = forms.ModelChoiceField(label=_("批次"), queryset=Batch.objects.none(),
                                   required=False, empty_label=_("暂不纳入批次"))
    summary = forms.CharField(label=_("项目概况"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    planned_start = date_field(_("计划开工"))
    planned_end = date_field(_("计划完工"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compounds"].queryset = (
            areas_in_scope(user, (AreaKind.COMPOUND,)).filter(renewal_record__isnull=False)
            .select_related("renewal_record"))
        self.fields["batch"].queryset = batches_for(user)


class BatchForm(QuickSelects, forms.Form):
    year = forms.CharField(label=_("年度"), max_length=4)
    name = forms.CharField(label=_("批次名称"), max_length=100, required=False)
    area = AreaChoiceField(label=_("统筹区域"), queryset=AreaNode.objects.none(),
                           empty_label=_("请选择"), error_messages={"required": _("请选择区域")})

    def __init__(self, *args, areas: QuerySet[AreaNode], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


# --- the plan ----------------------------------------------------------------------------------


def contractors_for(project: Project) -> QuerySet[Organisation]:
    """Active contractors (施工单位) serving the project's area, above it or inside it."""
    near = Q(areas__path__in=ancestor_paths(project.area_path)) | subtree_q(
        project.area_path, "areas__path")
    return (Organisation.objects.filter(near, kind=OrgKind.CONTRACTOR, is_active=True)
            .distinct().order_by("name"))


class ItemForm(QuickSelects, forms.Form):
    """A line of the plan. Once the plan is out to the residents, only the budget, the
    contractor and the dates remain (``plan_fixed``)."""

    PLAN_ONLY = ("category", "name", "quantity", "unit", "need")

    category = forms.ChoiceField(label=_("类别"), choices=[("", _("请选择")), *Category.choices],
                                 required=False)
    name = forms.CharField(label=_("改造内容"), max_length=100, required=False)
    quantity = forms.CharField(label=_("工程量"), max_length=16, required=False)
    unit = forms.CharField(label=_("单位"), max_length=10, required=False)
    budget = forms.CharField(label=_("预算（元）"), max_length=20, required=False)
    contractor = forms.ModelChoiceField(label=_("施工单位"), queryset=Organisation.objects.none(),
                                        required=False, empty_label=_("暂未确定"))
    need = forms.ModelChoiceField(label=_("对应的居民需求"), queryset=SurveyOption.objects.none(),
                                  required=False, empty_label=_("无"))
    planned_start = date_field(_("计划开工"))
    planned_end = date_field(_("计划完工"))

    def __init__(self, *args, project: Project, plan_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if plan_fixed:
            for name in self.PLAN_ONLY:
                del self.fields[name]
        else:
            self.fields["need"].queryset = SurveyOption.objects.filter(
                survey__project=project).order_by("category", "order", "id")
        self.fields["contractor"].queryset = contractors_for(project)


class VoteForm(OwnIds, QuickSelects, forms.Form):
    ids = "vote_%s"
    via = forms.ChoiceField(label=_("方式"), widget=forms.RadioSelect, initial="poll", choices=[
        ("poll", _("业主表决（按专有部分面积和人数双过半 / 双四分之三）")),
        ("consultation", _("入户征询（每户一份意见）"))],
        error_messages={"required": _("请选择表决或征询")})
    matter = forms.ChoiceField(label=_("共同决定事项"), choices=MATTERS, initial="rebuild")
    opens_at = LocalDateTimeField(label=_("开始时间"))
    closes_at = LocalDateTimeField(label=_("截止时间"))


class DecideForm(OwnIds, forms.Form):
    ids = "decide_%s"
    decision = forms.ChoiceField(label=_("审批意见"), widget=forms.RadioSelect, choices=[
        ("approve", _("批准")), ("refuse", _("不予批准"))],
        error_messages={"required": _("请选择批准或不予批准")})
    note = forms.CharField(label=_("说明"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("不予批准须写明理由"))
        return data


# --- on site, members, acceptance, management ----------------------------------------------


class ProgressForm(OwnIds, forms.Form):
    ids = "progress_%s"
    progress = forms.CharField(label=_("进度（%）"), max_length=4, required=False)
    note = forms.CharField(label=_("进度说明"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("现场照片（最多 9 张）"))

    def clean_photos(self) -> list[CheckedPhoto]:
        """Checked by content here to show the error next to the field; the action checks
        the same photos again."""
        return check_photos(self.cleaned_data.get("photos") or [])


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        resident = obj.resident
        return f"{resident.name}（{resident.household}）"


def residents_accounts(households) -> QuerySet[User]:
    """The active accounts of residents living in ``households``."""
    return (User.objects.filter(is_active=True, resident__household__in=households)
            .select_related("resident__household__building")
            .order_by("resident__household__area_path", "resident__household__unit",
                      "resident__household__room", "id"))


class MemberForm(OwnIds, QuickSelects, forms.Form):
    ids = "member_%s"
    user = MemberChoiceField(label=_("居民"), queryset=User.objects.none(), empty_label=_("请选择"),
                             error_messages={"required": _("请选择居民")})
    role = forms.ChoiceField(label=_("职责"), choices=MemberRole.choices)

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = residents_accounts(households)


class SignoffForm(forms.Form):
    decision = forms.ChoiceField(label=_("验收意见"), widget=forms.RadioSelect, choices=[
        ("accept", _("同意验收")), ("refuse", _("不同意，须整改"))],
        error_messages={"required": _("请选择同意或不同意")})
    reason = forms.CharField(label=_("意见 / 理由"), max_length=300, required=False)

    def __init__(self, *args, item_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"signoff{item_id}_%s")
        super().__init__(*args, **kwargs)
        self.item_id = item_id


def managers_for(project: Project) -> QuerySet[Organisation]:
    kinds = (OrgKind.PROPERTY, OrgKind.OWNERS_COMMITTEE)
    near = Q(areas__path__in=ancestor_paths(project.area_path)) | subtree_q(
        project.area_path, "areas__path")
    return (Organisation.objects.filter(near, kind__in=kinds, is_active=True).distinct()
            .order_by("name"))


class ManagementForm(OwnIds, QuickSelects, forms.Form):
    ids = "management_%s"
    management = forms.ChoiceField(label=_("长效管理方式"),
                                   choices=[("", _("请选择")), *Management.choices],
                                   required=False)
    manager = forms.ModelChoiceField(label=_("管理单位"), queryset=Organisation.objects.none(),
                                     required=False, empty_label=_("无"))
    convention = forms.CharField(label=_("居民公约"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = managers_for(project)


# --- the needs survey --------------------------------------------------------------------------


class SurveyForm(forms.Form):
    """The questionnaire; the works residents may ask for, one a line, in one box a category."""

    title = forms.CharField(label=_("问卷标题"), max_length=100, required=False)
    intro = forms.CharField(label=_("说明"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    closes_at = LocalDateTimeField(label=_("截止时间"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[f"options_{value}"] = forms.CharField(
                label=_("%(c)s需求（每行一项）") % {"c": label}, required=False,
                widget=forms.Textarea(attrs={"rows": 4}))

    def options(self) -> list[tuple[str, str]]:
        return [(value, line.strip()) for value, _label in Category.choices
                for line in (self.cleaned_data.get(f"options_{value}") or "").splitlines()
                if line.strip()]


class EntryForm(QuickSelects, forms.Form):
    """入户登记: the household by building, unit and room, and the works it asks for."""

    building = forms.ModelChoiceField(label=_("楼栋"), queryset=AreaNode.objects.none(),
                                      empty_label=_("请选择"),
                                      error_messages={"required": _("请选择楼栋")})
    unit = forms.CharField(label=_("单元"), max_length=16, required=False,
                           help_text=_("没有单元的楼栋不填"))
    room = forms.CharField(label=_("房号"), max_length=16,
                           error_messages={"required": _("请填写房号")})
    choices = forms.TypedMultipleChoiceField(label=_("需要的改造（可多选）"), coerce=int,
                                             required=False,
                                             widget=forms.CheckboxSelectMultiple)
    comment = forms.CharField(label=_("其他意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, households, options: list[SurveyOption], **kwargs):
        kwargs.setdefault("auto_id", "entry_%s")
        super().__init__(*args, **kwargs)
        self.households = households
        self.fields["building"].queryset = AreaNode.objects.filter(
            kind=AreaKind.BUILDING, pk__in=households.values("building_id")).order_by("path")
        self.fields["choices"].choices = [
            (o.pk, f"{o.get_category_display()} · {o.label}") for o in options]

    def clean(self) -> dict:
        data = super().clean()
        building, room = data.get("building"), (data.get("room") or "").strip()
        if building is None or not room:
            return data
        unit = (data.get("unit") or "").strip()
        data["household"] = self.households.filter(building=building, unit=unit,
                                                   room=room).first()
        if data["household"] is None:
            where = (_("%(b)s%(u)s单元%(r)s") if unit else _("%(b)s%(r)s")) % {
                "b": building.name, "u": unit, "r": room}
            self.add_error("room", _("改造小区内没有“%(h)s”这一户") % {"h": where})
        return data
