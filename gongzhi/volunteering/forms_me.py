"""Forms of the volunteer's own pages: registering, giving time-bank units to family, asking
someone to take a shift, a shop entering a coupon code. They only parse input; the actions
decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaNode
from gongzhi.volunteering.models import Volunteer


class RegisterForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("服务社区"), queryset=AreaNode.objects.none(), empty_label=None,
        help_text=_("一般为您居住的社区；在职党员可选择本街道的其他社区报到"),
        error_messages={"required": _("请选择社区"), "invalid_choice": _("请选择本街道的社区")})
    is_party_member = forms.BooleanField(label=_("我是在职党员，到社区报到（双报到）"),
                                         required=False)
    party_unit = forms.CharField(label=_("党员所在单位"), max_length=100, required=False,
                                 help_text=_("党员报到须填写"))
    skills = forms.CharField(label=_("特长"), max_length=200, required=False,
                             help_text=_("如：水电维修、理发、法律咨询"))
    availability = forms.CharField(label=_("可服务时间"), max_length=200, required=False,
                                   help_text=_("如：周末上午、工作日晚上"))

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities


class TransferForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label=_("转给"), queryset=None, empty_label=None,
        error_messages={"required": _("请选择家庭成员"),
                        "invalid_choice": _("只能转给同一户的家庭成员")})
    units = forms.CharField(label=_("时间币数量"), max_length=10,
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                            error_messages={"required": _("请填写时间币数量")})

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = members
        self.fields["to_user"].label_from_instance = lambda u: u.display_name


class SwapForm(forms.Form):
    to_volunteer = forms.ModelChoiceField(
        label=_("请谁代班"), queryset=Volunteer.objects.none(), empty_label=None,
        error_messages={"required": _("请选择志愿者"),
                        "invalid_choice": _("请选择同一队伍或社区的志愿者")})

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["to_volunteer"].queryset = candidates


class CouponCodeForm(forms.Form):
    code = forms.CharField(label=_("券码"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "off",
                                                         "autocapitalize": "characters"}),
                           error_messages={"required": _("请输入券码")})
