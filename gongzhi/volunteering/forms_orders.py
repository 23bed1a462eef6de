"""Forms of the ordering pages (点单、微心愿) and of each step on an order. They only parse
input; the actions in ``gongzhi.volunteering.actions.orders`` decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.volunteering.models import Rating


class OrderForm(forms.Form):
    description = forms.CharField(
        label=_("需求说明"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：哪里需要帮忙、方便上门的时间"))


class WishForm(forms.Form):
    title = forms.CharField(label=_("心愿"), max_length=100,
                            error_messages={"required": _("请填写心愿内容")},
                            help_text=_("如：想请人帮忙换灯泡"))
    description = forms.CharField(label=_("说明"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=300,
                             error_messages={"required": _("请说明取消原因")})


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("不能承接的原因"), max_length=300,
                             error_messages={"required": _("请说明不能承接的原因")})


class CompleteForm(forms.Form):
    # Text, not a number field: the action parses the hours and says what is wrong.
    hours = forms.CharField(label=_("服务时长（小时）"), max_length=10,
                            error_messages={"required": _("请填写服务时长")},
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                            help_text=_("最多保留一位小数，如 1.5"))
    report = forms.CharField(label=_("服务情况"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": _("请填写服务情况")})


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("您的评价"), choices=Rating.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": _("请选择评价"),
                                               "invalid_choice": _("请选择评价")})
    comment = forms.CharField(label=_("评价意见"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("选择“不满意”时请说明原因"))


class EmptyForm(forms.Form):
    """认领、接单: nothing to type."""


STEP_FORMS: dict[str, type[forms.Form]] = {
    "claim": EmptyForm, "accept": EmptyForm, "decline": DeclineForm,
    "complete": CompleteForm, "rate": RateForm, "cancel": CancelForm,
}
