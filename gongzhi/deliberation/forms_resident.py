"""Forms of the resident deliberation pages: propose a topic, vote, answer a consultation,
enter a contest. They only parse input; the actions decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation.models import Answer, Council, Poll

TITLE_LENGTH = 100
TEXT_LENGTH = 5000


class TopicForm(forms.Form):
    """Title and description, shared by a proposal and a contest entry."""

    title = forms.CharField(label=_("议题"), max_length=TITLE_LENGTH,
                            error_messages={"required": _("请填写议题")})
    description = forms.CharField(label=_("说明"), max_length=TEXT_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=_("说清楚是什么事、在哪里、希望怎么办"),
                                  error_messages={"required": _("请说明议题内容")})


class ProposeForm(TopicForm):
    council = forms.ModelChoiceField(label=_("提交给"), queryset=Council.objects.none(),
                                     empty_label=None,
                                     error_messages={"required": _("请选择议事会"),
                                                     "invalid_choice": _("请选择议事会")})
    field_order = ["council", "title", "description"]

    def __init__(self, *args, councils=None, **kwargs):
        super().__init__(*args, **kwargs)
        if councils is not None:
            self.fields["council"].queryset = councils


class EntryForm(TopicForm):
    title = forms.CharField(label=_("提案名称"), max_length=TITLE_LENGTH,
                            error_messages={"required": _("请填写提案名称")})


class VoteForm(forms.Form):
    """One unit's ballot: yes / no / abstain, or one plan (``option-<id>``) or abstain."""

    unit = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("您的意见"), widget=forms.RadioSelect,
                               error_messages={"required": _("请选择您的意见"),
                                               "invalid_choice": _("请选择您的意见")})

    def __init__(self, *args, poll: Poll, **kwargs):
        super().__init__(*args, **kwargs)
        plans = list(poll.options.all())
        if plans:
            choices = [(f"option-{p.pk}", p.label) for p in plans]
            choices.append(("abstain", _("弃权")))
        else:
            choices = [("yes", _("同意")), ("no", _("反对")), ("abstain", _("弃权"))]
        self.fields["choice"].choices = choices

    def ballot(self) -> tuple[str, int | None]:
        """(choice, option id) as ``cast_ballot`` takes them."""
        value = self.cleaned_data["choice"]
        if value.startswith("option-"):
            return "option", int(value.removeprefix("option-"))
        return value, None


_PICK_ANSWER = _("请选择同意、有条件同意或不同意")


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("您家的意见"), choices=Answer.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": _PICK_ANSWER,
                                               "invalid_choice": _PICK_ANSWER})
    condition = forms.CharField(label=_("同意的条件"), max_length=300, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("选择“有条件同意”时填写，例如：一楼住户的补偿方式"))
