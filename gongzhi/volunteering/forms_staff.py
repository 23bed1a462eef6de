"""Forms of the volunteering staff console (志愿服务 · 工作台).

Forms only parse input and offer choices within the user's MANAGE_VOLUNTEERS scope; the
rules (hours in range, a team serving the area, a balance large enough …) are the actions'
and come back as their ValidationError, shown next to the field. Hours and numbers are
plain text fields for that reason: the action's own message is the one the user reads.
"""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.core.widgets import QuickSelects
from gongzhi.volunteering.models import (
    Library,
    OrderKind,
    OrderStatus,
    Volunteer,
    VolunteerStatus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
LISTED_KINDS = (AreaKind.STREET, AreaKind.COMMUNITY, AreaKind.GRID_LARGE, AreaKind.GRID_SMALL,
                AreaKind.COMPOUND)
WEEKDAYS = [("0", _("星期一")), ("1", _("星期二")), ("2", _("星期三")), ("3", _("星期四")),
            ("4", _("星期五")), ("5", _("星期六")), ("6", _("星期日"))]


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AreaNode) -> str:
        return f"{'　' * max(obj.depth - 3, 0)}{obj.name}（{obj.get_kind_display()}）"


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Volunteer) -> str:
        return f"{obj.user.display_name}（{obj.skills}）" if obj.skills else obj.user.display_name


class VolunteerChecks(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Volunteer) -> str:
        return obj.user.display_name


def managed_areas(user, kinds=LISTED_KINDS) -> QuerySet[AreaNode]:
    return AreaNode.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "path"),
                                   kind__in=kinds).order_by("path")


def managed_teams(user) -> QuerySet[Organisation]:
    """Active volunteer teams serving somewhere in the user's scope."""
    return (Organisation.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "areas__path"),
                                        kind=OrgKind.VOLUNTEER_TEAM, is_active=True)
            .distinct().order_by("name"))


def teams_serving(path: str) -> QuerySet[Organisation]:
    """Active volunteer teams serving ``path``, a node above it or a part of it."""
    near = Q(areas__path__in=ancestor_paths(path)) | subtree_q(path, "areas__path")
    return (Organisation.objects.filter(near, kind=OrgKind.VOLUNTEER_TEAM, is_active=True)
            .distinct().order_by("name"))


def merchants_in_scope(user) -> QuerySet[Organisation]:
    """Active shops serving the user's area (or an area above it: a street-wide chain)."""
    return (Organisation.objects.filter(kind=OrgKind.MERCHANT, is_active=True)
            .filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "areas__path"))
            .distinct().order_by("name"))


class OwnIds:
    """Several forms share a page: each names its fields' ids after itself."""

    ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class ScopedForm(QuickSelects, forms.Form):
    """A form with an ``area`` (and maybe a ``team``) pick in the user's scope."""

    area_kinds = LISTED_KINDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "area" in self.fields:
            self.fields["area"].queryset = managed_areas(user, self.area_kinds)
        if "team" in self.fields:
            self.fields["team"].queryset = managed_teams(user)


# --- orders ----------------------------------------------------------------------------------


class OrderFilterForm(QuickSelects, forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), *OrderStatus.choices])
    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部")), *OrderKind.choices])

    def chosen(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class DispatchForm(OwnIds, QuickSelects, forms.Form):
    ids = "dispatch_%s"
    team = forms.ModelChoiceField(label=_("派给队伍"), queryset=Organisation.objects.none(),
                                  required=False, empty_label=_("不派给队伍"))
    volunteer = VolunteerChoiceField(label=_("或派给志愿者"), queryset=Volunteer.objects.none(),
                                     required=False, empty_label=_("不派给个人"))

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_serving(order.area_path)
        # Volunteers of the order's community: their area is above or at the order's place.
        self.fields["volunteer"].queryset = (
            Volunteer.objects.filter(area_path__in=ancestor_paths(order.area_path),
                                     status=VolunteerStatus.ACTIVE)
            .exclude(user_id=order.requester_id).select_related("user")
            .order_by("user__full_name", "id"))


class ReasonForm(OwnIds, forms.Form):
    ids = "reason_%s"
    reason = forms.CharField(label=_("原因"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


# --- the menu --------------------------------------------------------------------------------


class ServiceItemForm(ScopedForm):
    library = forms.ChoiceField(label=_("项目库"), choices=Library.choices)
    name = forms.CharField(label=_("服务项目"), max_length=100, required=False)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    usual_hours = forms.CharField(label=_("一般用时（小时）"), max_length=10, required=False)
    area = AreaChoiceField(label=_("服务范围"), queryset=AreaNode.objects.none(),
                           empty_label=_("请选择"))
    team = forms.ModelChoiceField(label=_("提供服务的队伍"), queryset=Organisation.objects.none(),
                                  required=False, empty_label=_("不指定"))


# --- volunteers and rankings -----------------------------------------------------------------


class RegisterForm(ScopedForm):
    area_kinds = (AreaKind.COMMUNITY,)
    account = forms.CharField(label=_("居民账号（用户名或手机号）"), max_length=150)
    area = AreaChoiceField(label=_("所在社区"), queryset=AreaNode.objects.none(),
                           empty_label=_("请选择"))
    skills = forms.CharField(label=_("特长"), max_length=200, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=200, required=False)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    party_unit = forms.CharField(label=_("党员报到单位"), max_length=100, required=False)
    expected_hours = forms.CharField(label=_("每年应服务时长（小时）"), max_length=10,
                                     required=False)


class StatusForm(OwnIds, QuickSelects, forms.Form):
    ids = "status_%s"
    status = forms.ChoiceField(label=_("状态"), choices=VolunteerStatus.choices)
    reason = forms.CharField(label=_("原因"), max_length=300, required=False)


PERIODS = [("month", _("本月")), ("year", _("本年")), ("all", _("全部"))]


class RankingFilterForm(ScopedForm):
    area_kinds = (AreaKind.STREET, AreaKind.COMMUNITY)
    area = AreaChoiceField(label=_("社区"), queryset=AreaNode.objects.none(), required=False,
                           empty_label=_("全部"))
    team = forms.ModelChoiceField(label=_("队伍"), queryset=Organisation.objects.none(),
                                  required=False, empty_label=_("全部"))
    period = forms.ChoiceField(label=_("时段"), choices=PERIODS, required=False)


# --- activities and rosters ------------------------------------------------------------------


class ActivityForm(ScopedForm):
    title = forms.CharField(label=_("活动名称"), max_length=100, required=False)
    description = forms.CharField(label=_("活动内容"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    area = AreaChoiceField(label=_("区域"), queryset=AreaNode.objects.none(),
                           empty_label=_("请选择"))
    team = forms.ModelChoiceField(label=_("组织队伍"), queryset=Organisation.objects.none(),
                                  required=False, empty_label=_("不限队伍"))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME,
                                    input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME,
                                  input_formats=DATETIME_FORMATS)
    capacity = forms.CharField(label=_("人数上限"), max_length=6)
    hours = forms.CharField(label=_("记录时长（小时）"), max_length=10)


class AttendanceForm(OwnIds, forms.Form):
    ids = "attendance_%s"
    present = VolunteerChecks(label=_("到场的志愿者"), queryset=Volunteer.objects.none(),
                              required=False)

    def __init__(self, *args, signed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = signed


class ShiftTemplateForm(ScopedForm):
    title = forms.CharField(label=_("值守岗位"), max_length=100, required=False)
    area = AreaChoiceField(label=_("区域"), queryset=AreaNode.objects.none(),
                           empty_label=_("请选择"))
    team = forms.ModelChoiceField(label=_("负责队伍"), queryset=Organisation.objects.none(),
                                  required=False, empty_label=_("不指定"))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    weekdays = forms.MultipleChoiceField(label=_("星期"), choices=WEEKDAYS, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    start_time = forms.TimeField(label=_("开始时间"), widget=TIME)
    hours = forms.CharField(label=_("时长（小时）"), max_length=10)
    slots = forms.CharField(label=_("每班人数"), max_length=4, initial="1")


class GenerateForm(OwnIds, QuickSelects, forms.Form):
    ids = "generate_%s"
    template = forms.ModelChoiceField(label=_("值守岗位"), queryset=None, empty_label=_("请选择"))
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class WindowForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DATE, required=False)
    end = forms.DateField(label=_("结束日期"), widget=DATE, required=False)


class ShiftConfirmForm(forms.Form):
    present = VolunteerChecks(label=_("到岗的志愿者"), queryset=Volunteer.objects.none(),
                              required=False)

    def __init__(self, *args, signed, **kwargs):
        kwargs.setdefault("auto_id", f"shift{kwargs.pop('shift_id', '')}_%s")
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = signed


# --- rewards, coupons, the counter ----------------------------------------------------------


class RewardForm(ScopedForm):
    name = forms.CharField(label=_("礼品"), max_length=100, required=False)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.CharField(label=_("所需积分"), max_length=10)
    stock = forms.CharField(label=_("库存"), max_length=10)
    area = AreaChoiceField(label=_("区域"), queryset=AreaNode.objects.none(),
                           empty_label=_("请选择"))


class RestockForm(forms.Form):
    add = forms.CharField(label=_("补充数量"), max_length=10)


class CouponForm(ScopedForm):
    merchant = forms.ModelChoiceField(label=_("商户"), queryset=Organisation.objects.none(),
                                      empty_label=_("请选择"))
    title = forms.CharField(label=_("友邻券"), max_length=100, required=False)
    description = forms.CharField(label=_("使用说明"), max_length=300, required=False)
    points = forms.CharField(label=_("所需积分"), max_length=10)
    stock = forms.CharField(label=_("张数"), max_length=10)
    valid_until = forms.DateField(label=_("有效期至"), widget=DATE)
    area = AreaChoiceField(label=_("区域"), queryset=AreaNode.objects.none(),
                           empty_label=_("请选择"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["merchant"].queryset = merchants_in_scope(user)


class LookupForm(forms.Form):
    q = forms.CharField(label=_("用户名或手机号"), max_length=150)


class SpendForm(OwnIds, forms.Form):
    ids = "spend_%s"
    holder = forms.IntegerField(widget=forms.HiddenInput)
    units = forms.CharField(label=_("时间币"), max_length=10)
    note = forms.CharField(label=_("兑换的服务"), max_length=200, required=False)
