"""Forms of the staff pages for councils, meetings, topics and proposal contests.

Forms only parse and offer choices within the user's scope; the actions check and change.
"""

import re

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.core.widgets import QuickSelects
from gongzhi.deliberation.models import (
    Capacity,
    Council,
    CouncilKind,
    CouncilMember,
    Topic,
    TopicStatus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
# Councils serve a street, a community, a grid or a compound; a building council (楼宇理事会)
# is named by its area code, so that the list stays short for a street or a district.
LISTED_KINDS = (AreaKind.STREET, AreaKind.COMMUNITY, AreaKind.GRID_LARGE, AreaKind.GRID_SMALL,
                AreaKind.COMPOUND)
SPLIT = re.compile(r"[\s,，、;；]+")


class OwnIds:
    """Several forms share a page: each names its fields' ids after itself (id_name twice
    would tie one label to the wrong box)."""

    ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AreaNode) -> str:
        return f"{'　' * max(obj.depth - 3, 0)}{obj.name}（{obj.get_kind_display()}）"


class CouncilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Council) -> str:
        return f"{obj.name}（{obj.area.name}）"


def runnable_areas(user) -> QuerySet[AreaNode]:
    """Areas where ``user`` may run councils, down to compounds."""
    return AreaNode.objects.filter(scope_q(user, Perm.RUN_COUNCILS, "path"),
                                   kind__in=LISTED_KINDS).order_by("path")


def runnable_councils(user) -> QuerySet[Council]:
    return (Council.objects.filter(scope_q(user, Perm.RUN_COUNCILS, "area_path"),
                                   is_active=True).select_related("area"))


def users_by_name(text: str, field: str = "judges") -> list[User]:
    """Active accounts named by username, in the order given; unknown names are an error."""
    names = list(dict.fromkeys(n for n in SPLIT.split(text or "") if n))
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    missing = [n for n in names if n not in found]
    if missing:
        raise forms.ValidationError(_("未找到账号：%(names)s") % {"names": "、".join(missing)})
    return [found[n] for n in names]


class CouncilForm(QuickSelects, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CouncilKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100, required=False,
                           help_text=_("如：活龙社区居民议事会"))
    area = AreaChoiceField(label=_("服务区域"), queryset=AreaNode.objects.none(),
                           required=False, empty_label=_("请选择"))
    area_code = forms.CharField(label=_("或填写区域编码"), max_length=64, required=False,
                                help_text=_("楼宇理事会等：填写楼栋的区域编码"))
    support_threshold = forms.IntegerField(label=_("列入议程所需附议数"), initial=10,
                                           min_value=1, max_value=10000)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), widget=DATE, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = runnable_areas(user)

    def clean(self) -> dict:
        data = super().clean()
        code = (data.get("area_code") or "").strip()
        if code:
            node = AreaNode.objects.filter(scope_q(self.user, Perm.RUN_COUNCILS, "path"),
                                           code=code).first()
            if node is None:
                self.add_error("area_code", _(
                    "未找到编码为“%(code)s”的区域，或您无权在该区域组织议事") % {"code": code})
            else:
                data["area"] = node
        elif not data.get("area") and "area" not in self.errors:
            self.add_error("area", _("请选择服务区域"))
        return data


class CouncilEditForm(OwnIds, forms.Form):
    ids = "edit_%s"
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    support_threshold = forms.IntegerField(label=_("列入议程所需附议数"), min_value=1,
                                           max_value=10000)
    term_end = forms.DateField(label=_("任期结束"), widget=DATE, required=False)
    is_active = forms.BooleanField(label=_("有效（取消勾选即停止活动）"), required=False)


class MemberForm(OwnIds, QuickSelects, forms.Form):
    ids = "member_%s"
    capacity = forms.ChoiceField(label=_("身份"), choices=Capacity.choices)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False,
                           help_text=_("关联账号时可不填，默认用账号姓名"))
    username = forms.CharField(label=_("关联账号（用户名）"), max_length=150, required=False,
                               help_text=_("关联后成员可收到会议通知、扫码签到"))
    organisation = forms.ModelChoiceField(label=_("所在单位"), required=False,
                                          queryset=Organisation.objects.none(),
                                          empty_label=_("无"))
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE, required=False,
                                help_text=_("不填为今天"))

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        # Units serving the council's area, above or below it.
        self.fields["organisation"].queryset = Organisation.objects.filter(
            Q(areas__path__in=ancestor_paths(council.area_path))
            | subtree_q(council.area_path, "areas__path"), is_active=True,
        ).distinct().order_by("kind", "name")

    def clean_username(self) -> User | None:
        name = (self.cleaned_data.get("username") or "").strip()
        if not name:
            return None
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("未找到该账号"))
        return user

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("name") or "").strip() and not data.get("username") \
                and "username" not in self.errors:
            self.add_error("name", _("请填写姓名或关联账号"))
        return data


class RemoveMemberForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DATE, required=False)


class MeetingForm(OwnIds, QuickSelects, forms.Form):
    ids = "meeting_%s"
    council = CouncilChoiceField(label=_("议事会"), queryset=Council.objects.none(),
                                 empty_label=_("请选择"))
    title = forms.CharField(label=_("会议名称"), max_length=100, required=False)
    starts_at = forms.DateTimeField(label=_("时间"), widget=DATETIME,
                                    input_formats=DATETIME_FORMATS)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    recurring_monthly = forms.BooleanField(label=_("每月例会（召开后自动安排下月会议）"),
                                           required=False)
    topics = forms.ModelMultipleChoiceField(label=_("列入议程的议题"), required=False,
                                            queryset=Topic.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, council: Council | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        councils = runnable_councils(user)
        self.fields["council"].queryset = councils
        if council is not None:
            self.fields["council"].widget = forms.HiddenInput()
            self.fields["council"].initial = council.pk
            topics = Topic.objects.filter(council=council)
        else:
            topics = Topic.objects.filter(council__in=councils)
        self.fields["topics"].queryset = topics.filter(status=TopicStatus.AGENDA).order_by(
            "-created_at")

    def clean(self) -> dict:
        data = super().clean()
        council = data.get("council")
        if council is not None and any(t.council_id != council.pk
                                       for t in data.get("topics") or ()):
            self.add_error("topics", _("议题须属于所选议事会"))
        return data


class AgendaForm(OwnIds, QuickSelects, forms.Form):
    ids = "agenda_%s"
    topic = forms.ModelChoiceField(label=_("议题"), queryset=Topic.objects.none(),
                                   empty_label=_("请选择"))

    def __init__(self, *args, topics: QuerySet[Topic], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CouncilMember) -> str:
        return str(obj)


class AttendanceForm(OwnIds, forms.Form):
    ids = "attendance_%s"
    members = MemberChoiceField(label=_("到会成员"), queryset=CouncilMember.objects.none(),
                                widget=forms.CheckboxSelectMultiple,
                                error_messages={"required": _("请勾选到会成员")})

    def __init__(self, *args, members: QuerySet[CouncilMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members


ADOPTED = [("1", _("通过（形成决定）")), ("0", _("不予采纳"))]


class MinutesForm(OwnIds, forms.Form):
    ids = "minutes_%s"
    """会议纪要 and, for each agenda topic not yet decided, a decision and whether adopted."""

    minutes = forms.CharField(label=_("会议纪要"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, topics: list[Topic], **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = topics
        for topic in topics:
            self.fields[f"decision_{topic.pk}"] = forms.CharField(
                label=_("“%(t)s”的决定") % {"t": topic.title}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("未讨论可不填，议题留待下次会议"))
            self.fields[f"adopted_{topic.pk}"] = forms.ChoiceField(
                label=_("结果"), choices=ADOPTED, initial="1", widget=forms.RadioSelect)

    def decisions(self) -> dict[int, tuple[str, bool]]:
        d = self.cleaned_data
        return {t.pk: (d.get(f"decision_{t.pk}") or "", d.get(f"adopted_{t.pk}") != "0")
                for t in self.topics if (d.get(f"decision_{t.pk}") or "").strip()}


class ReasonForm(OwnIds, forms.Form):
    ids = "cancel_%s"
    reason = forms.CharField(label=_("取消原因"), required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


class TopicForm(QuickSelects, forms.Form):
    council = CouncilChoiceField(label=_("议事会"), queryset=Council.objects.none(),
                                 empty_label=_("请选择"))
    title = forms.CharField(label=_("议题"), max_length=100, required=False)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, councils: QuerySet[Council], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class DecideForm(forms.Form):
    decision = forms.CharField(label=_("决定内容或不予采纳的理由"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    adopted = forms.ChoiceField(label=_("结果"), choices=ADOPTED, initial="1",
                                widget=forms.RadioSelect)


class ContestForm(QuickSelects, forms.Form):
    council = CouncilChoiceField(label=_("议事会"), queryset=Council.objects.none(),
                                 empty_label=_("请选择"))
    title = forms.CharField(label=_("大赛名称"), max_length=100, required=False)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    rounds = forms.CharField(label=_("评审轮次"), widget=forms.Textarea(attrs={"rows": 3}),
                             initial="初评 10\n决赛 3",
                             help_text=_("每行一轮：轮次名称 晋级数；最后一轮的晋级数即获奖数"))
    judges = forms.CharField(label=_("评委账号"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("填写评委的用户名，用空格或逗号分隔"))

    def __init__(self, *args, councils: QuerySet[Council], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils

    def clean_rounds(self) -> list[tuple[str, int]]:
        rounds = []
        for number, line in enumerate((self.cleaned_data["rounds"] or "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            parts = line.rsplit(None, 1)
            if len(parts) != 2 or not parts[1].isdigit():
                raise forms.ValidationError(
                    _("第 %(n)d 行应写作“轮次名称 晋级数”，如“初评 10”") % {"n": number})
            rounds.append((parts[0], int(parts[1])))
        return rounds

    def clean_judges(self) -> list[User]:
        return users_by_name(self.cleaned_data["judges"])


class EntryForm(forms.Form):
    title = forms.CharField(label=_("提案名称"), max_length=100, required=False)
    description = forms.CharField(label=_("提案内容"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class ScoreForm(forms.Form):
    points = forms.IntegerField(label=_("分数（0–100）"), min_value=0, max_value=100)
    comment = forms.CharField(label=_("评语"), max_length=300, required=False)


class RaiseFromCaseForm(QuickSelects, forms.Form):
    council = CouncilChoiceField(label=_("提交给"), queryset=Council.objects.none(),
                                 empty_label=None)
    title = forms.CharField(label=_("议题"), max_length=100, required=False)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, councils: QuerySet[Council], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils
