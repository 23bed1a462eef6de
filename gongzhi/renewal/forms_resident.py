"""Forms of the residents' renewal pages: the needs survey, a supervisor's inspection, a
representative's sign-off. They only parse input; the actions decide what is allowed, and
their refusals are put next to the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.forms_resident import PhotosField
from gongzhi.renewal.models import Category, Survey, WorkItem

COMMENT_LENGTH = 1000
NOTE_LENGTH = 2000
REASON_LENGTH = 300


def _text(value: str) -> str:
    # Browsers send textarea line breaks as CRLF; store plain newlines.
    return (value or "").replace("\r\n", "\n").strip()


class SurveyForm(forms.Form):
    """问需于民: tick the works my household wants, and say anything else."""

    choices = forms.TypedMultipleChoiceField(
        label=_("您家希望改造哪些内容（可多选）"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选需求不在本问卷中，请重新选择")})
    comment = forms.CharField(
        label=_("其他意见（可不填）"), required=False, max_length=COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：希望楼道装扶手，一楼下水道经常堵。"),
        error_messages={"max_length": _("其他意见最多 %(limit_value)d 个字")})

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        options = list(survey.options.all())
        groups = []
        for value, label in Category.choices:
            mine = [(o.pk, o.label) for o in options if o.category == value]
            if mine:
                groups.append((label, mine))
        self.fields["choices"].choices = groups

    def clean_comment(self) -> str:
        return _text(self.cleaned_data.get("comment", ""))


class InspectionForm(forms.Form):
    """监督巡查: what I saw on site, a problem if there is one, photos."""

    item = forms.ModelChoiceField(
        label=_("巡查的改造内容"), queryset=WorkItem.objects.none(), required=False,
        empty_label=_("整个项目"),
        error_messages={"invalid_choice": _("请从列表中选择改造内容")})
    note = forms.CharField(
        label=_("巡查情况"), max_length=NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：3栋雨污管道已开挖，现场有围挡，施工人员戴安全帽。"),
        error_messages={"required": _("请写下巡查情况"),
                        "max_length": _("巡查情况最多 %(limit_value)d 个字")})
    problem = forms.CharField(
        label=_("发现的问题（没有可不填）"), required=False, max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("填写后会转给社区处理，您可以在“我反映过的问题”里看到处理进度。"),
        error_messages={"max_length": _("问题最多 %(limit_value)d 个字")})
    photos = PhotosField(label=_("现场照片（可不拍，最多 9 张）"))

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["item"].queryset = items

    def clean_note(self) -> str:
        return _text(self.cleaned_data.get("note", ""))

    def clean_problem(self) -> str:
        return _text(self.cleaned_data.get("problem", ""))


_PICK = _("请选择同意验收，或不同意并写明理由")


class SignoffForm(forms.Form):
    """验收: accept a finished item, or refuse it with the reason (it goes back to works)."""

    decision = forms.ChoiceField(
        label=_("您的验收意见"), widget=forms.RadioSelect,
        choices=[("accept", _("同意验收")), ("refuse", _("不同意，需要整改"))],
        error_messages={"required": _PICK, "invalid_choice": _PICK})
    reason = forms.CharField(
        label=_("不同意的理由"), required=False, max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不同意时必须填写，例如：扶手松动，二楼转角没装。"),
        error_messages={"max_length": _("理由最多 %(limit_value)d 个字")})

    def clean_reason(self) -> str:
        return _text(self.cleaned_data.get("reason", ""))

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["decision"] == "accept"
