"""Forms of the 网格合伙人 pages. They only parse input; the actions in
``gongzhi.campaigns.actions.partners`` decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.models import GRID_KINDS, AreaNode
from gongzhi.campaigns.models import PartnerKind
from gongzhi.cases.forms_resident import PhotosField
from gongzhi.core.permissions import Perm, scope_q


def _text(value: str) -> str:
    return (value or "").replace("\r\n", "\n").strip()


# --- residents, shop owners, property staff -------------------------------------------------


class ApplyForm(forms.Form):
    """报名: as whom (resident, for my shop, for my property company) and about me."""

    kind = forms.ChoiceField(label=_("报名身份"), choices=PartnerKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": _("请选择报名身份")})
    organisation = forms.ModelChoiceField(
        label=_("所在商户或物业"), required=False, queryset=Organisation.objects.none(),
        help_text=_("以商户或物业人员身份报名时选择"))
    motivation = forms.CharField(
        label=_("自我介绍和特长"), max_length=300, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：退休教师，每天在小区散步，熟悉邻里情况。"),
        error_messages={"required": _("请写一写自我介绍和特长")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = user.organisations.filter(
            is_active=True, kind__in=[OrgKind.MERCHANT, OrgKind.PROPERTY]).order_by("name")

    def clean_motivation(self) -> str:
        return _text(self.cleaned_data.get("motivation", ""))


class ReportForm(forms.Form):
    """巡查报告: what I saw; a problem to fix (with photos) becomes a case."""

    report = forms.CharField(label=_("巡查情况"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请写一写巡查情况")})
    problem_title = forms.CharField(label=_("发现的问题（没有可不填）"), max_length=100,
                                    required=False,
                                    help_text=_("填写后会作为诉求件上报社区处理。"))
    problem_description = forms.CharField(label=_("问题描述"), max_length=2000,
                                          required=False,
                                          widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("问题照片（可不传）"))

    def clean_report(self) -> str:
        return _text(self.cleaned_data.get("report", ""))


# --- staff ---------------------------------------------------------------------------------


class PostForm(forms.Form):
    area = forms.ModelChoiceField(label=_("网格"), queryset=AreaNode.objects.none(),
                                  error_messages={"required": _("请选择网格")})
    title = forms.CharField(label=_("招募名称"), max_length=100)
    duties = forms.CharField(label=_("合伙人职责"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    places = forms.IntegerField(label=_("招募名额"), min_value=1, max_value=50, initial=5)
    closes_on = forms.DateField(label=_("报名截止"),
                                widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = AreaNode.objects.filter(
            scope_q(user, Perm.RUN_CAMPAIGNS, "path"), kind__in=GRID_KINDS).order_by("path")


class DecideForm(forms.Form):
    accept = forms.TypedChoiceField(label=_("审核"), coerce=lambda v: v == "1",
                                    choices=[("1", _("接纳")), ("0", _("不接纳"))])
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class AssignForm(forms.Form):
    route = forms.CharField(label=_("巡查路线和内容"), max_length=200)
    due_on = forms.DateField(label=_("巡查日期"), widget=forms.DateInput(attrs={"type": "date"}))


class EndForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
