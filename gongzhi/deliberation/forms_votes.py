"""Forms of the staff pages for polls, consultations and resolutions.

The forms only parse input; the rules (times in order, who may vote, one ballot a unit…)
are the actions' and come back as their ValidationError, shown next to the field.
"""

from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.widgets import QuickSelects
from gongzhi.deliberation.models import (
    RULE_LABELS,
    Answer,
    BallotSource,
    ConsultationStatus,
    Council,
    Electorate,
    PollStatus,
    ResolutionStatus,
)
from gongzhi.deliberation.tally import ART278_MATTERS, RULES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
PICK_LIMIT = 200  # a select of the first units / households not yet answered


class LocalDateTimeField(forms.DateTimeField):
    """An ``<input type="datetime-local">`` read in the site's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_FORMAT, "%Y-%m-%d %H:%M",
                                            "%Y-%m-%dT%H:%M:%S"])
        kwargs.setdefault("error_messages", {"required": _("请填写时间"),
                                             "invalid": _("请按“年-月-日 时:分”填写时间")})
        super().__init__(**kwargs)


def _window() -> dict:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {"opens_at": now, "closes_at": now + timedelta(days=7)}


def _area_label(node: AreaNode) -> str:
    return "\u3000" * max(0, node.depth - 3) + f"{node.name}（{node.get_kind_display()}）"


class StatusFilterForm(QuickSelects, forms.Form):
    """?status=… on a list page; a bad value means no filter."""

    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, data=None, *, statuses, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [("", _("全部")), *statuses]

    def chosen(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


def poll_filter(data) -> StatusFilterForm:
    return StatusFilterForm(data, statuses=PollStatus.choices)


def consultation_filter(data) -> StatusFilterForm:
    return StatusFilterForm(data, statuses=ConsultationStatus.choices)


def resolution_filter(data) -> StatusFilterForm:
    return StatusFilterForm(data, statuses=ResolutionStatus.choices)


class AreaPickForm(QuickSelects, forms.Form):
    """An area in the user's scope: a code (any level, e.g. a building's) or a pick from the
    levels above buildings, which are few."""

    area_code = forms.CharField(label=_("区域编码"), max_length=64, required=False,
                                help_text=_("楼栋等下级区域请填编码（门牌二维码下方）；不填则在下方选择"))
    area = forms.ModelChoiceField(label=_("区域"), queryset=AreaNode.objects.none(),
                                  required=False, empty_label=_("请选择"))

    area_required = True

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = self.scope().exclude(kind=AreaKind.BUILDING).order_by(
            "path")
        self.fields["area"].label_from_instance = _area_label

    def scope(self) -> QuerySet[AreaNode]:
        return AreaNode.objects.filter(scope_q(self.user, Perm.RUN_COUNCILS))

    def clean(self) -> dict:
        data = super().clean()
        code = (data.get("area_code") or "").strip()
        if code:
            node = self.scope().filter(code=code).first()
            if node is None:
                self.add_error("area_code", _("未找到该编码，或不在您的辖区内"))
            else:
                data["area"] = node
        elif not data.get("area") and "area" not in self.errors and self.area_required:
            self.add_error("area", _("请填写区域编码或选择区域"))
        return data


MATTER_HELP = _(
    "属于民法典第二百七十八条规定的业主共同决定事项时请选择，计票规则随之确定，无需再选“表决规则”："
    "须专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决；"
    "第（一）至（五）项和第（九）项须经参与表决专有部分面积过半数且参与表决人数过半数的业主同意（双过半），"
    "第（六）至（八）项须经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意（双四分之三）。"
    "只有“区域内业主”表决可以选择。")
RULE_SHORT = {"art278_half": _("双过半"), "art278_three_quarters": _("双四分之三")}


class PollForm(AreaPickForm):
    title = forms.CharField(label=_("表决事项"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    electorate = forms.ChoiceField(label=_("表决人"), choices=Electorate.choices,
                                   initial=Electorate.HOUSEHOLDS)
    council = forms.ModelChoiceField(label=_("议事会"), queryset=Council.objects.none(),
                                     required=False, empty_label=_("（不选）"),
                                     help_text=_("“议事会成员”表决必须选择"))
    matter = forms.ChoiceField(label=_("共同决定事项"), required=False, help_text=MATTER_HELP)
    rule = forms.ChoiceField(label=_("表决规则"), required=False,
                             help_text=_("不是共同决定事项时选择"))
    secret = forms.BooleanField(label=_("不记名表决（工作人员只能看到投票人数，看不到每户的选择）"),
                                required=False)
    opens_at = LocalDateTimeField(label=_("开始时间"))
    closes_at = LocalDateTimeField(label=_("截止时间"))
    options = forms.CharField(
        label=_("供选择的方案"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个方案，至少两个；不填则为“同意 / 反对 / 弃权”表决"))
    topic = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {k: v for k, v in _window().items() if k not in kwargs["initial"]})
        super().__init__(*args, user=user, **kwargs)
        self.fields["council"].queryset = Council.objects.filter(
            scope_q(user, Perm.RUN_COUNCILS, "area_path"), is_active=True).order_by(
            "area_path", "name")
        self.fields["matter"].choices = [("", _("不是共同决定事项"))] + [
            (code, f"{name}（{RULE_SHORT[rule]}）") for code, name, rule in ART278_MATTERS]
        self.fields["rule"].choices = [("", _("请选择"))] + [(r, RULE_LABELS[r]) for r in RULES]
        # Keep the order of the page: area first, after the title.
        order = ["title", "description", "area_code", "area"]
        self.order_fields(order + [f for f in self.fields if f not in order])

    def option_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines()
                if line.strip()]


class UnitPickField(forms.IntegerField):
    """A ``<select>`` of some choices whose value is checked by the form, not the choices:
    a unit taken meanwhile gets the action's clear refusal, not "invalid choice"."""

    widget = forms.Select

    def __init__(self, *, choices=(), **kwargs):
        super().__init__(**kwargs)
        self.widget = forms.Select(choices=[("", _("请选择"))] + list(choices))


class BallotForm(forms.Form):
    """A paper ballot or a show-of-hands record, entered by staff."""

    unit_label = forms.CharField(label=_("户号 / 表决人"), max_length=100, required=False,
                                 help_text=_("与名单上的写法完全一致，如“1栋1单元101”；不填则在下方选择"))
    unit = UnitPickField(label=_("未投票的户（前 200 户）"), required=False)
    choice = forms.ChoiceField(label=_("表决意见"), widget=forms.RadioSelect,
                               error_messages={"required": _("请选择表决意见")})
    source = forms.ChoiceField(label=_("来源"), initial=BallotSource.PAPER, choices=[
        (BallotSource.PAPER, BallotSource.PAPER.label),
        (BallotSource.HANDS, BallotSource.HANDS.label)])
    record = forms.CharField(label=_("依据"), max_length=200,
                             help_text=_("如“第 12 号纸质表决票”或“3 月 5 日议事会举手表决记录”"),
                             error_messages={"required": _("请写明依据")})

    def __init__(self, *args, poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        unvoted = poll.units.filter(ballot__isnull=True).order_by("id")[:PICK_LIMIT]
        self.fields["unit"].widget.choices += [(u.pk, u.label) for u in unvoted]
        plans = list(poll.options.all())
        if plans:
            choices = [(f"option:{p.pk}", p.label) for p in plans] + [("abstain", _("弃权"))]
        else:
            choices = [("yes", _("同意")), ("no", _("反对")), ("abstain", _("弃权"))]
        self.fields["choice"].choices = choices

    def clean(self) -> dict:
        data = super().clean()
        label = (data.get("unit_label") or "").strip()
        units = self.poll.units.all()
        if label:
            found = list(units.filter(label=label)[:2])
            if not found:
                self.add_error("unit_label", _("本次表决名单中没有“%(l)s”") % {"l": label})
            elif len(found) > 1:
                self.add_error("unit_label", _("名单中有多个“%(l)s”，请在下方选择") % {"l": label})
            else:
                data["unit_obj"] = found[0]
        elif data.get("unit"):
            data["unit_obj"] = units.filter(pk=data["unit"]).first()
            if data["unit_obj"] is None:
                self.add_error("unit", _("该户不在本次表决范围内"))
        elif "unit" not in self.errors:
            self.add_error("unit", _("请填写户号或选择一户"))
        return data

    def action_kwargs(self) -> dict:
        """What enter_ballot wants: choice, option_id, unit, source, record."""
        d = self.cleaned_data
        choice, option_id = d["choice"], None
        if choice.startswith("option:"):
            choice, option_id = "option", int(choice.split(":", 1)[1])
        return {"unit": d["unit_obj"], "choice": choice, "option_id": option_id,
                "source": d["source"], "record": d["record"]}


MATTERS = [(code, name) for code, name, _rule in ART278_MATTERS]


class ConsultationForm(AreaPickForm):
    title = forms.CharField(label=_("征询事项"), max_length=100,
                            help_text=_("如“1栋2单元加装电梯意见征询”"))
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    unit = forms.CharField(label=_("单元"), max_length=16, required=False,
                           help_text=_("只征询楼栋中的一个单元时填写，如“2”"))
    matter = forms.ChoiceField(label=_("共同决定事项"), choices=MATTERS, initial="rebuild",
                               help_text=_("加装电梯属于“改建、重建建筑物及其附属设施”，"
                                           "按双四分之三计算"))
    opens_at = LocalDateTimeField(label=_("开始时间"))
    closes_at = LocalDateTimeField(label=_("截止时间"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {k: v for k, v in _window().items() if k not in kwargs["initial"]})
        super().__init__(*args, user=user, **kwargs)
        order = ["title", "description", "area_code", "area"]
        self.order_fields(order + [f for f in self.fields if f not in order])


class AnswerForm(forms.Form):
    """A household's signed answer from a door-to-door visit."""

    room = forms.CharField(label=_("户号"), max_length=100, required=False,
                           help_text=_("楼栋 + 单元 + 房号，如“1栋1单元101”；不填则在下方选择"))
    household = UnitPickField(label=_("未回复的户（前 200 户）"), required=False)
    answer = forms.ChoiceField(label=_("意见"), choices=Answer.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("请选择意见")})
    condition = forms.CharField(label=_("条件"), max_length=300, required=False,
                                help_text=_("“有条件同意”时写明条件"))
    record = forms.CharField(label=_("依据"), max_length=200,
                             help_text=_("如“入户签字意见书（王秀英签字）”"),
                             error_messages={"required": _("请写明依据")})

    def __init__(self, *args, households: QuerySet[Household], unanswered, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = households
        self.fields["household"].widget.choices += [(h.pk, str(h)) for h in unanswered]

    def clean(self) -> dict:
        data = super().clean()
        room = (data.get("room") or "").strip()
        if room:
            # The label ends with the room number: narrow by the possible endings first.
            endings = [room[i:] for i in range(len(room))]
            found = [h for h in self.households.filter(room__in=endings)
                     .select_related("building")[:PICK_LIMIT] if str(h) == room][:2]
            if len(found) != 1:
                self.add_error("room", _("征询范围内没有“%(r)s”，或有重名，请在下方选择")
                               % {"r": room})
            else:
                data["household_obj"] = found[0]
        elif data.get("household"):
            data["household_obj"] = self.households.filter(pk=data["household"]).first()
            if data["household_obj"] is None:
                self.add_error("household", _("该户不在征询范围内"))
        elif "household" not in self.errors:
            self.add_error("household", _("请填写户号或选择一户"))
        return data


class ResolutionForm(AreaPickForm):
    title = forms.CharField(label=_("决议名称"), max_length=100)
    body = forms.CharField(label=_("决议内容"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, user, needs_area: bool, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.area_required = needs_area
        if not needs_area:  # the poll or topic brings its area
            del self.fields["area_code"], self.fields["area"]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("审批意见"), widget=forms.RadioSelect, choices=[
        ("approve", _("批准")), ("reject", _("不予批准"))])
    note = forms.CharField(label=_("说明"), max_length=300, required=False,
                           help_text=_("不予批准时须写明理由"))


class PublishForm(forms.Form):
    period_days = forms.IntegerField(label=_("公示期（天）"), initial=7, min_value=1,
                                     max_value=90, help_text=_("公示期内居民可以提出异议"))


class CarryOutForm(forms.Form):
    note = forms.CharField(label=_("实施情况"), widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("请填写实施情况")})

